"""Streaming framing and chunk content (seed 003 §Streaming Response; seed 004 stream).

All STREAM clauses read one shared stream requested with
``stream_options.include_usage``. Each clause asserts only its own property, so that a
server breaking one property fails one clause.
"""

from __future__ import annotations

from typing import Any

from conformance.checks._common import is_int, short, stream_chat
from conformance.checks.registry import Verdict, clause, fail, inconclusive, needs, ok
from conformance.http.client import Exchange
from conformance.http.sse import SseEvent, parse_strict
from conformance.run.context import RunContext

__all__: list[str] = []

_STREAMING = ("seed 003", "Response Formats: Streaming Response")
_CHUNKS = ("seed 003", "Example streaming chunks")


def _stream(ctx: RunContext) -> tuple[Exchange, list[SseEvent]] | Verdict:
    exchange = stream_chat(ctx)
    if exchange.status != 200:
        return inconclusive(
            f"the stream request was answered {exchange.status}: {short(exchange.text, 100)}",
            exchange,
        )
    events = exchange.events
    if not events:
        return fail(
            "the stream carries no data: events",
            expected="data: {chunk} events",
            observed=short(exchange.text),
            where="/",
            exchange=exchange,
        )
    return exchange, events


def _chunks(events: list[SseEvent]) -> list[tuple[int, dict[str, Any]]]:
    """(event index, chunk) of every parseable JSON object event."""
    return [(i, e.json) for i, e in enumerate(events) if isinstance(e.json, dict)]


def _annotation_only(chunk: dict[str, Any]) -> bool:
    # Azure sends a leading chunk with empty choices and only prompt_filter_results (the
    # content-filter annotation); it is not a completion chunk.
    return not chunk.get("choices") and "prompt_filter_results" in chunk and not chunk.get("usage")


@clause(
    "STREAM-001",
    "stream=true is answered with Content-Type text/event-stream",
    cites=(_STREAMING,),
)
def content_type(ctx: RunContext) -> Verdict:
    exchange = stream_chat(ctx)
    if exchange.status != 200:
        return inconclusive(f"the stream request was answered {exchange.status}", exchange)
    if exchange.content_type.split(";")[0].strip().lower() == "text/event-stream":
        return ok("Content-Type: text/event-stream", exchange)
    return fail(
        "a stream was sent with the wrong media type",
        expected="text/event-stream",
        observed=exchange.content_type or "(none)",
        where="header:content-type",
        exchange=exchange,
    )


@clause(
    "STREAM-002",
    "Every data: line except [DONE] is valid JSON",
    cites=(("seed 003", "Example streaming chunks (its 4th chunk is invalid JSON)"), _STREAMING),
)
@needs(_stream)
def chunks_parse(ctx: RunContext, exchange: Exchange, events: list[SseEvent]) -> Verdict:
    for i, event in enumerate(events):
        if not event.done and event.json is None:
            return fail(
                f"data: event {i} is not valid JSON ({event.parse_error})",
                expected="a JSON object per data: line",
                observed=short(event.data, 120),
                where=f"/events/{i}",
                exchange=exchange,
            )
    return ok(f"{len(events)} events parse", exchange)


@clause(
    "STREAM-003",
    "Every chunk has object chat.completion.chunk",
    cites=(_CHUNKS, ("seed 004", "stream")),
)
@needs(_stream)
def chunk_object(ctx: RunContext, exchange: Exchange, events: list[SseEvent]) -> Verdict:
    for i, chunk in _chunks(events):
        if _annotation_only(chunk):
            continue
        if chunk.get("object") != "chat.completion.chunk":
            return fail(
                f"chunk {i} has the wrong object",
                expected="chat.completion.chunk",
                observed=short(chunk.get("object")),
                where=f"/events/{i}/object",
                exchange=exchange,
            )
    return ok("every chunk is a chat.completion.chunk", exchange)


