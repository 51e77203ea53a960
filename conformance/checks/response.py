"""Non-stream response shape and invariants (seed 003 §Non-Streaming Response; seed 004)."""

from __future__ import annotations

import json
from typing import Any

from conformance.checks._common import FINISH_REASONS, basic_chat, is_int, short, token_limit
from conformance.checks.registry import Verdict, clause, fail, inconclusive, needs, ok, skip
from conformance.http.client import Exchange
from conformance.run.context import RunContext

__all__: list[str] = []

_NON_STREAM = ("seed 003", "Non-Streaming Response")
_RESPONSE = ("seed 004", "CreateChatCompletionResponse")


def _completion(
    ctx: RunContext, exchange: Exchange | None = None
) -> tuple[Exchange, dict[str, Any]] | Verdict:
    exchange = exchange or basic_chat(ctx)
    if exchange.status != 200:
        return inconclusive(
            f"the completion request was answered {exchange.status}: {short(exchange.text, 100)}",
            exchange,
        )
    body = exchange.json
    if not isinstance(body, dict):
        return inconclusive("the completion body is not a JSON object", exchange)
    return exchange, body


def _tool_completion(ctx: RunContext) -> tuple[Exchange, dict[str, Any]] | Verdict:
    """The forced tool call's answer (RESP-006, RESP-017)."""
    return _completion(ctx, tool_chat(ctx))


def _choices(body: dict[str, Any]) -> list[dict[str, Any]]:
    choices = body.get("choices")
    return [c for c in choices if isinstance(c, dict)] if isinstance(choices, list) else []


