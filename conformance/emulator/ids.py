"""Cheap unique ids for responses and requests (no uuid objects on the hot path)."""

from __future__ import annotations

import os
from urllib.parse import unquote_plus

__all__ = ["request_id", "completion_id", "query_param"]


def request_id() -> str:
    """A random UUID-shaped id, as ``apim-request-id`` carries."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"


def completion_id(prefix: str = "chatcmpl-") -> str:
    return prefix + os.urandom(15).hex()[:29]


def query_param(query_string: bytes, name: bytes) -> str | None:
    """The first value of ``name`` in a raw query string (``None`` when absent)."""
    if name not in query_string:
        return None
    for part in query_string.split(b"&"):
        key, sep, value = part.partition(b"=")
        if unquote_plus(key.decode("latin-1")) == name.decode():
            return unquote_plus(value.decode("latin-1")) if sep else ""
    return None
