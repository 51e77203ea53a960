"""Chat completions: one handler for every surface, non-stream and stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from conformance.emulator import content_filter, validation
from conformance.emulator.config import Deployment, EmulatorConfig
from conformance.emulator.errors import ApiError
from conformance.emulator.faults import Fault
from conformance.emulator.generate import Completion, complete
from conformance.emulator.ids import request_id
from conformance.emulator.render import completion_body, stream_events
from conformance.emulator.state import EmulatorState
from conformance.emulator.surfaces import FOUNDRY, GATEWAY, Surface

__all__ = ["chat", "generate", "rate_limit", "JSONBytes"]


def rate_limit(state: EmulatorState, deployment: Deployment, tokens: int) -> dict[str, str]:
    """The rate-limit headers of an admitted request, or a 429 (seed 004 §429)."""
    decision = state.limiter.check(deployment, tokens)
    if decision is None:
        return {}
    if decision.allowed:
        return decision.headers()
    headers = decision.headers()
    state.throttled += 1
    if not state.config.has(Fault.NO_RETRY_AFTER):
        # seed 004 §429 Too Many Requests: the client must pace its requests
        headers.update(state.limiter.retry_after_header(decision.retry_after))
    raise ApiError(
        429,
        "429",
        f"Requests to deployment '{deployment.name}' have exceeded its rate limit "
        f"({_limits(deployment)}). Retry after {max(1, round(decision.retry_after))} "
        "second(s).",
        headers=headers,
    )


def generate(
    config: EmulatorConfig, body: dict[str, Any], deployment: Deployment, default_temperature: float
) -> Completion:
    family = deployment.model_family
    return complete(
        body,
        deployment=deployment.name,
        reasoning=deployment.reasoning or family.reasoning_content,
        visible_reasoning=family.reasoning_content,
        reasoning_effort=family.reasoning_effort,
        default_temperature=default_temperature,
        ignore_n=config.has(Fault.N_IGNORED),
        ignore_max_tokens=config.has(Fault.MAX_TOKENS_IGNORED),
        json_mode_prose=config.has(Fault.JSON_MODE_NOT_JSON),
    )


async def chat(
    state: EmulatorState, request: Request, surface: Surface, deployment: Deployment | None
) -> Response:
    """``POST .../chat/completions`` once the route, api-version and credentials are known."""
    config = state.config
    body = await validation.read_body(state, request, surface)
    if surface.name == FOUNDRY:
        body = validation.foundry_extra_parameters(state, request, surface, body)
    validation.validate(state, surface, body)
    if deployment is None:  # v1 and Foundry (DEPLOYMENT_IN_BODY): the body's model names it
        deployment = validation.body_deployment(state, surface, body)
    body = validation.model_rules(state, deployment, body)
    filtered = content_filter.triggered(body)
    if filtered and not config.has(Fault.CONTENT_FILTER_200):
        raise content_filter.content_filter_error()
    validation.tool_choice(body)
    validation.ranges(body)
    n = body.get("n") or 1
    budget = body.get("max_completion_tokens") or body.get("max_tokens") or 16
    completion = generate(config, body, deployment, 0.7 if surface.name == GATEWAY else 1.0)
    headers = rate_limit(state, deployment, completion.prompt_tokens + int(budget) * int(n))
    if filtered:  # fault content-filter-200 only
        for choice in completion.choices:
            choice.content, choice.finish_reason, choice.tool_calls = "", "content_filter", []
            choice.completion_tokens = 0
    if surface.name == FOUNDRY:
        # the Model Inference API returns the reasoning in the content, within <think>
        # tags (model_families REASONING_HOWTO §Reasoning content)
        for choice in completion.choices:
            if choice.reasoning is not None:
                answer = choice.content or ""
                choice.content = f"<think>\n{choice.reasoning}\n</think>\n\n{answer}"
                choice.reasoning = None
    headers["apim-request-id"] = request_id()
    render = state.renders[deployment.name]
    if body.get("stream") is True:
        options = body.get("stream_options") or {}
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        events = stream_events(
            completion,
            render,
            include_usage=include_usage,
            full_tool_deltas=surface.name == FOUNDRY,
        )
        media = (
            "application/json"
            if config.has(Fault.STREAM_CONTENT_TYPE_JSON)
            else "text/event-stream"
        )
        headers["cache-control"] = "no-cache"
        events = _framing_faults(config, events)
        return StreamingResponse(_paced(config, events), media_type=media, headers=headers)
    return JSONBytes(completion_body(completion, render), headers)


def _framing_faults(config: EmulatorConfig, events: Iterator[bytes]) -> Iterator[bytes]:
    """Faults stream-single-newline and stream-bare-keepalive (strict SSE framing)."""
    if config.has(Fault.STREAM_BARE_KEEPALIVE):
        yield b"ping\n\n"
    single = config.has(Fault.STREAM_SINGLE_NEWLINE)
    for event in events:
        yield event[:-1] if single and event.endswith(b"\n\n") else event


async def _paced(config: EmulatorConfig, events: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The events, one write each when paced; without a delay, up to ``stream_batch``
    events share one write (the bytes on the wire are the same SSE events)."""
    delay = config.stream_delay
    if delay:
        for event in events:
            yield event
            await asyncio.sleep(delay)
        return
    batch = max(1, config.stream_batch)
    pending: list[bytes] = []
    for event in events:
        pending.append(event)
        if len(pending) >= batch:
            yield b"".join(pending)
            pending.clear()
    if pending:
        yield b"".join(pending)


class JSONBytes(Response):
    """A 200 ``application/json`` answer whose raw headers are built directly (hot path)."""

    media_type = "application/json"

    def __init__(self, body: bytes, headers: dict[str, str]) -> None:
        self.status_code = 200
        self.background = None
        self.body = body
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw.append((b"content-length", str(len(body)).encode("latin-1")))
        raw.append((b"content-type", b"application/json"))
        self.raw_headers = raw


def _limits(deployment: Deployment) -> str:
    parts = []
    if deployment.rpm is not None:
        parts.append(f"{deployment.rpm} requests")
    if deployment.tpm is not None:
        parts.append(f"{deployment.tpm} tokens")
    return " and ".join(parts) + f" per {deployment.window_seconds:g} s"
