"""Entra ID bearer tokens that stay valid through a long run.

``--auth entra`` asks azure-identity's ``DefaultAzureCredential`` (or any
``TokenCredential``) for a token for ``https://cognitiveservices.azure.com/.default``
(seed 000 §Authentication; seed 002 §Microsoft Entra ID). A token is cached only while it
is comfortably valid: before *every* request :meth:`EntraTokenProvider.token` compares
``expires_on`` with the clock minus a safety margin and asks the credential again when
the token is close to (or past) expiry — a token is never used past its expiry.

:class:`BearerHeaders` is the live ``{"authorization": "Bearer <token>"}`` mapping a run
context sends: reading it asks the provider, so every request (and the schemathesis
phase) carries a fresh token without knowing about refreshes. Every token issued is kept
in :attr:`EntraTokenProvider.issued` and joins the run's
:class:`~conformance.http.secrets.Secrets` at once, so that answers, logs and reports
mask it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from conformance.http.secrets import Secrets
from generator.codegen.surfaces import TOKEN_SCOPE  # http/ sits below conformance.surfaces
from generator.errors import UsageError

__all__ = [
    "ENTRA_SCOPE",
    "REFRESH_MARGIN_S",
    "EntraTokenProvider",
    "BearerHeaders",
    "default_credential",
]

# seed 000 §Authentication / seed 001: tokens for https://cognitiveservices.azure.com
ENTRA_SCOPE = TOKEN_SCOPE  # the one spelling, shared with the generated clients
# Refresh this long before expiry (azure-core's bearer policy uses the same 5 minutes);
# short-lived tokens refresh after half their lifetime instead.
REFRESH_MARGIN_S = 300.0


def default_credential() -> Any:
    """azure-identity's ``DefaultAzureCredential`` (environment, managed identity, az login...)."""
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError:  # pragma: no cover - a declared dependency
        raise UsageError("--auth entra needs azure-identity: pip install azure-identity") from None
    return DefaultAzureCredential()


class EntraTokenProvider:
    """Tokens from a ``TokenCredential``, refreshed before they expire."""

    def __init__(
        self,
        credential: Any,
        scope: str = ENTRA_SCOPE,
        *,
        margin_s: float = REFRESH_MARGIN_S,
        clock: Callable[[], float] = time.time,
        secrets: Secrets | None = None,
    ) -> None:
        self._credential = credential
        self._scope = scope
        self._margin_s = margin_s
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_on = 0.0
        self._refresh_at = 0.0
        self.calls = 0  # get_token calls made
        # every token handed out; each also joins the run's secrets the moment it is issued
        self.issued: list[str] = []
        self._secrets = secrets

    def __repr__(self) -> str:  # never the token
        return f"EntraTokenProvider(scope={self._scope!r}, calls={self.calls})"

    def token(self) -> str:
        """A token valid for at least the safety margin (asks the credential if needed)."""
        with self._lock:
            now = self._clock()
            if self._token is None or now >= self._refresh_at or now >= self._expires_on:
                self._fetch(now)
            assert self._token is not None
            return self._token

    def _fetch(self, now: float) -> None:
        try:
            access = self._credential.get_token(self._scope)
        except Exception as exc:  # noqa: BLE001 - azure-identity raises many types
            # the first line of azure-identity's message says which sources it tried
            text = str(exc).strip()
            first = text.splitlines()[0][:160] if text else type(exc).__name__
            raise UsageError(
                f"--auth entra could not get a token for {self._scope} ({first}); "
                "sign in with `az login` or configure a managed identity"
            ) from None
        self.calls += 1
        token, expires_on = str(access.token), float(access.expires_on)
        lifetime = max(expires_on - now, 0.0)
        margin = min(self._margin_s, lifetime / 2)
        self._token, self._expires_on = token, expires_on
        self._refresh_at = expires_on - margin
        if token not in self.issued:
            self.issued.append(token)
        if self._secrets is not None:
            self._secrets.add(token)


class BearerHeaders(Mapping[str, str]):
    """``{"authorization": "Bearer <fresh token>"}``, computed on every read."""

    def __init__(self, provider: EntraTokenProvider) -> None:
        self.provider = provider

    def __getitem__(self, key: str) -> str:
        if key.lower() != "authorization":
            raise KeyError(key)
        return f"Bearer {self.provider.token()}"

    def __iter__(self) -> Iterator[str]:
        return iter(("authorization",))

    def __len__(self) -> int:
        return 1

    def __repr__(self) -> str:  # never the token
        return "BearerHeaders(authorization=Bearer ***)"
