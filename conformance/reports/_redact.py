"""Secret redaction applied by every report writer before a byte is written.

Two layers: the exact secrets a run knows (the api-key it was given, the bearer token it
minted or received) are replaced wherever they occur, and anything *shaped* like a
credential is masked even when the run did not know it was one — the value of an
``api-key:`` / ``Ocp-Apim-Subscription-Key:`` / ``Authorization: Bearer`` header, an
``api-key=`` query parameter, user-info in a URL, and JWT-shaped strings.
(DESIGN "Secrets never leak": keys and tokens are redacted in every output.)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

__all__ = ["MASK", "SECRET_ENV_VARS", "Redactor", "redact", "known_secrets"]

# The same mask as conformance/redact.py (curl reproductions), so one run shows one mask.
MASK = "***"
# A value that is already masked (also in its Markdown-escaped form) is left alone.
_MASKED = r"(?!\$|\*\*\*|\\\*\\\*\\\*)"

#: Environment variables whose values are credentials (named as the SDKs name them).
SECRET_ENV_VARS: tuple[str, ...] = (
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_AD_TOKEN",
    "OPENAI_API_KEY",
    "AZURE_AI_API_KEY",
    "AZURE_INFERENCE_CREDENTIAL",
    "AOAI_API_KEY",
)

# A secret shorter than this is not replaced by value (it would mask ordinary words);
# the shape-based rules below still apply to it.
_MIN_SECRET_LEN = 4

# Header values: `api-key: X`, `"api-key": "X"`, `Ocp-Apim-Subscription-Key: X`.
# A value that is a shell variable reference (`$AZURE_OPENAI_API_KEY`) is kept: it is
# how a curl reproduction says "put your key here" without containing one.
_HEADER_VALUE = re.compile(
    r"(?P<name>\b(?:api-key|ocp-apim-subscription-key|x-api-key)\b)"
    r"(?P<sep>[\"']?\s*[:=]\s*[\"']?)"
    rf"(?P<value>{_MASKED}[^\s\"',;&}}]+)",
    re.IGNORECASE,
)
# `Authorization: <scheme> <credential>` as a header: always a credential, whatever its shape.
_AUTHORIZATION = re.compile(
    r"(?P<name>\bauthorization)(?P<sep>[\"']?\s*[:=]\s*[\"']?)"
    # atomic: a scheme word, once read, is never re-read as the value
    r"(?P<scheme>(?>(?:(?:bearer|basic|sharedkey)\s+)?))"
    rf"(?P<value>{_MASKED}[^\s\"',;}}]+)",
    re.IGNORECASE,
)
# `Bearer <token>` in free text: only token-shaped values (long, or with digits/punctuation),
# so that prose such as "Entra bearer tokens are accepted" stays readable.
_BEARER = re.compile(
    r"(?P<name>\bBearer)(?P<sep>\s+)"
    rf"(?P<value>{_MASKED}(?=[^\s\"',;}}]*[0-9._~+/=-]|[^\s\"',;}}]{{20}})[^\s\"',;}}]+)",
    re.IGNORECASE,
)
# header.payload.signature, each base64url; a JWT header always starts with `{"` = `eyJ`.
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# scheme://user:password@host
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/\s@:]+:[^/\s@]+@", re.I)


def known_secrets(extra: Iterable[str] = ()) -> list[str]:
    """The secrets to replace by value: ``extra`` plus the credential environment variables."""
    found = [s for s in extra if s]
    found += [os.environ[name] for name in SECRET_ENV_VARS if os.environ.get(name)]
    # Longest first, so that a secret containing another is replaced whole.
    return sorted({s for s in found if len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True)


class Redactor:
    """A redaction function bound to one run's secrets (computed once, applied often)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = known_secrets(secrets)

    def __call__(self, text: str) -> str:
        if not text:
            return text
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        text = _JWT.sub(MASK, text)
        text = _HEADER_VALUE.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)
        text = _AUTHORIZATION.sub(lambda m: f"{m['name']}{m['sep']}{m['scheme'] or ''}{MASK}", text)
        text = _BEARER.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)
        return _URL_USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with every known secret and credential-shaped value masked."""
    return Redactor(secrets)(text)
