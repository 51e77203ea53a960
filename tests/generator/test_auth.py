"""The auth helpers: api-key, fixed bearer, TokenCredential with refresh before expiry."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from aoai_conformance_generated.azure_openai_2025_04_01_preview.auth import (
    TOKEN_SCOPE,
    ApiKeyAuth,
    BearerAuth,
    TokenCredentialAuth,
)


@dataclass
class Token:
    token: str
    expires_on: int


class Credential:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: object) -> Token:
        self.calls.append(scopes)
        return Token(f"token-{len(self.calls)}", 1000 + 3600 * len(self.calls))


def test_token_is_cached_then_refreshed_before_expiry() -> None:
    now = [1000.0]
    credential = Credential()
    auth = TokenCredentialAuth(credential, clock=lambda: now[0])
    assert auth.headers() == {"Authorization": "Bearer token-1"}  # expires at 4600
    now[0] = 4000.0  # 600 s left: still used
    assert auth.headers()["Authorization"] == "Bearer token-1"
    now[0] = 4301.0  # inside the 300 s margin: refreshed before it expires
    assert auth.headers()["Authorization"] == "Bearer token-2"
    assert credential.calls == [(TOKEN_SCOPE,), (TOKEN_SCOPE,)]
    assert TOKEN_SCOPE == "https://cognitiveservices.azure.com/.default"


def test_secrets_never_in_repr() -> None:
    assert "secret" not in repr(ApiKeyAuth("secret"))
    assert "secret" not in repr(BearerAuth("secret"))
    assert "token-1" not in repr(TokenCredentialAuth(Credential()))


def test_auth_works_as_httpx_auth() -> None:
    request = httpx.Request("GET", "https://example.invalid/")
    flow = ApiKeyAuth("k").auth_flow(request)
    assert next(flow).headers["api-key"] == "k"


def test_empty_key_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="api key is empty"):
        ApiKeyAuth("")


def test_azure_core_access_tokens_are_used_and_refreshed() -> None:
    """The credential side is azure-core's real types (what azure-identity returns)."""
    from azure.core.credentials import AccessToken

    issued: list[AccessToken] = []

    class Credential:
        def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
            token = AccessToken(f"entra-{len(issued)}", 10_000 + 60 * len(issued))
            issued.append(token)
            return token

    now = [9_000.0]
    auth = TokenCredentialAuth(Credential(), refresh_margin=120, clock=lambda: now[0])
    request = httpx.Request("POST", "https://example.invalid/")
    assert next(auth.auth_flow(request)).headers["Authorization"] == "Bearer entra-0"
    now[0] = 9_881.0  # 119 s before expiry: inside the margin
    assert auth.headers() == {"Authorization": "Bearer entra-1"}
    assert len(issued) == 2
