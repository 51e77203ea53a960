"""The content filter stand-in: a user message with the trigger text is "filtered".

seed 004 §Content filter error: a 400 ``content_filter`` with Azure's innererror shape
(fault content-filter-200: a 200 whose choices end with finish_reason content_filter).
"""

from __future__ import annotations

from typing import Any

from conformance.emulator.config import CONTENT_FILTER_TRIGGER
from conformance.emulator.errors import ApiError

__all__ = ["triggered", "content_filter_error"]


def triggered(body: dict[str, Any]) -> bool:
    """Does a user message (text or text parts) carry the trigger?"""
    for message in body.get("messages") or ():
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        if isinstance(content, str) and CONTENT_FILTER_TRIGGER in content:
            return True
    return False


def content_filter_error() -> ApiError:
    """seed 004 §Content filter error / ContentFilterError; Azure's innererror shape."""
    safe = {"filtered": False, "severity": "safe"}
    return ApiError(
        400,
        "content_filter",
        "The response was filtered due to the prompt triggering Azure OpenAI's content "
        "management policy. Please modify your prompt and retry.",
        param="prompt",
        extra={
            "status": 400,
            "innererror": {
                "code": "ResponsibleAIPolicyViolation",
                "content_filter_result": {
                    "hate": {"filtered": True, "severity": "high"},
                    "self_harm": safe,
                    "sexual": safe,
                    "violence": safe,
                },
            },
        },
    )