@clause(
    "STREAM-004",
    "The first chunk's delta carries role assistant",
    cites=(_CHUNKS,),
)
@needs(_stream)
def first_delta_role(ctx: RunContext, exchange: Exchange, events: list[SseEvent]) -> Verdict:
    for i, chunk in _chunks(events):
        choices = chunk.get("choices")
        if not isinstance(choices, list) or not choices:
            continue
        delta = choices[0].get("delta") if isinstance(choices[0], dict) else None
        role = delta.get("role") if isinstance(delta, dict) else None
        if role == "assistant":
            return ok("the first delta carries role assistant", exchange)
        return fail(
            "the first chunk with choices carries no assistant role",
            expected='delta.role: "assistant"',
            observed=short(delta),
            where=f"/events/{i}/choices/0/delta/role",
            exchange=exchange,
        )
    return inconclusive("no chunk with choices to inspect", exchange)


@clause(
    "STREAM-005",
    "A chunk carries a non-null finish_reason at the end",
    cites=(_CHUNKS, ("seed 004", "ChatCompletionFinishReason")),
)
@needs(_stream)
def finish_reason_present(ctx: RunContext, exchange: Exchange, events: list[SseEvent]) -> Verdict:
    for _i, chunk in _chunks(events):
        for choice in chunk.get("choices") or []:
            if isinstance(choice, dict) and choice.get("finish_reason") is not None:
                return ok(f"finish_reason {choice['finish_reason']!r} sent", exchange)
    return fail(
        "no chunk carries a finish_reason",
        expected="a chunk with a non-null choices[].finish_reason",
        observed="every finish_reason is null or absent",
        where="/events/*/choices/0/finish_reason",
        exchange=exchange,
    )


@clause(
    "STREAM-006",
    "With stream_options.include_usage a usage chunk (empty choices) precedes [DONE]",
    surfaces=("dated", "v1"),
    cites=(
        ("seed 003", "Request Body: stream_options"),
        ("seed 002", "stream_options & include_usage"),
    ),
)
@needs(_stream)
def usage_chunk(ctx: RunContext, exchange: Exchange, events: list[SseEvent]) -> Verdict:
    for i, chunk in _chunks(events):
        usage = chunk.get("usage")
        if isinstance(usage, dict) and chunk.get("choices") == []:
            fields = ("prompt_tokens", "completion_tokens", "total_tokens")
            if all(is_int(usage.get(k)) for k in fields):
                return ok("a usage chunk with token totals is sent", exchange)
            return fail(
                "the usage chunk lacks integer token totals",
                expected="usage.prompt_tokens/completion_tokens/total_tokens integers",
                observed=short(usage),
                where=f"/events/{i}/usage",
                exchange=exchange,
            )
    carrying = [(i, c) for i, c in _chunks(events) if isinstance(c.get("usage"), dict)]
    if carrying:
        i, chunk = carrying[-1]
        return fail(
            "the usage chunk does not have empty choices",
            expected='the usage chunk has "choices": []',
            observed=f"choices: {short(chunk.get('choices'), 100)}",
            where=f"/events/{i}/choices",
            exchange=exchange,
        )
    return fail(
        "include_usage was requested but no usage chunk was sent",
        expected='a chunk with "choices": [] and "usage": {...} before [DONE]',
        observed="no such chunk",
        where="/events/*/usage",
        exchange=exchange,
    )


@clause(
    "STREAM-007",
    "data: [DONE] is the last event",
    cites=(("seed 003", "Final chunk"), ("seed 004", "stream (terminated by data: [DONE])")),
)
@needs(_stream)
def done_last(ctx: RunContext, exchange: Exchange, events: list[SseEvent]) -> Verdict:
    if events[-1].done:
        return ok("the stream ends with data: [DONE]", exchange)
    done_at = [i for i, e in enumerate(events) if e.done]
    return fail(
        "the stream does not end with data: [DONE]",
        expected="data: [DONE] as the last event",
        observed=(
            f"[DONE] at event {done_at[0]} of {len(events)}" if done_at else "no [DONE] event"
        ),
        where=f"/events/{len(events) - 1}",
        exchange=exchange,
    )


