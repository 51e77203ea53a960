"""Requests several clauses share, and small helpers for reading answers.

Each shared request is made at most once per surface (``RunContext.cached``); every
request is tiny (a few output tokens) because live targets cost money (DESIGN "Live
targets cost money").
"""

from __future__ import annotations

import json
from typing import Any

from conformance.http.client import Exchange
from conformance.run.context import RunContext

__all__ = [
    "SMALL",
    "basic_chat",
    "stream_chat",
    "unauthenticated_chat",
    "wrong_key_chat",
    "error_exchanges",
    "error_object",
    "token_limit",
    "short",
    "FINISH_REASONS",
    "is_int",
]

# Output tokens of an ordinary check request: enough for a short answer, cheap live.
SMALL = 16
BOGUS_KEY = "aoai-conformance-wrong-key-00000000"

# seed 004 §ChatCompletionFinishReason
FINISH_REASONS = ("stop", "length", "content_filter", "tool_calls")


def token_limit(ctx: RunContext, limit: int = SMALL) -> dict[str, Any]:
    """The output-token cap in the form the deployment accepts.

    Reasoning deployments reject ``max_tokens`` and take ``max_completion_tokens``
    (seed 002 §Changes between 2024-09-01-preview and 2024-08-01-preview).
    """
    if ctx.surface == "foundry" and ctx.token_param != "max_tokens":
        # the Foundry inference API has max_tokens only (seed 004 §Request Body), which a
        # reasoning deployment refuses: send no cap rather than an unknown parameter
        return {}
    return {ctx.token_param: limit}


def basic_chat(ctx: RunContext) -> Exchange:
    """One small non-stream completion (RESP-001..003 and the shape clauses)."""
    return ctx.cached("basic", lambda: ctx.chat(**token_limit(ctx)))


def stream_chat(ctx: RunContext) -> Exchange:
    """One small stream with ``stream_options.include_usage`` (the STREAM clauses)."""
    # stream_options exists in the Azure OpenAI specs (seed 002: added in 2024-09-01-preview)
    # but not in the Foundry inference API (seed 004 §Request Body), which refuses it.
    options: dict[str, Any] = (
        {} if ctx.surface == "foundry" else {"stream_options": {"include_usage": True}}
    )
    return ctx.cached("stream", lambda: ctx.chat(stream=True, **options, **token_limit(ctx)))


def unauthenticated_chat(ctx: RunContext) -> Exchange:
    """The basic request with no credentials at all (AUTH-001, ERR-001/002)."""

    def make() -> Exchange:
        return ctx.send(
            "POST",
            ctx.chat_path(),
            json_body=ctx.chat_body(**token_limit(ctx)),
            headers=ctx.chat_headers(),
            auth=False,
            expect_status=(401,),
        )

    return ctx.cached("no-auth", make)


def wrong_key_chat(ctx: RunContext) -> Exchange:
    """The basic request with a wrong api-key (AUTH-002, AUTH-003)."""

    def make() -> Exchange:
        return ctx.send(
            "POST",
            ctx.chat_path(),
            json_body=ctx.chat_body(**token_limit(ctx)),
            headers={**ctx.chat_headers(), "api-key": BOGUS_KEY},
            auth=False,
            expect_status=(401,),
        )

    return ctx.cached("wrong-key", make)


def unknown_deployment_chat(ctx: RunContext) -> Exchange:
    """A chat request naming a deployment that does not exist (ROUTE-002)."""
    name = "aoai-conformance-no-such-deployment"

    def make() -> Exchange:
        if ctx.surface == "foundry":
            return ctx.chat(
                deployment=name,
                headers={"azureml-model-deployment": name},
                expect_status=(404, 400),
                **token_limit(ctx),
            )
        return ctx.chat(deployment=name, expect_status=(404,), **token_limit(ctx))

    return ctx.cached("unknown-deployment", make)


def error_exchanges(ctx: RunContext) -> list[Exchange]:
    """The error answers already gathered on this surface (>= 400, not 429/5xx)."""
    seen = [e for e in ctx.http.exchanges if 400 <= e.status < 500 and e.status != 429]
    return seen


def error_object(exchange: Exchange) -> dict[str, Any] | None:
    """The ``error`` object of an error body, or None when the envelope is missing."""
    body = exchange.json
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"]
    return None


def short(value: Any, limit: int = 160) -> str:
    """A one-line rendering of an observed value for a report."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