@clause(
    "RESP-001",
    "A non-stream completion has object chat.completion",
    cites=(_NON_STREAM, ("seed 004", "ChatCompletionObject")),
)
@needs(_completion)
def completion_object(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    if body.get("object") == "chat.completion":
        return ok("object: chat.completion", exchange)
    return fail(
        "the completion has the wrong object",
        expected="chat.completion",
        observed=short(body.get("object")),
        where="/object",
        exchange=exchange,
    )


def stop_chat(ctx: RunContext) -> Exchange | None:
    """The basic request again with its answer's second word as stop sequence (or None)."""
    basic = basic_chat(ctx)
    body = basic.json if basic.status == 200 else None
    choices = _choices(body) if isinstance(body, dict) else []
    message = choices[0].get("message") if choices else None
    content = message.get("content") if isinstance(message, dict) else None
    words = content.split() if isinstance(content, str) else []
    if len(words) < 2:
        return None
    stop = words[1]
    return ctx.cached("stop", lambda: ctx.chat(stop=[stop], **token_limit(ctx)))


@clause(
    "RESP-002",
    "choices[].finish_reason is one of stop, length, content_filter, tool_calls",
    cites=(("seed 004", "ChatCompletionFinishReason"),),
)
def finish_reason_values(ctx: RunContext) -> Verdict:
    got = _completion(ctx)
    if isinstance(got, Verdict):
        return got
    # the basic answer may end for length; the stop-sequence answer ends with "stop"
    completions = [got]
    stopped = stop_chat(ctx)
    if stopped is not None and stopped.status == 200 and isinstance(stopped.json, dict):
        completions.append((stopped, stopped.json))
    for exchange, body in completions:
        for i, choice in enumerate(_choices(body)):
            if choice.get("finish_reason") not in FINISH_REASONS:
                return fail(
                    "a finish_reason outside the documented values",
                    expected=" | ".join(FINISH_REASONS),
                    observed=short(choice.get("finish_reason")),
                    where=f"/choices/{i}/finish_reason",
                    exchange=exchange,
                )
    return ok(f"finish_reason values of {len(completions)} answers are documented ones")


@clause(
    "RESP-003",
    "usage.total_tokens equals prompt_tokens + completion_tokens",
    cites=(
        ("seed 004", "CompletionsUsage (total_tokens: prompt + completion)"),
        ("seed 003", "Non-Streaming Response (usage)"),
    ),
)
@needs(_completion)
def usage_sum(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    usage = body.get("usage")
    if not isinstance(usage, dict) or not all(
        is_int(usage.get(k)) for k in ("prompt_tokens", "completion_tokens", "total_tokens")
    ):
        return inconclusive("usage has no integer token counts (see RESP-016)", exchange)
    total = usage["prompt_tokens"] + usage["completion_tokens"]
    if usage["total_tokens"] == total:
        return ok(f"usage adds up ({total})", exchange)
    return fail(
        "usage does not add up",
        expected=f"total_tokens = prompt + completion = {total}",
        observed=f"total_tokens = {usage['total_tokens']}",
        where="/usage/total_tokens",
        exchange=exchange,
    )


@clause(
    "RESP-004",
    "n=2 returns exactly two choices with indexes 0 and 1",
    # n is a request field of the Azure OpenAI specs, not of the Foundry inference API
    surfaces=("dated", "v1"),
    cites=(
        ("seed 004", "Choices (more than one if n is greater than 1)"),
        ("azure-openai spec", "createChatCompletionRequest.n"),
    ),
)
@needs(lambda ctx: _completion(ctx, ctx.chat(n=2, **token_limit(ctx, 8))))
def n_choices(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    indexes = sorted(int(c["index"]) for c in _choices(body) if is_int(c.get("index")))
    if len(_choices(body)) == 2 and indexes == [0, 1]:
        return ok("two choices, indexes 0 and 1", exchange)
    return fail(
        "n=2 did not give two choices indexed 0 and 1",
        expected="2 choices, indexes [0, 1]",
        observed=f"{len(_choices(body))} choices, indexes {indexes}",
        where="/choices",
        exchange=exchange,
    )


@clause(
    "RESP-005",
    "A tiny output cap ends a long answer with finish_reason length within the cap",
    cites=(
        ("seed 004", "ChatCompletionFinishReason (length)"),
        ("seed 003", "Optional Parameters: max_tokens"),
    ),
)
def max_tokens_length(ctx: RunContext) -> Verdict:
    if not token_limit(ctx, 1):
        return skip(
            "a reasoning deployment on the Foundry API accepts no output cap (max_tokens is "
            "refused, max_completion_tokens is not a Foundry field)"
        )
    prompt = "Count from 1 to 50, one number per word."
    got = _completion(
        ctx,
        ctx.chat(messages=[{"role": "user", "content": prompt}], **token_limit(ctx, 1)),
    )
    if isinstance(got, Verdict):
        return got
    exchange, body = got
    choices = _choices(body)
    reason = choices[0].get("finish_reason") if choices else None
    usage = body.get("usage")
    used = usage.get("completion_tokens") if isinstance(usage, dict) else None
    if reason != "length":
        return fail(
            f"{ctx.token_param}=1 on a long answer did not stop for length",
            expected='finish_reason "length"',
            observed=f"finish_reason {short(reason)}",
            where="/choices/0/finish_reason",
            exchange=exchange,
        )
    if ctx.token_param == "max_tokens" and isinstance(used, int) and used > 1:
        return fail(
            "more completion tokens than max_tokens allows",
            expected="completion_tokens <= 1",
            observed=f"completion_tokens = {used}",
            where="/usage/completion_tokens",
            exchange=exchange,
        )
    return ok("finish_reason length within the cap", exchange)


_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def tool_chat(ctx: RunContext) -> Exchange:
    return ctx.cached(
        "tools",
        lambda: ctx.chat(
            messages=[{"role": "user", "content": "What is the weather in Paris?"}],
            tools=[_TOOL],
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
            **token_limit(ctx, 24),
        ),
    )


def _tool_calls(body: dict[str, Any]) -> list[Any]:
    choices = _choices(body)
    message = choices[0].get("message") if choices else None
    calls = message.get("tool_calls") if isinstance(message, dict) else None
    return calls if isinstance(calls, list) else []


@clause(
    "RESP-006",
    "A forced tool call's function.arguments is a JSON string that parses",
    cites=(
        ("seed 004", "Function (arguments: JSON format string)"),
        ("seed 004", "ChatCompletionToolChoiceOption"),
    ),
)
@needs(_tool_completion)
def tool_arguments(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    calls = _tool_calls(body)
    if not calls:
        return fail(
            "a forced tool choice produced no tool call",
            expected="choices[0].message.tool_calls with one call",
            observed=short(_choices(body)[0].get("message") if _choices(body) else body),
            where="/choices/0/message/tool_calls",
            exchange=exchange,
        )
    for i, call in enumerate(calls):
        fn = call.get("function") if isinstance(call, dict) else None
        args = fn.get("arguments") if isinstance(fn, dict) else None
        where = f"/choices/0/message/tool_calls/{i}/function/arguments"
        if not isinstance(args, str):
            return fail(
                "tool call arguments are not a JSON string",
                expected="a string holding JSON",
                observed=f"{type(args).__name__}: {short(args, 80)}",
                where=where,
                exchange=exchange,
            )
        try:
            json.loads(args)
        except ValueError:
            if _choices(body)[0].get("finish_reason") == "length":
                return inconclusive("the arguments were cut off by the token cap", exchange)
            return fail(
                "tool call arguments do not parse as JSON",
                expected="valid JSON",
                observed=short(args, 80),
                where=where,
                exchange=exchange,
            )
    # A call forced by name may end with "stop" on OpenAI-compatible services; an answer
    # without a call is caught above, so both documented reasons are accepted here.
    reason = _choices(body)[0].get("finish_reason")
    if reason not in ("tool_calls", "stop"):
        return fail(
            "a tool call did not end with finish_reason tool_calls",
            expected='"tool_calls"',
            observed=short(reason),
            where="/choices/0/finish_reason",
            exchange=exchange,
        )
    return ok("tool call arguments are a JSON string", exchange)


@clause(
    "RESP-007",
    "JSON mode (response_format json_object) answers a JSON object",
    cites=(("seed 004", "ChatCompletionResponseFormat (json_object)"),),
)
def json_mode(ctx: RunContext) -> Verdict:
    got = _completion(
        ctx,
        ctx.chat(
            messages=[
                {"role": "system", "content": "Answer in JSON."},
                {"role": "user", "content": 'Return {"ok": true} as JSON.'},
            ],
            response_format={"type": "json_object"},
            **token_limit(ctx, 40),
        ),
    )
    if isinstance(got, Verdict):
        return got
    exchange, body = got
    choices = _choices(body)
    message = choices[0].get("message") if choices else None
    content = message.get("content") if isinstance(message, dict) else None
    try:
        parsed = json.loads(content) if isinstance(content, str) else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return ok("JSON mode content parses as an object", exchange)
    if choices and choices[0].get("finish_reason") == "length":
        # seed 004: content may be cut off when finish_reason is length
        return inconclusive("the JSON answer was cut off by the token cap", exchange)
    return fail(
        "JSON mode content is not a JSON object",
        expected="message.content parses as a JSON object",
        observed=short(content, 120),
        where="/choices/0/message/content",
        exchange=exchange,
    )


@clause("RESP-008", "The completion id is a non-empty string", cites=(_RESPONSE, _NON_STREAM))
@needs(_completion)
def completion_id(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    if isinstance(body.get("id"), str) and body["id"]:
        return ok(f"id {body['id']!r}", exchange)
    return fail(
        "the completion has no id",
        expected="non-empty string",
        observed=short(body.get("id")),
        where="/id",
        exchange=exchange,
    )


@clause("RESP-009", "created is an integer Unix timestamp", cites=(_RESPONSE, _NON_STREAM))
@needs(_completion)
def created_int(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    if is_int(body.get("created")) and body["created"] >= 0:
        return ok("created is an integer", exchange)
    return fail(
        "created is not an integer timestamp",
        expected="integer (seconds)",
        observed=short(body.get("created")),
        where="/created",
        exchange=exchange,
    )


@clause("RESP-010", "model is a non-empty string", cites=(_RESPONSE, _NON_STREAM))
@needs(_completion)
def model_named(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    if isinstance(body.get("model"), str) and body["model"]:
        return ok(f"model {body['model']!r}", exchange)
    return fail(
        "the completion names no model",
        expected="non-empty string",
        observed=short(body.get("model")),
        where="/model",
        exchange=exchange,
    )


@clause(
    "RESP-011",
    "choices[].index runs 0, 1, ... in order",
    cites=(("seed 004", "Choices (index)"), _NON_STREAM),
)
@needs(_completion)
def choice_indexes(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    choices = _choices(body)
    indexes = [c.get("index") for c in choices]
    if choices and indexes == list(range(len(choices))):
        return ok(f"indexes {indexes}", exchange)
    return fail(
        "choice indexes are not 0..n-1",
        expected=str(list(range(max(len(choices), 1)))),
        observed=short(indexes),
        where="/choices",
        exchange=exchange,
    )


@clause(
    "RESP-012",
    "message.role is assistant",
    cites=(("seed 004", "ChatCompletionResponseMessage"), _NON_STREAM),
)
@needs(_completion)
def message_role(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    for i, choice in enumerate(_choices(body)):
        message = choice.get("message")
        role = message.get("role") if isinstance(message, dict) else None
        if role != "assistant":
            return fail(
                "an answer message is not from the assistant",
                expected='"assistant"',
                observed=short(role),
                where=f"/choices/{i}/message/role",
                exchange=exchange,
            )
    return ok("role assistant", exchange)


@clause(
    "RESP-013",
    "A non-stream completion is sent as application/json",
    cites=(("seed 003", "Non-Streaming Response (Content-Type application/json)"),),
)
@needs(_completion)
def json_content_type(ctx: RunContext, exchange: Exchange, _body: dict[str, Any]) -> Verdict:
    if exchange.content_type.split(";")[0].strip().lower() == "application/json":
        return ok("Content-Type: application/json", exchange)
    return fail(
        "the completion has the wrong media type",
        expected="application/json",
        observed=exchange.content_type or "(none)",
        where="header:content-type",
        exchange=exchange,
    )


@clause(
    "RESP-014",
    "A stop sequence is honoured: the answer ends before it",
    severity="should",
    cites=(
        ("seed 004", "Request Body: stop"),
        ("seed 004", "ChatCompletionFinishReason (stop: a provided stop sequence)"),
    ),
)
def stop_sequence(ctx: RunContext) -> Verdict:
    got = _completion(ctx)
    if isinstance(got, Verdict):
        return got
    stopped = stop_chat(ctx)
    if stopped is None:
        return inconclusive("the basic answer is too short to pick a stop sequence from")
    stop = stopped.request_body["stop"][0]
    got = _completion(ctx, stopped)
    if isinstance(got, Verdict):
        return got
    exchange, body = got
    choices = _choices(body)
    message = choices[0].get("message") if choices else None
    answer = message.get("content") if isinstance(message, dict) else None
    if isinstance(answer, str) and stop not in answer:
        return ok(f"the answer stops before {stop!r}", exchange)
    return fail(
        "the answer contains its stop sequence",
        expected=f"content without {stop!r}",
        observed=short(answer, 120),
        where="/choices/0/message/content",
        exchange=exchange,
    )


@clause(
    "RESP-015",
    "system_fingerprint, when sent, is a string or null",
    severity="should",
    cites=(_RESPONSE,),
)
@needs(_completion)
def fingerprint(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    value = body.get("system_fingerprint")
    # Azure sends null where the upstream schema says string (a documented spec defect).
    if value is None or isinstance(value, str):
        return ok("system_fingerprint absent, null or a string", exchange)
    return fail(
        "system_fingerprint is not a string",
        expected="string or null",
        observed=short(value),
        where="/system_fingerprint",
        exchange=exchange,
    )


@clause(
    "RESP-016",
    "usage carries non-negative integer token counts",
    cites=(("seed 004", "CompletionUsage"), ("seed 003", "Non-Streaming Response (usage)")),
)
@needs(_completion)
def usage_ints(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    usage = body.get("usage")
    if not isinstance(usage, dict):
        return fail(
            "the completion has no usage",
            expected="usage object",
            observed=short(usage),
            where="/usage",
            exchange=exchange,
        )
    for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
        if not is_int(usage.get(key)) or usage[key] < 0:
            return fail(
                f"usage.{key} is not a non-negative integer",
                expected="integer >= 0",
                observed=short(usage.get(key)),
                where=f"/usage/{key}",
                exchange=exchange,
            )
    return ok("usage counts are integers", exchange)


@clause(
    "RESP-017",
    "A tool call carries an id and type function",
    cites=(("seed 004", "ChatCompletionMessageToolCall"), ("seed 004", "ToolType")),
)
@needs(_tool_completion)
def tool_call_shape(ctx: RunContext, exchange: Exchange, body: dict[str, Any]) -> Verdict:
    calls = _tool_calls(body)
    if not calls:
        return inconclusive("no tool call to inspect (see RESP-006)", exchange)
    for i, call in enumerate(calls):
        if not isinstance(call, dict) or not isinstance(call.get("id"), str) or not call.get("id"):
            return fail(
                "a tool call has no id",
                expected="non-empty string",
                observed=short(call),
                where=f"/choices/0/message/tool_calls/{i}/id",
                exchange=exchange,
            )
        if call.get("type") != "function":
            return fail(
                "a tool call's type is not function",
                expected='"function"',
                observed=short(call.get("type")),
                where=f"/choices/0/message/tool_calls/{i}/type",
                exchange=exchange,
            )
    return ok("tool calls carry id and type", exchange)
