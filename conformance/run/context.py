"""The run context: one target surface as a check (or the schemathesis phase) sees it.

One :class:`RunContext` exists per surface being checked: the deployment and api-version,
the facts found about the target (profile, model family, reasoning and rate-limited
deployments, the Foundry prefix), a small cache so that several clauses share one request
(a basic completion feeds RESP-001..003 and the shape clauses), and its
:class:`~conformance.http.client.HttpClient`, through which every request goes (budget,
retries, circuit breaker, masking: :mod:`conformance.http.client`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from conformance import surfaces
from conformance.http.budget import BudgetExhausted
from conformance.http.client import Exchange, HttpClient, InfrastructureError
from conformance.model import SurfaceName

__all__ = ["RunContext"]

T = TypeVar("T")


@dataclass
class RunContext:
    """One target surface: its deployment and api-version, and how its requests go out.

    ``http`` sends (its ``base_url`` is the resource root, ``https://res.openai.azure.com``;
    for the in-process emulator ``http://127.0.0.1:8000``, where ``emulate`` listens) and
    holds the budget, the credentials and this surface's exchanges. ``surface`` selects
    the request shape (:mod:`conformance.surfaces`):

    - dated: ``/openai/deployments/{deployment}/chat/completions?api-version=V``
    - v1: ``/openai/v1/chat/completions`` with ``model`` = deployment in the body
    - foundry: ``/models/chat/completions?api-version=V`` (``azureml-model-deployment``)
    """

    http: HttpClient
    surface: SurfaceName
    deployment: str
    api_version: str | None = None
    spec_ids: dict[str, str] = field(default_factory=dict)
    profile: Any = None  # conformance.run.profiles.Profile | None
    emulator: bool = False
    app: Any = None  # the emulator's ASGI app when in process (schemathesis from_asgi)
    reasoning_deployment: str | None = None
    rate_limited_deployment: str | None = None
    # the model family whose documented rules apply (conformance.model_families): the
    # --model-family hint, else detected from the basic answer's model field
    model_family: str | None = None
    # a deployment whose model documents a limitation, for MODEL-002 (the emulator's)
    limited_deployment: str | None = None
    bearer_token: str | None = field(default=None, repr=False)
    api_version_explicit: bool = False
    foundry_prefix: str = "/models"
    # the output-token parameter the deployment accepts: reasoning deployments reject
    # max_tokens (seed 002 §Changes between 2024-09-01-preview and 2024-08-01-preview)
    token_param: str = "max_tokens"
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- the surface's request shape (conformance.surfaces: the generator's rules) ------

    def chat_path(self, deployment: str | None = None) -> str:
        """The chat-completions path of this surface (without query)."""
        return surfaces.chat_path(self.surface, deployment or self.deployment, self.foundry_prefix)

    def default_params(self) -> dict[str, str]:
        return surfaces.default_params(self.surface, self.api_version)

    def chat_body(self, deployment: str | None = None, **fields: Any) -> dict[str, Any]:
        """A tiny chat request; ``model`` names the deployment on v1 (seed 001)."""
        return surfaces.chat_body(self.surface, deployment or self.deployment, **fields)

    def chat_headers(self, deployment: str | None = None) -> dict[str, str]:
        return surfaces.chat_headers(self.surface, deployment or self.deployment)

    # -- sending ----------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> Exchange:
        """:meth:`HttpClient.send` on this surface; ``params=None`` sends the surface's
        default query (its api-version), ``{}`` none."""
        query = self.default_params() if params is None else params
        return self.http.send(method, path, params=query, **options)

    def chat(
        self,
        *,
        deployment: str | None = None,
        headers: Mapping[str, str] | None = None,
        expect_status: tuple[int, ...] = (),
        **fields: Any,
    ) -> Exchange:
        """POST a tiny chat completion on this surface."""
        merged = {**self.chat_headers(deployment), **(headers or {})}
        return self.send(
            "POST",
            self.chat_path(deployment),
            json_body=self.chat_body(deployment, **fields),
            headers=merged,
            expect_status=expect_status,
        )

    def cached(self, key: str, make: Callable[[], T]) -> T:
        """Share one exchange between clauses (failures are cached too)."""
        if key not in self.cache:
            try:
                self.cache[key] = ("ok", make())
            except (InfrastructureError, BudgetExhausted) as exc:
                self.cache[key] = ("error", exc)
        kind, value = self.cache[key]
        if kind == "error":
            raise value
        return value  # type: ignore[no-any-return]
