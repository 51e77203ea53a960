"""Secrets out of every output: curl reproductions, messages, reports.

api keys, ``Authorization`` values and bearer tokens become ``***`` (DESIGN "Secrets never
leak"). Redaction is by header name (api-key, authorization, ocp-apim-subscription-key)
and by value (every secret the run knows is replaced wherever it appears).

:func:`redact_logging` extends this to log records: while a run lasts, every record any
logger creates (httpx, httpcore, azure-identity, ours) has its message redacted before a
handler sees it, whatever the log level.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "MASK",
    "SECRET_HEADERS",
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
# a credential after "Bearer": 8+ token characters with at least one digit, dot or dash
# (so that prose such as "bearer tokens" stays readable)
_BEARER = re.compile(r"(?i)(bearer\s+)(?=[A-Za-z]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


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


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret, bearer credential and JWT masked."""
    text = mask_secrets(text, secrets)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _JWT.sub(MASK, text)


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


@contextlib.contextmanager
def redact_logging(secrets: Callable[[], Iterable[str]]) -> Iterator[None]:
    """Redact every log record created inside the block (``secrets()`` is read per record,
    so tokens refreshed during the run are covered)."""
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's problem
            return record
        record.msg = redact_text(message, secrets())
        record.args = None
        return record

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)
