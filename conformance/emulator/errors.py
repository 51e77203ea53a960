"""Errors the emulator answers with, in the documented envelope.

Every error body is ``{"error": {"code": str, "message": str, ...}}`` (seed 003 §Error
Responses; seed 004 §Responses) and carries ``x-ms-error-code`` (seed 004: every error
response lists that header) and ``apim-request-id`` (the dated and v1 specs list it on
every response).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from conformance.emulator.config import EmulatorConfig
from conformance.emulator.faults import Fault
from conformance.emulator.ids import request_id

__all__ = ["ApiError", "error_response", "answer_error", "not_found", "request_id"]


class ApiError(Exception):
    """An HTTP error answer: status, machine code, one-line message and optional extras."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        param: str | None = None,
        type_: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        top_level: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.type = type_
        self.headers = headers or {}
        self.extra = extra or {}
        self.top_level = top_level or {}


def not_found(message: str = "Resource not found", code: str = "404") -> ApiError:
    return ApiError(404, code, message)


def answer_error(error: ApiError, config: EmulatorConfig) -> Response:
    """Render ``error`` with the configuration's error faults (ERR-001, ERR-002, ERR-003)."""
    if error.status == 422 and config.has(Fault.FOUNDRY_422_NO_DETAIL):
        error.extra.pop("detail", None)
        error.top_level.pop("detail", None)
    return error_response(
        error,
        apim_envelope=config.has(Fault.ERROR_ENVELOPE_APIM),
        ms_error_code=not config.has(Fault.NO_X_MS_ERROR_CODE),
    )


def error_response(
    error: ApiError, *, apim_envelope: bool = False, ms_error_code: bool = True
) -> Response:
    """Render ``error``; the two flags exist for the faults ERR-001 and ERR-002 only."""
    if apim_envelope:
        # fault error-envelope-apim: APIM's own error shape, no "error" object (DESIGN)
        body: dict[str, Any] = {"statusCode": error.status, "message": error.message}
        body.update(error.top_level)
    else:
        inner: dict[str, Any] = {"code": error.code, "message": error.message}
        if error.param is not None:
            inner["param"] = error.param
        if error.type is not None:
            inner["type"] = error.type
        inner.update(error.extra)
        body = {"error": inner, **error.top_level}
    headers = {"apim-request-id": request_id(), **error.headers}
    if ms_error_code:
        headers["x-ms-error-code"] = error.code
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=error.status,
        headers=headers,
        media_type="application/json",
    )
