"""The v1 ``/openai/v1/responses`` and ``/openai/v1/models`` endpoints (seeds 001, 002).

Minimal but schema-valid: a Responses API answer is the same deterministic text the chat
surface produces, wrapped as an ``AzureResponse`` with one output message; the models
list names the configured deployments (``OpenAI.ListModelsResponse``).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from conformance.emulator import content_filter, validation
from conformance.emulator.chat import rate_limit
from conformance.emulator.faults import Fault
from conformance.emulator.generate import complete
from conformance.emulator.ids import request_id
from conformance.emulator.schemas import schema_of
from conformance.emulator.state import EmulatorState
from conformance.emulator.surfaces import V1_RESPONSES_SCHEMA, Surface

__all__ = ["create", "models", "stream_events", "MODEL_CREATED"]

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


def _chat_tools(body: dict[str, Any]) -> dict[str, Any]:
    """Responses API function tools (flat ``{type, name, parameters}``) in chat form."""
    tools = [
        {
            "type": "function",
            "function": {
                "name": t.get("name"),
                "parameters": t.get("parameters") or {"type": "object", "properties": {}},
            },
        }
        for t in body.get("tools") or []
        if isinstance(t, dict) and t.get("type") == "function" and isinstance(t.get("name"), str)
    ]
    if not tools:
        return {}
    choice = body.get("tool_choice", "auto")
    if isinstance(choice, dict) and choice.get("type") == "function":
        choice = {"type": "function", "function": {"name": choice.get("name")}}
    elif choice not in ("none", "auto", "required"):
        choice = "auto"
    return {"tools": tools, "tool_choice": choice}


def _output(state: EmulatorState, choice: Any) -> list[dict[str, Any]]:
    """The output items: function calls, or one message whose content is output_text."""
    if choice.tool_calls:
        return [
            {
                "type": "function_call",
                "id": "fc_" + os.urandom(16).hex(),
                "call_id": call.id,
                "name": call.name,
                "arguments": call.arguments,
                "status": "completed",
            }
            for call in choice.tool_calls
        ]
    status = "completed" if choice.finish_reason == "stop" else "incomplete"
    # fault responses-content-type-text: the content part is labelled "text"
    part = "text" if state.config.has(Fault.RESPONSES_CONTENT_TYPE_TEXT) else "output_text"
    return [
        {
            "type": "message",
            "id": "msg_" + os.urandom(16).hex(),
            "status": status,
            "role": "assistant",
            "content": [{"type": part, "text": choice.content or "", "annotations": []}],
        }
    ]


async def create(
    state: EmulatorState, request: Request, surface: Surface | None = None
) -> Response:
    """``POST /openai/v1/responses`` (``surface`` None) or the dated ``/openai/responses``."""
    dated = surface is not None
    surface = surface or state.v1
    body = await validation.read_body(state, request, surface)
    validation.validate(state, surface, body, "createResponse" if dated else V1_RESPONSES_SCHEMA)
    deployment = validation.deployment_named(state, str(body.get("model")))
    chat_body: dict[str, Any] = {"messages": _messages(body), **_chat_tools(body)}
    if body.get("max_output_tokens") is not None:
        chat_body["max_completion_tokens"] = body["max_output_tokens"]
    if content_filter.triggered(chat_body) and not state.config.has(Fault.CONTENT_FILTER_200):
        raise content_filter.content_filter_error()
    # the chat faults (max-tokens-ignored, n-ignored, ...) break chat clauses only
    completion = complete(
        chat_body,
        deployment=deployment.name,
        reasoning=deployment.reasoning,
        default_temperature=1.0,
    )
    budget = int(chat_body.get("max_completion_tokens") or 16)
    headers = rate_limit(state, deployment, completion.prompt_tokens + budget)
    choice = completion.choices[0]
    reasoning = completion.reasoning_tokens or 0
    finished = choice.finish_reason in ("stop", "tool_calls")
    # fault responses-incomplete-as-completed: a truncated answer is reported completed
    reported = finished or state.config.has(Fault.RESPONSES_INCOMPLETE_AS_COMPLETED)
    answer: dict[str, Any] = {
        "id": "resp_" + os.urandom(16).hex(),
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed" if reported else "incomplete",
        "error": None,
        "incomplete_details": None if reported else {"reason": "max_output_tokens"},
        "instructions": body.get("instructions")
        if isinstance(body.get("instructions"), str)
        else None,
        "model": deployment.model,
        "output": _output(state, choice),
        "parallel_tool_calls": True,
        "metadata": body.get("metadata") if isinstance(body.get("metadata"), dict) else {},
        "temperature": 1.0,
        "top_p": 1.0,
        "user": body.get("user") if isinstance(body.get("user"), str) else None,
        "tools": [t for t in body.get("tools") or [] if isinstance(t, dict)],
        "tool_choice": body.get("tool_choice", "auto"),
        "max_output_tokens": body.get("max_output_tokens"),
        "usage": {
            "input_tokens": completion.prompt_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": completion.completion_tokens,
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": completion.prompt_tokens
            + completion.completion_tokens
            + (1 if state.config.has(Fault.RESPONSES_USAGE_TOTAL_WRONG) else 0),
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
    if body.get("stream") is True:
        headers["cache-control"] = "no-cache"
        events = stream_events(answer, choice.pieces, frozenset(state.config.faults))
        return StreamingResponse(iter(events), media_type="text/event-stream", headers=headers)
    return Response(
        json.dumps(answer, separators=(",", ":")), media_type="application/json", headers=headers
    )


def _sse(kind: str, payload: dict[str, Any]) -> bytes:
    data = json.dumps({"type": kind, **payload}, separators=(",", ":"), ensure_ascii=False)
    return f"event: {kind}\ndata: {data}\n\n".encode()


def stream_events(
    answer: dict[str, Any], pieces: list[str], faults: frozenset[str] = frozenset()
) -> list[bytes]:
    """The Responses API stream of ``answer``: lifecycle, item, part and delta events.

    Order (OpenAI API reference, Responses streaming events): ``response.created``,
    ``response.in_progress``, per output item ``response.output_item.added``, for a message
    ``response.content_part.added``, ``response.output_text.delta``...,
    ``response.output_text.done``, ``response.content_part.done``; for a function call
    ``response.function_call_arguments.delta``/``.done``; ``response.output_item.done``;
    then ``response.completed`` or ``response.incomplete`` with the final response. Every
    event carries an increasing ``sequence_number``; there is no ``[DONE]``.
    """
    events: list[tuple[str, dict[str, Any]]] = []
    opening = {**answer, "status": "in_progress", "output": [], "usage": None}
    opening["incomplete_details"] = None
    events.append(("response.created", {"response": opening}))
    events.append(("response.in_progress", {"response": opening}))
    for index, item in enumerate(answer["output"]):
        where = {"item_id": item["id"], "output_index": index}
        if item["type"] == "function_call":
            events.append(
                (
                    "response.output_item.added",
                    {
                        "output_index": index,
                        "item": {**item, "arguments": "", "status": "in_progress"},
                    },
                )
            )
            for piece in _split(item["arguments"]):
                events.append(("response.function_call_arguments.delta", {**where, "delta": piece}))
            events.append(
                (
                    "response.function_call_arguments.done",
                    {**where, "name": item["name"], "arguments": item["arguments"]},
                )
            )
        else:
            part = item["content"][0]
            events.append(
                (
                    "response.output_item.added",
                    {
                        "output_index": index,
                        "item": {**item, "status": "in_progress", "content": []},
                    },
                )
            )
            at = {**where, "content_index": 0}
            events.append(("response.content_part.added", {**at, "part": {**part, "text": ""}}))
            for piece in pieces:
                events.append(
                    ("response.output_text.delta", {**at, "delta": piece, "logprobs": []})
                )
            events.append(
                ("response.output_text.done", {**at, "text": part["text"], "logprobs": []})
            )
            events.append(("response.content_part.done", {**at, "part": part}))
        events.append(("response.output_item.done", {"output_index": index, "item": item}))
    final = "response.completed" if answer["status"] == "completed" else "response.incomplete"
    events.append((final, {"response": answer}))
    out = []
    for number, (kind, payload) in enumerate(events):
        if Fault.RESPONSES_SEQUENCE_REPEATS in faults and number == len(events) - 1:
            number -= 1
        out.append(_sse(kind, {**payload, "sequence_number": number}))
    return out


def _split(text: str, size: int = 8) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def models(state: EmulatorState, name: str | None) -> Response:
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
            "data": [entry(d.name) for d in state.config.deployments],
        }
    else:
        validation.deployment_named(state, name)
        body = entry(name)
    return Response(
        json.dumps(body, separators=(",", ":")),
        media_type="application/json",
        headers={"apim-request-id": request_id()},
    )
