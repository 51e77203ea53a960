"""The surface rules as the suite applies them: one place, built on the generator's.

The three surfaces (seed 000 dated, seed 001/002 v1, seed 004 Foundry) differ in where a
request names its deployment and whether it carries an api-version. Those facts live in
:mod:`generator.codegen.surfaces` (the generated builders are rendered from them); this
module turns them into the chat-completions request the suite sends, so that a check,
the target detection and the schemathesis phase build the same request the generated
clients build, and the set of surface names is spelled once
(:data:`generator.spec.registry.SURFACES`).
"""

from __future__ import annotations

from typing import Any

from generator.codegen.surfaces import TOKEN_SCOPE, SurfaceRules, rules_for
from generator.spec.registry import SURFACES, Surface

__all__ = [
    "SURFACES",
    "SURFACE_CHOICES",
    "Surface",
    "SurfaceRules",
    "TOKEN_SCOPE",
    "ENTRA_AUDIENCE",
    "GATEWAY_SPEC_ID",
    "rules_for",
    "chat_path",
    "spec_root",
    "pins_api_version",
    "name_deployment_in_body",
    "chat_body",
    "chat_headers",
    "default_params",
]

#: ``--surface`` / ``--aoai-surface``: a surface, or ``auto`` (detected by probes).
SURFACE_CHOICES: tuple[str, ...] = ("auto", *SURFACES)

#: The audience of an Entra token for these surfaces (the scope without ``/.default``).
ENTRA_AUDIENCE = TOKEN_SCOPE.removesuffix("/.default")

#: The spec seed 003's gateway validates with (it names no api-version of its own): the
#: embedded emulator's gateway profile and the run's spec plan both need it.
GATEWAY_SPEC_ID = "azure-openai-2024-10-21"

#: Where the Foundry inference route is when nothing says otherwise (seed 004).
FOUNDRY_PREFIX = "/models"


def spec_root(surface: str, foundry_prefix: str = FOUNDRY_PREFIX) -> str:
    """The path ``surface``'s spec paths are relative to (its server URL's path).

    ``{endpoint}/openai`` (dated), ``{endpoint}/openai/v1`` (v1, seed 001); Foundry: the
    inference endpoint's own prefix (``/models`` or the root), found by detection.
    """
    rules = rules_for(surface)
    return foundry_prefix if rules.deployment == "header" else rules.base_path


def chat_path(surface: str, deployment: str, foundry_prefix: str = FOUNDRY_PREFIX) -> str:
    """The chat-completions path of ``surface`` (without query)."""
    root = spec_root(surface, foundry_prefix)
    if rules_for(surface).deployment == "path":
        return f"{root}/deployments/{deployment}/chat/completions"
    return f"{root}/chat/completions"


def pins_api_version(surface: str) -> bool:
    """Whether requests of ``surface`` carry an api-version (not v1's, seed 002)."""
    return rules_for(surface).pin_api_version


def name_deployment_in_body(surface: str, body: dict[str, Any], deployment: str) -> None:
    """Put ``deployment`` where ``surface``'s body names it: v1's ``model`` (seed 001), or
    Foundry's optional ``model`` when the body has one (seed 004 §Request Body)."""
    rules = rules_for(surface)
    if rules.deployment == "body":
        body[rules.deployment_parameter] = deployment
    elif rules.deployment == "header" and "model" in body:
        body["model"] = deployment


def default_params(surface: str, api_version: str | None) -> dict[str, str]:
    """The query every request of ``surface`` carries (the pinned api-version, if any)."""
    if pins_api_version(surface) and api_version:
        return {"api-version": api_version}
    return {}


def chat_body(surface: str, deployment: str, **fields: Any) -> dict[str, Any]:
    """A tiny chat request; ``model`` names the deployment on v1 (seed 001)."""
    body: dict[str, Any] = {"messages": [{"role": "user", "content": "Say hello."}]}
    rules = rules_for(surface)
    if rules.deployment == "body":
        body[rules.deployment_parameter] = deployment
    body.update(fields)
    return body


def chat_headers(surface: str, deployment: str) -> dict[str, str]:
    """The headers that route a request to ``deployment`` (Foundry's, seed 004)."""
    rules = rules_for(surface)
    if rules.deployment == "header":
        # seed 004 §Request Header: azureml-model-deployment routes the request
        return {rules.deployment_parameter: deployment}
    return {}
