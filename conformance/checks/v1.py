"""The v1 surface beyond chat completions: /models and /responses (seeds 001, 002)."""

from __future__ import annotations

from conformance.checks._common import short
from conformance.checks.registry import Verdict, clause, fail, inconclusive, ok
from conformance.run.context import RunContext

__all__: list[str] = []

_V1_TABLE = ("seed 002", "v1 API support (Status)")


@clause(
    "V1-001",
    "v1: GET /openai/v1/models answers a list of models with ids",
    surfaces=("v1",),
    cites=(_V1_TABLE,),
)
def models_list(ctx: RunContext) -> Verdict:
    exchange = ctx.cached("v1-models", lambda: ctx.send("GET", "/openai/v1/models", params={}))
    if exchange.status != 200:
        return fail(
            "GET /openai/v1/models was not served",
            expected="200",
            observed=f"{exchange.status} {short(exchange.text, 100)}",
            where="status",
            exchange=exchange,
        )
    body = exchange.json
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(body, dict) or body.get("object") != "list" or not isinstance(data, list):
        return fail(
            "the models answer is not a list object",
            expected='{"object": "list", "data": [...]}',
            observed=short(body),
            where="/object",
            exchange=exchange,
        )
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            return fail(
                "a model entry has no id",
                expected="data[].id: string",
                observed=short(item),
                where=f"/data/{i}/id",
                exchange=exchange,
            )
    return ok(f"{len(data)} models listed", exchange)


@clause(
    "V1-002",
    "v1: POST /openai/v1/responses answers a response object with output",
    surfaces=("v1",),
    cites=(_V1_TABLE, ("seed 001", "Using the responses API")),
)
def responses_basic(ctx: RunContext) -> Verdict:
    exchange = ctx.send(
        "POST",
        "/openai/v1/responses",
        params={},
        json_body={"model": ctx.deployment, "input": "Say hello.", "max_output_tokens": 16},
    )
    if exchange.status >= 500:
        return inconclusive(f"answered {exchange.status}", exchange)
    body = exchange.json
    if exchange.status != 200 or not isinstance(body, dict):
        return fail(
            "POST /openai/v1/responses was not served",
            expected="200 with a response object",
            observed=f"{exchange.status} {short(exchange.text, 100)}",
            where="status",
            exchange=exchange,
        )
    if body.get("object") != "response":
        return fail(
            "the responses answer has the wrong object",
            expected='"response"',
            observed=short(body.get("object")),
            where="/object",
            exchange=exchange,
        )
    if not isinstance(body.get("output"), list) or not isinstance(body.get("id"), str):
        return fail(
            "the response has no id or output list",
            expected="id: string, output: [...]",
            observed=short(body),
            where="/output",
            exchange=exchange,
        )
    return ok("a response object with output", exchange)
