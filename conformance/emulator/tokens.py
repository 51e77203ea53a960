"""Entra-shaped bearer tokens: HS256 JWTs minted by tests, verified by the emulator.

The emulator cannot check Microsoft's signatures offline, so it accepts JWTs signed
(HS256, RFC 7518 §3.2) with the secret it is configured with, carrying the audience a
token for Azure OpenAI carries (seed 000 §Authentication: a token obtained for
``https://cognitiveservices.azure.com``), and not yet expired.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from conformance.surfaces import ENTRA_AUDIENCE

__all__ = ["AUDIENCE", "mint_token", "verify_token", "TokenError"]

AUDIENCE = ENTRA_AUDIENCE  # the audience the suite's tokens carry (conformance.surfaces)
_HEADER = {"alg": "HS256", "typ": "JWT"}


class TokenError(Exception):
    """Why a bearer token is refused (the message never contains the token)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, signing_input: bytes) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest())


def mint_token(
    secret: str,
    *,
    audience: str = AUDIENCE,
    expires_in: int = 3600,
    subject: str = "00000000-0000-0000-0000-000000000001",
    tenant: str = "00000000-0000-0000-0000-00000000000a",
) -> str:
    """An Entra-shaped access token (``aud``, ``iss``, ``tid``, ``oid``, ``iat``, ``nbf``, ``exp``).

    A negative ``expires_in`` makes an already-expired token.
    """
    now = int(time.time())
    claims = {
        "aud": audience,
        "iss": f"https://sts.windows.net/{tenant}/",
        "tid": tenant,
        "oid": subject,
        "sub": subject,
        "iat": now,
        "nbf": min(now, now + expires_in),
        "exp": now + expires_in,
        "uti": uuid.uuid4().hex,
        "scp": "user_impersonation",
    }
    header = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    return f"{header}.{payload}.{_sign(secret, signing_input)}"


def verify_token(
    token: str, secret: str, *, audience: str = AUDIENCE, leeway: int = 0
) -> dict[str, Any]:
    """The token's claims, or :class:`TokenError` saying what is wrong with it."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("the bearer token is not a JWT")
    try:
        header = json.loads(_unb64(parts[0]))
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeDecodeError):
        raise TokenError("the bearer token is not a well-formed JWT") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise TokenError("the bearer token's signing algorithm is not accepted")
    expected = _sign(secret, f"{parts[0]}.{parts[1]}".encode("ascii"))
    if not hmac.compare_digest(expected, parts[2]):
        raise TokenError("the bearer token's signature is invalid")
    if not isinstance(claims, dict):
        raise TokenError("the bearer token has no claims")
    aud = claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    if audience not in auds and f"{audience}/" not in auds:
        raise TokenError(f"the bearer token's audience is not {audience}")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp + leeway < time.time():
        raise TokenError("the bearer token is expired")
    result: dict[str, Any] = claims
    return result
