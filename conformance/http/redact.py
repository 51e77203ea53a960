"""Secrets out of every output: curl reproductions, messages, logs, reports.

api keys, ``Authorization`` values and bearer tokens become ``***`` (DESIGN "Secrets never
leak"). Two layers, used by every writer through :class:`Redactor`:

- by value: every secret the run knows (the api-key it was given, tokens it minted or
  received, the SDKs' credential environment variables) is replaced wherever it appears,
  also URL-encoded or base64-encoded (the forms a target could echo it in);
- by shape: anything that looks like a credential is masked even when the run did not know
  it was one — the value of an ``api-key:`` / ``Ocp-Apim-Subscription-Key:`` /
  ``Authorization:`` header or ``api-key=`` parameter, a token after ``Bearer``, a
  JWT-shaped string, the user-info of a URL.

:func:`redact_logging` extends this to log records: while a run lasts, every record any
logger creates (httpx, httpcore, azure-identity, ours) has its message redacted before a
handler sees it, whatever the log level.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import re
import shlex
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "MASK",
    "SECRET_HEADERS",
    "SECRET_ENV_VARS",
    "Redactor",
    "known_secrets",
    "redact",
    "redact_text",
    "redact_headers",
    "curl_command",
    "redact_logging",
    "mask_secrets",
    "secret_variants",
    "header_secrets",
]

MASK = "***"
SECRET_HEADERS = frozenset({"api-key", "authorization", "ocp-apim-subscription-key", "x-api-key"})

#: Environment variables whose values are credentials (named as the SDKs name them).
SECRET_ENV_VARS: tuple[str, ...] = (
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_AD_TOKEN",
    "OPENAI_API_KEY",
    "AZURE_AI_API_KEY",
    "AZURE_INFERENCE_CREDENTIAL",
    "AOAI_API_KEY",
)

# A value that is already masked (also in its Markdown-escaped form), or a shell variable
# reference (`$AZURE_OPENAI_API_KEY`, how a reproduction says "your key here"), is kept.
_MASKED = r"(?!\$|\*\*\*|\\\*\\\*\\\*)"
# Header values: `api-key: X`, `"api-key": "X"`, `api-key=X`, `Ocp-Apim-Subscription-Key: X`.
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
# `Bearer <token>` in free text: only token-shaped values — 16+ token characters, or 8+
# with a digit — so that prose such as "Entra bearer tokens." or "bearer token-based
# auth" stays readable.
_BEARER = re.compile(
    r"(?P<name>\bBearer)(?P<sep>\s+)"
    rf"(?P<value>{_MASKED}(?:[A-Za-z0-9._~+/=-]{{16,}}|(?=[A-Za-z._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{{8,}}))",
    re.IGNORECASE,
)
# header.payload.signature, each base64url; a JWT header always starts with `{"` = `eyJ`.
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# scheme://user:password@host
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/\s@:]+:[^/\s@]+@", re.I)


def secret_variants(secret: str) -> set[str]:
    """``secret`` and the forms a target could echo it in: URL-encoded and base64."""
    if not secret or len(secret) < 4:
        return set()
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    if len(secret) >= 8:
        raw = secret.encode("utf-8")
        for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            text = encoded.decode("ascii")
            forms |= {text, text.rstrip("=")}
    return {f for f in forms if len(f) >= 4}


def mask_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret (and its encoded forms) replaced by ``***``.

    Only exact values: safe to apply to response bodies before the checks read them.
    """
    if not text:
        return text
    forms: set[str] = set()
    for secret in secrets:
        forms |= secret_variants(secret)
    for form in sorted(forms, key=len, reverse=True):
        if form in text:
            text = text.replace(form, MASK)
    return text


def header_secrets(headers: Mapping[str, str]) -> tuple[str, ...]:
    """The credentials carried by request headers (api-key values, Authorization tokens)."""
    found: list[str] = []
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS and value:
            found.append(value)
            if name.lower() == "authorization" and " " in value:
                found.append(value.split(" ", 1)[1].strip())
    return tuple(found)


def known_secrets(extra: Iterable[str] = ()) -> list[str]:
    """The secrets to replace by value: ``extra`` plus the credential environment variables."""
    found = [s for s in extra if s]
    found += [os.environ[name] for name in SECRET_ENV_VARS if os.environ.get(name)]
    return sorted(set(found), key=len, reverse=True)


class Redactor:
    """Redaction bound to one run's secrets (their variants computed once, applied often)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for secret in known_secrets(secrets):
            forms |= secret_variants(secret)
        # longest first, so that a secret containing another is replaced whole
        self._forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        if not text:
            return text
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        text = _JWT.sub(MASK, text)
        text = _HEADER_VALUE.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)
        text = _AUTHORIZATION.sub(lambda m: f"{m['name']}{m['sep']}{m['scheme'] or ''}{MASK}", text)
        text = _BEARER.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)
        return _URL_USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret and credential-shaped value masked."""
    return Redactor(secrets)(text)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """The same as :func:`redact` (the name the runner and checks use)."""
    return Redactor(secrets)(text)


def redact_headers(headers: Mapping[str, str], secrets: Iterable[str] = ()) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] if name.lower() == "authorization" else ""
            out[name] = f"{scheme} {MASK}" if scheme and " " in value else MASK
        else:
            out[name] = redact_text(value, secrets)
    return out


def curl_command(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Any = None,
    secrets: Iterable[str] = (),
) -> str:
    """A copy-pasteable ``curl`` reproduction with secrets replaced by ``***``."""
    secrets = tuple(secrets)
    parts = ["curl", "-sS", "-X", method.upper(), shlex.quote(redact_text(url, secrets))]
    for name, value in redact_headers(headers, secrets).items():
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if body is not None:
        data = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
        parts += ["-d", shlex.quote(redact_text(data, secrets))]
    return " ".join(parts)


# The secret sources of every redact_logging block open now, in any thread. One factory
# is installed while any block is open and redacts with all of them: blocks of concurrent
# runs (a fleet) overlap without nesting, so each block cannot restore "its" previous
# factory; a record of one run is redacted with every run's secrets, never fewer.
_LOG_SOURCES: list[Callable[[], Iterable[str]]] = []
_LOG_LOCK = threading.Lock()
_LOG_PREVIOUS: list[Callable[..., logging.LogRecord]] = []


def _all_log_secrets() -> list[str]:
    with _LOG_LOCK:
        sources = list(_LOG_SOURCES)
    return [s for source in sources for s in source()]


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _LOG_PREVIOUS[0](*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is logging's problem
        return record
    record.msg = redact_text(message, _all_log_secrets())
    record.args = None
    return record


@contextlib.contextmanager
def redact_logging(secrets: Callable[[], Iterable[str]]) -> Iterator[None]:
    """Redact every log record created inside the block (``secrets()`` is read per record,
    so tokens refreshed during the run are covered). Safe to use from several threads at
    once: while any block is open, records are redacted with the secrets of all of them."""
    with _LOG_LOCK:
        if not _LOG_SOURCES:
            _LOG_PREVIOUS[:] = [logging.getLogRecordFactory()]
            logging.setLogRecordFactory(_redacting_factory)
        _LOG_SOURCES.append(secrets)
    try:
        yield
    finally:
        with _LOG_LOCK:
            _LOG_SOURCES.remove(secrets)
            if not _LOG_SOURCES:
                logging.setLogRecordFactory(_LOG_PREVIOUS[0])
