"""The Responses API on v1 (seed 001 §Using the responses API; seed 002 v1 API support).

Three shared requests: a small non-stream answer, the same request streamed, and one cut
short by ``max_output_tokens``. Shapes follow the v1 spec's ``AzureResponse`` and the
OpenAI API reference's Responses streaming events (``response.created`` ...
``response.completed``/``response.incomplete``, each with a ``sequence_number``).
"""

from __future__ import annotations

from typing import Any

from conformance.checks._common import is_int, short
from conformance.checks.registry import Verdict, clause, fail, inconclusive, needs, ok
from conformance.http.client import Exchange
from conformance.run.context import RunContext

__all__: list[str] = []

_PATH = "/openai/v1/responses"
_SEED_001 = ("seed 001", "Using the responses API")
_SEED_002 = ("seed 002", "v1 API support (Responses: GA)")
_SPEC = ("azure-openai-v1", "#/components/schemas/AzureResponse")
_EVENTS = ("OpenAI API reference", "Responses: Streaming events")
_PROMPT = "Say hello."
_LONG = "Describe the water cycle in detail, in at least three paragraphs."


def _request(ctx: RunContext, key: str, **fields: Any) -> Exchange:
    body = {"model": ctx.deployment, "input": _PROMPT, "max_output_tokens": 16, **fields}
    return ctx.cached(key, lambda: ctx.send("POST", _PATH, params={}, json_body=body))


def _answer(ctx: RunContext, key: str, **fields: Any) -> tuple[Exchange, dict[str, Any]] | Verdict:
    exchange = _request(ctx, key, **fields)
    body = exchange.json
    if exchange.status != 200 or not isinstance(body, dict):
        return inconclusive(
            f"POST {_PATH} was answered {exchange.status} (V1-002 checks that it is served)",
            exchange,
        )
    return exchange, body


def _basic_answer(ctx: RunContext) -> tuple[Exchange, dict[str, Any]] | Verdict:
    """The plain request's answer (the RESPONSES clauses that read its body)."""
    return _answer(ctx, "responses-basic")


def _streamed(ctx: RunContext) -> tuple[Exchange, list[dict[str, Any]]] | Verdict:
    exchange = _request(ctx, "responses-stream", stream=True)
    if exchange.status != 200:
        return inconclusive(f"the streamed request was answered {exchange.status}", exchange)
    events = [e.json for e in exchange.events if isinstance(e.json, dict)]
    if not events:
        return inconclusive("the stream carries no JSON events", exchange)
    return exchange, events


