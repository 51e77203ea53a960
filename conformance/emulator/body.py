"""Reading a request body defensively: media type, size, UTF-8, JSON, nesting depth.

Bad input is always a 4xx in the error envelope, never a 5xx (issue 4 §Bad input).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request

from conformance.emulator.errors import ApiError
from conformance.emulator.ids import header

__all__ = ["read_json_object", "json_depth"]


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value, computed without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in node)
    return deepest


def _bad(message: str, code: str = "BadRequest", status: int = 400) -> ApiError:
    return ApiError(status, code, message, type_="invalid_request_error")


async def read_json_object(request: Request, *, max_bytes: int, max_depth: int) -> dict[str, Any]:
    """The body as a JSON object, or an :class:`ApiError` saying what is wrong with it."""
    media = (header(request.scope, b"content-type") or "").split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        shown = media or "none"
        raise _bad(
            f"unsupported Content-Type {shown!r}; send the body as application/json",
            "UnsupportedMediaType",
            415,
        )
    declared = header(request.scope, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _bad(
            f"request body of {declared} bytes exceeds the limit of {max_bytes} bytes; "
            "send a smaller request",
            "RequestEntityTooLarge",
            413,
        )
    chunks: list[bytes] = []
    size = 0
    receive = request.receive
    while True:  # read from the ASGI channel directly: the limit holds while reading
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise _bad(
                f"request body exceeds the limit of {max_bytes} bytes; send a smaller request",
                "RequestEntityTooLarge",
                413,
            )
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    raw = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if not raw:
        raise _bad("the request body is empty; send a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(
            f"the request body is not valid UTF-8 (byte {exc.start}); encode it as UTF-8"
        ) from None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:  # a json.JSONDecodeError (lineno, colno, msg)
        if "depth limit" in exc.msg or "recursion" in exc.msg:  # orjson stops at 1024
            raise _bad(f"the request body is nested deeper than {max_depth} levels") from None
        raise _bad(
            f"the request body is not valid JSON (line {exc.lineno} column {exc.colno}: "
            f"{exc.msg}); send a JSON object"
        ) from None
    except RecursionError:
        raise _bad(f"the request body is nested deeper than {max_depth} levels") from None
    if raw.count(b"{") + raw.count(b"[") > max_depth and json_depth(value) > max_depth:
        raise _bad(f"the request body is nested deeper than {max_depth} levels")
    if not isinstance(value, dict):
        raise _bad(f"the request body must be a JSON object, not {type(value).__name__}")
    return value
