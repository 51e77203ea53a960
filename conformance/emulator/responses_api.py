"""The v1 ``/openai/v1/responses`` and ``/openai/v1/models`` endpoints (seeds 001, 002).

Minimal but schema-valid: a Responses API answer is the same deterministic text the chat
surface produces, wrapped as an ``AzureResponse`` with one output message; the models
list names the configured deployments (``OpenAI.ListModelsResponse``).
"""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from conformance.emulator.errors import ApiError
from conformance.emulator.ids import request_id
from conformance.emulator.schemas import schema_of

if TYPE_CHECKING:
    from conformance.emulator.app import Emulator, Surface

__all__ = ["create", "models", "MODEL_CREATED"]

MODEL_CREATED = 1721260800  # fixed: deterministic /models answers


def _messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if isinstance(body.get("instructions"), str):
        messages.append({"role": "system", "content": body["instructions"]})
    given = body.get("input")
    if isinstance(given, str):
        messages.append({"role": "user", "content": given})
    elif isinstance(given, list):
        for item in given:
            if not isinstance(item, dict):
                continue
            content = item.get("content")
            if isinstance(content, list):
                content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            messages.append({"role": item.get("role", "user"), "content": content or ""})
    return messages


async def create(emulator: Emulator, request: Request, surface: Surface | None = None) -> Response:
    """``POST /openai/v1/responses`` (``surface`` None) or the dated ``/openai/responses``."""
    dated = surface is not None
    surface = surface or emulator.v1
    body = await emulator.read_body(request, surface)
    emulator.validate(surface, body, "createResponse" if dated else "AzureCreateResponse")
    if body.get("stream") is True:
        raise ApiError(
            400,
            "unsupported_parameter",
            "the emulator's Responses API does not stream; send stream: false "
            "(chat completions stream)",
            param="stream",
            type_="invalid_request_error",
        )
    deployment = emulator._deployment(str(body.get("model")))
    chat_body: dict[str, Any] = {"messages": _messages(body)}
    if body.get("max_output_tokens") is not None:
        chat_body["max_completion_tokens"] = body["max_output_tokens"]
    if emulator._content_filter(chat_body) and "content-filter-200" not in emulator.faults:
        from conformance.emulator.app import _content_filter_error

        raise _content_filter_error()
    completion = emulator.generate(chat_body, deployment, 1.0)
    budget = int(chat_body.get("max_completion_tokens") or 16)
    headers = emulator.rate_limit(deployment, completion.prompt_tokens + budget)
    choice = completion.choices[0]
    text = choice.content or ""
    reasoning = completion.reasoning_tokens or 0
    answer: dict[str, Any] = {
        "id": "resp_" + os.urandom(16).hex(),
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed" if choice.finish_reason == "stop" else "incomplete",
        "error": None,
        "incomplete_details": None
        if choice.finish_reason == "stop"
        else {"reason": "max_output_tokens"},
        "instructions": body.get("instructions")
        if isinstance(body.get("instructions"), str)
        else None,
        "model": deployment.model,
        "output": [
            {
                "type": "message",
                "id": "msg_" + os.urandom(16).hex(),
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        ],
        "parallel_tool_calls": True,
        "metadata": body.get("metadata") if isinstance(body.get("metadata"), dict) else {},
        "temperature": 1.0,
        "top_p": 1.0,
        "user": body.get("user") if isinstance(body.get("user"), str) else None,
        "tools": [],
        "tool_choice": "auto",
        "usage": {
            "input_tokens": completion.prompt_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": completion.completion_tokens,
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": completion.prompt_tokens + completion.completion_tokens,
        },
    }
    if dated:
        # the dated specs' `response` schema types these as non-null strings/objects when
        # present: leave out what has no value (v1's AzureResponse requires them, nullable)
        schema = schema_of(surface.spec_id, "response")
        required = set(schema.get("required", []))
        for part in schema.get("allOf", []):
            required.update(part.get("required", []))
        answer = {k: v for k, v in answer.items() if v is not None or k in required}
    headers["apim-request-id"] = request_id()
    return Response(
        json.dumps(answer, separators=(",", ":")), media_type="application/json", headers=headers
    )


def models(emulator: Emulator, name: str | None) -> Response:
    def entry(deployment_name: str) -> dict[str, Any]:
        return {
            "id": deployment_name,
            "object": "model",
            "created": MODEL_CREATED,
            "owned_by": "system",
        }

    if name is None:
        body: dict[str, Any] = {
            "object": "list",
            "data": [entry(d.name) for d in emulator.config.deployments],
        }
    else:
        emulator._deployment(name)
        body = entry(name)
    return Response(
        json.dumps(body, separators=(",", ":")),
        media_type="application/json",
        headers={"apim-request-id": request_id()},
    )