def _final(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    last = events[-1]
    response = last.get("response")
    if last.get("type") in ("response.completed", "response.incomplete"):
        return response if isinstance(response, dict) else None
    return None


def _type_problem(response: dict[str, Any]) -> tuple[str, str] | None:
    """(where, what) of the first output item or content part of the wrong type."""
    for i, item in enumerate(response.get("output") or []):
        if not isinstance(item, dict):
            return f"/output/{i}", short(item)
        if item.get("type") == "message":
            if item.get("role") != "assistant":
                return f"/output/{i}/role", short(item.get("role"))
            for j, part in enumerate(item.get("content") or []):
                if not isinstance(part, dict) or part.get("type") not in ("output_text", "refusal"):
                    return f"/output/{i}/content/{j}/type", short(
                        part.get("type") if isinstance(part, dict) else part
                    )
        elif item.get("type") not in ("function_call", "reasoning"):
            return f"/output/{i}/type", short(item.get("type"))
    return None


@clause(
    "RESPONSES-001",
    "Responses: output items are messages (role assistant) whose content parts are output_text",
    surfaces=("v1",),
    cites=(_SEED_001, (_SPEC[0], "#/components/schemas/OpenAI.OutputItem"), _EVENTS),
)
@needs(_basic_answer)
def output_types(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    streamed = _streamed(ctx)
    answers = [("non-stream", exchange, body)]
    if not isinstance(streamed, Verdict) and _final(streamed[1]) is not None:
        answers.append(("stream", streamed[0], _final(streamed[1]) or {}))
    for label, ex, response in answers:
        if not any(
            isinstance(i, dict) and i.get("type") == "message" for i in response.get("output") or []
        ):
            return fail(
                f"the {label} answer has no message output item",
                expected='an output item {"type": "message", "content": [{"type": "output_text"}]}',
                observed=short(response.get("output")),
                where="/output",
                exchange=ex,
            )
        problem = _type_problem(response)
        if problem is not None:
            return fail(
                f"the {label} answer has an output item or content part of the wrong type",
                expected="message items (role assistant) with output_text parts",
                observed=problem[1],
                where=problem[0],
                exchange=ex,
            )
    return ok("message items with output_text parts (non-stream and stream)", exchange)


@clause(
    "RESPONSES-002",
    "Responses: status and incomplete_details agree; max_output_tokens cuts to incomplete",
    surfaces=("v1",),
    cites=(_SEED_001, (_SPEC[0], "#/components/schemas/AzureResponse/properties/status")),
)
def status_consistency(ctx: RunContext) -> Verdict:
    for key, fields in (
        ("responses-basic", {}),
        ("responses-cut", {"input": _LONG, "max_output_tokens": 16}),
    ):
        got = _answer(ctx, key, **fields)
        if isinstance(got, Verdict):
            return got
        exchange, body = got
        status, details = body.get("status"), body.get("incomplete_details")
        items = [i for i in body.get("output") or [] if isinstance(i, dict)]
        if (status == "incomplete") != isinstance(details, dict):
            return fail(
                "status and incomplete_details disagree",
                expected="incomplete_details set exactly when status is incomplete",
                observed=f"status {status!r}, incomplete_details {short(details)}",
                where="/incomplete_details",
                exchange=exchange,
            )
        if status == "completed" and any(i.get("status") == "incomplete" for i in items):
            return fail(
                "the response is completed while an output item is incomplete",
                expected='status "incomplete" with incomplete_details.reason max_output_tokens',
                observed=f"status {status!r}; item status incomplete",
                where="/status",
                exchange=exchange,
            )
    return ok("status agrees with incomplete_details and the items", exchange)


def _usage_problem(usage: Any) -> str | None:
    if not isinstance(usage, dict):
        return f"no usage object ({short(usage)})"
    fields = ("input_tokens", "output_tokens", "total_tokens")
    if not all(is_int(usage.get(k)) for k in fields):
        return f"non-integer totals {short(usage)}"
    if usage["total_tokens"] != usage["input_tokens"] + usage["output_tokens"]:
        return (
            f"total_tokens {usage['total_tokens']} != input_tokens {usage['input_tokens']} + "
            f"output_tokens {usage['output_tokens']}"
        )
    return None


@clause(
    "RESPONSES-003",
    "Responses: usage.total_tokens = input_tokens + output_tokens (non-stream and on completion)",
    surfaces=("v1",),
    cites=(_SEED_001, (_SPEC[0], "#/components/schemas/OpenAI.ResponseUsage")),
)
@needs(_basic_answer)
def usage_arithmetic(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    problem = _usage_problem(body.get("usage"))
    if problem is None:
        streamed = _streamed(ctx)
        if not isinstance(streamed, Verdict) and _final(streamed[1]) is not None:
            exchange = streamed[0]
            problem = _usage_problem((_final(streamed[1]) or {}).get("usage"))
    if problem is not None:
        return fail(
            "the usage arithmetic does not add up",
            expected="total_tokens = input_tokens + output_tokens",
            observed=problem,
            where="/usage",
            exchange=exchange,
        )
    return ok("usage adds up", exchange)


_OPENING = ("response.created", "response.in_progress")
_TERMINAL = ("response.completed", "response.incomplete", "response.failed")


def _sequence_problem(events: list[dict[str, Any]]) -> tuple[str, str, str] | None:
    """(where, expected, observed) of the first departure from the documented sequence."""
    types = [e.get("type") for e in events]
    if tuple(types[:2]) != _OPENING:
        return "/events/0/type", " then ".join(_OPENING), short(types[:2])
    if types[-1] not in _TERMINAL or any(t in _TERMINAL for t in types[:-1]):
        return f"/events/{len(types) - 1}/type", "one terminal event, last", short(types[-3:])
    numbers = [e.get("sequence_number") for e in events]
    for i, number in enumerate(numbers):
        if not is_int(number) or (i and number <= numbers[i - 1]):  # type: ignore[operator]
            return (
                f"/events/{i}/sequence_number",
                "strictly increasing integers",
                f"{numbers[i - 1] if i else None} then {number}",
            )
    opened: set[tuple[Any, Any]] = set()
    text: dict[tuple[Any, Any], str] = {}
    for i, event in enumerate(events):
        kind = event.get("type")
        key = (event.get("output_index"), event.get("content_index"))
        if kind == "response.content_part.added":
            opened.add(key)
        elif kind == "response.output_text.delta":
            if key not in opened:
                return f"/events/{i}", "content_part.added before its deltas", "a delta first"
            text[key] = text.get(key, "") + str(event.get("delta", ""))
        elif kind == "response.output_text.done" and event.get("text") != text.get(key, ""):
            return (
                f"/events/{i}/text",
                "output_text.done text = the concatenated deltas",
                short(event.get("text"), 60) + " vs " + short(text.get(key, ""), 60),
            )
    return None


@clause(
    "RESPONSES-004",
    "Responses stream: documented event sequence, increasing sequence_number, deltas make "
    "the final text, final response shaped like the non-stream one",
    surfaces=("v1",),
    cites=(_EVENTS, _SEED_001, ("WHATWG HTML", "9.2.6 Interpreting an event stream")),
)
@needs(_streamed)
def stream_sequence(ctx: RunContext, exchange: Exchange, events: list[dict[str, Any]]) -> Verdict:
    problem = _sequence_problem(events)
    if problem is None:
        final = _final(events) or {}
        texts = [
            p.get("text")
            for item in final.get("output") or []
            if isinstance(item, dict)
            for p in item.get("content") or []
            if isinstance(p, dict)
        ]
        deltas = "".join(
            str(e.get("delta", "")) for e in events if e.get("type") == "response.output_text.delta"
        )
        if "".join(t for t in texts if isinstance(t, str)) != deltas:
            problem = (
                "/events/*/delta",
                "deltas concatenating to the final text",
                short(deltas, 80),
            )
        got = _basic_answer(ctx)
        if problem is None and not isinstance(got, Verdict):
            plain = got[1]
            if sorted(plain) != sorted(final) or [
                i.get("type") for i in plain.get("output") or []
            ] != [i.get("type") for i in final.get("output") or []]:
                problem = (
                    "/events/-1/response",
                    "the final response with the non-stream answer's fields and item types",
                    short(sorted(set(plain) ^ set(final))),
                )
    if problem is not None:
        where, expected, observed = problem
        return fail(
            "the Responses stream departs from the documented sequence",
            expected=expected,
            observed=observed,
            where=where,
            exchange=exchange,
        )
    return ok(f"{len(events)} events in the documented order", exchange)