@clause(
    "STREAM-008",
    "All chunks of one stream share one id",
    cites=(_CHUNKS,),
)
@needs(_stream)
def one_id(ctx: RunContext, exchange: Exchange, events: list[SseEvent]) -> Verdict:
    ids = {chunk.get("id") for _i, chunk in _chunks(events) if not _annotation_only(chunk)}
    if len(ids) == 1 and isinstance(next(iter(ids)), str) and next(iter(ids)):
        return ok(f"every chunk has id {next(iter(ids))!r}", exchange)
    return fail(
        "the chunks of one stream do not share one non-empty id",
        expected="one id for every chunk",
        observed=short(sorted(str(i) for i in ids)),
        where="/events/*/id",
        exchange=exchange,
    )


@clause(
    "STREAM-009",
    "Every chunk carries an integer created and a model",
    cites=(_CHUNKS,),
)
@needs(_stream)
def created_and_model(ctx: RunContext, exchange: Exchange, events: list[SseEvent]) -> Verdict:
    for i, chunk in _chunks(events):
        if _annotation_only(chunk):
            continue
        if not is_int(chunk.get("created")):
            return fail(
                f"chunk {i} has no integer created",
                expected="created: Unix timestamp (integer)",
                observed=short(chunk.get("created")),
                where=f"/events/{i}/created",
                exchange=exchange,
            )
        if not isinstance(chunk.get("model"), str):
            return fail(
                f"chunk {i} has no model",
                expected="model: string",
                observed=short(chunk.get("model")),
                where=f"/events/{i}/model",
                exchange=exchange,
            )
    return ok("every chunk carries created and model", exchange)


@clause(
    "STREAM-010",
    "The content deltas add up to a non-empty answer",
    severity="should",
    cites=(("seed 003", "Implementation Notes: Concatenate all content chunks"),),
)
@needs(_stream)
def content_concatenates(ctx: RunContext, exchange: Exchange, events: list[SseEvent]) -> Verdict:
    text, reasons = "", set()
    for _i, chunk in _chunks(events):
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict):
                continue
            reasons.add(choice.get("finish_reason"))
            delta = choice.get("delta")
            if isinstance(delta, dict) and isinstance(delta.get("content"), str):
                text += delta["content"]
    if text.strip():
        return ok(f"streamed answer: {short(text, 60)}", exchange)
    if "length" in reasons and ctx.token_param == "max_completion_tokens":
        # a reasoning deployment can spend the whole small cap on hidden reasoning tokens
        return inconclusive("the token cap ran out before any content was produced", exchange)
    return fail(
        "the streamed deltas carry no content",
        expected="choices[0].delta.content pieces forming the answer",
        observed="no content",
        where="/events/*/choices/0/delta/content",
        exchange=exchange,
    )


# -- framing, read strictly (conformance.http.sse) ------------------------------------------
_WHATWG = ("WHATWG HTML", "9.2.6 Interpreting an event stream")
_SSE_004 = ("seed 004", "stream (data-only server-sent events)")


def _framing(ctx: RunContext, kinds: tuple[str, ...], what: str) -> Verdict:
    exchange = stream_chat(ctx)
    if exchange.status != 200:
        return inconclusive(f"the stream request was answered {exchange.status}", exchange)
    found = [v for v in parse_strict(exchange.text).violations if v.kind in kinds]
    if not found:
        return ok(what, exchange)
    first = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return fail(
        f"{first.message}{more}",
        expected=what,
        observed="; ".join(f"at character {v.offset}: {v.snippet}" for v in found[:3]),
        where=f"/stream@{first.offset}",
        exchange=exchange,
    )


@clause(
    "STREAM-011",
    "Every event of the stream ends with a blank line",
    cites=(("seed 003", "Example streaming chunks (separated by blank lines)"), _SSE_004, _WHATWG),
)
def events_terminated(ctx: RunContext) -> Verdict:
    return _framing(
        ctx,
        ("run-together", "unterminated"),
        "each data: event followed by a blank line (the last one too)",
    )


@clause(
    "STREAM-012",
    "Every line of the stream is a comment or a data:, event:, id: or retry: field",
    cites=(("seed 003", "Each chunk format: data: {json_object}"), _SSE_004, _WHATWG),
)
def lines_are_fields(ctx: RunContext) -> Verdict:
    return _framing(ctx, ("unknown-field",), "only comments and known fields")
