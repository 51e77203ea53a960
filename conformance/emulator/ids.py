"""Cheap unique ids for responses and requests, and fast query-string and header lookups.

Ids are a random per-process prefix plus a counter: unique within the process and
across processes with overwhelming probability, with no syscall per request.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import unquote_plus

__all__ = ["request_id", "completion_id", "query_param", "header"]

_PREFIX = os.urandom(8).hex()
_COUNTER = itertools.count(1)
_UUID_HEAD = f"{_PREFIX[:8]}-{_PREFIX[8:12]}-4{_PREFIX[13:16]}"


def request_id() -> str:
    """A UUID-shaped id, as ``apim-request-id`` carries."""
    n = next(_COUNTER)
    return f"{_UUID_HEAD}-8{n >> 48 & 0xFFF:03x}-{n & 0xFFFFFFFFFFFF:012x}"


def completion_id(prefix: str = "chatcmpl-") -> str:
    return f"{prefix}{_PREFIX}{next(_COUNTER):013x}"


def query_param(query_string: bytes, name: bytes) -> str | None:
    """The first value of ``name`` in a raw query string (``None`` when absent)."""
    encoded = b"%" in query_string or b"+" in query_string
    if not encoded and name not in query_string:
        return None
    for part in query_string.split(b"&"):
        key, sep, value = part.partition(b"=")
        if encoded:
            if unquote_plus(key.decode("latin-1")) == name.decode():
                return unquote_plus(value.decode("latin-1")) if sep else ""
        elif key == name:
            return value.decode("latin-1")
    return None


def header(scope: MutableMapping[str, Any], name: bytes) -> str | None:
    """A request header by lower-case name; the scope's header list is indexed once."""
    index: dict[bytes, bytes] | None = scope.get("emulator.headers")
    if index is None:
        index = {}
        for key, value in scope["headers"]:
            index.setdefault(key.lower(), value)
        scope["emulator.headers"] = index
    value = index.get(name)
    return None if value is None else value.decode("latin-1")
