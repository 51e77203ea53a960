"""Turning a :class:`Completion` into a chat.completion body or a stream of SSE events.

Shapes: seed 003 §Response Formats (non-streaming body; streaming ``data:`` chunks with
the role in the first delta, a final finish_reason and ``data: [DONE]``), seed 004
§Sample Response, and the upstream response schemas (``createChatCompletionResponse``,
``createChatCompletionStreamResponse``). The ``faults`` flags each break one clause.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from conformance.emulator.generate import Choice, Completion, pieces
from conformance.emulator.ids import completion_id

__all__ = ["Render", "completion_body", "stream_events", "usage_of"]

_DUMPS = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_STR = _DUMPS  # a str encodes as a JSON string literal
FINGERPRINT = "fp_emulator"
# seed 003's own example chunk: invalid JSON (used by the stream-bad-json-chunk fault only)
_SEED_003_BAD_CHUNK = b'data: {"choices":[{"delta":{"},"index":0,"finish_reason":"stop"}]}\n\n'


@dataclass(frozen=True)
class Render:
    """What a response looks like beyond its content; flags are fault switches."""

    model: str
    wrong_object: bool = False
    invalid_finish_reason: bool = False
    usage_total_wrong: bool = False
    arguments_as_object: bool = False
    # streaming faults
    stream_wrong_object: bool = False
    stream_bad_json: bool = False
    stream_no_role: bool = False
    stream_no_finish_reason: bool = False
    stream_no_usage: bool = False
    no_done: bool = False

    @property
    def model_fields(self) -> str:
        """``"model":...,"system_fingerprint":...`` pre-encoded (computed once per Render)."""
        cached: str | None = self.__dict__.get("_model_fields")
        if cached is None:
            cached = f'"model":{_STR(self.model)},"system_fingerprint":"{FINGERPRINT}"'
            object.__setattr__(self, "_model_fields", cached)
        return cached


def usage_of(completion: Completion, render: Render) -> dict[str, Any]:
    prompt, produced = completion.prompt_tokens, completion.completion_tokens
    # seed 003 §usage / seed 004 §CompletionsUsage: total = prompt + completion
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": produced,
        "total_tokens": prompt + produced + (1 if render.usage_total_wrong else 0),
    }
    if completion.reasoning_tokens is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": completion.reasoning_tokens}
    return usage


def _message(choice: Choice, render: Render) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": choice.content, "refusal": None}
    if choice.reasoning is not None:
        # models of other providers on the OpenAI API: the reasoning is in the field
        # reasoning_content, apart from the answer (model_families REASONING_HOWTO
        # §Reasoning content, the OpenAI API tab's sample response)
        message = {"role": "assistant", "reasoning_content": choice.reasoning, **message}
    if choice.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {
                    "name": call.name,
                    "arguments": json.loads(call.arguments)
                    if render.arguments_as_object
                    else call.arguments,
                },
            }
            for call in choice.tool_calls
        ]
    return message


def completion_body(completion: Completion, render: Render) -> bytes:
    """The chat.completion JSON, assembled from pre-encoded parts (the hot path)."""
    parts = []
    for choice in completion.choices:
        finish = choice.finish_reason
        if render.invalid_finish_reason and finish == "stop":
            finish = "end_turn"
        if choice.tool_calls or choice.reasoning is not None:
            message = _DUMPS(_message(choice, render))
        else:
            content = "null" if choice.content is None else _STR(choice.content)
            message = '{"role":"assistant","content":' + content + ',"refusal":null}'
        parts.append(
            f'{{"index":{choice.index},"message":{message},"finish_reason":"{finish}",'
            '"logprobs":null}'
        )
    obj = "chat.completion.chunk" if render.wrong_object else "chat.completion"
    text = (
        f'{{"id":"{completion_id()}","object":"{obj}","created":{int(time.time())},'
        f'{render.model_fields},"choices":[{",".join(parts)}],'
        f'"usage":{_usage_json(completion, render)}}}'
    )
    return text.encode("utf-8")


def _usage_json(completion: Completion, render: Render) -> str:
    if completion.reasoning_tokens is not None:
        return _DUMPS(usage_of(completion, render))
    prompt, produced = completion.prompt_tokens, completion.completion_tokens
    total = prompt + produced + (1 if render.usage_total_wrong else 0)
    return f'{{"prompt_tokens":{prompt},"completion_tokens":{produced},"total_tokens":{total}}}'


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + _DUMPS(payload).encode("utf-8") + b"\n\n"


def stream_events(
    completion: Completion, render: Render, *, include_usage: bool, full_tool_deltas: bool = False
) -> Iterator[bytes]:
    """The SSE events of a streamed answer, ``data: [DONE]`` last.

    ``full_tool_deltas`` repeats the tool call's ``id`` and function ``name`` in every
    arguments delta, as the Foundry spec's ``StreamingChatResponseToolCallUpdate``
    requires (``id`` and ``function.name`` are required there); the OpenAI-style surfaces
    send them in the first delta only.
    """
    obj = "chat.completion" if render.stream_wrong_object else "chat.completion.chunk"
    head = {
        "id": completion_id(),
        "object": obj,
        "created": int(time.time()),
        "model": render.model,
        "system_fingerprint": FINGERPRINT,
    }
    # every chunk starts the same: encode that prefix once per stream
    prefix = "data: " + _DUMPS(head)[:-1] + ',"choices":[{"index":'

    def chunk(index: int, delta: dict[str, Any], finish: str | None = None) -> bytes:
        fin = "null" if finish is None else f'"{finish}"'
        return (
            f'{prefix}{index},"delta":{_DUMPS(delta)},"finish_reason":{fin},'
            '"logprobs":null}]}\n\n'
        ).encode()

    def content_chunk(index: int, piece: str) -> bytes:
        return (
            f'{prefix}{index},"delta":{{"content":{_STR(piece)}}},"finish_reason":null,'
            '"logprobs":null}]}\n\n'
        ).encode()

    first = True
    for choice in completion.choices:
        i = choice.index
        # seed 003 §Example streaming chunks: the first delta carries role: assistant
        opening: dict[str, Any] = (
            {"content": ""}
            if first and render.stream_no_role
            else {
                "role": "assistant",
                "content": "" if not choice.tool_calls else None,
            }
        )
        if opening.get("content") is None:
            opening.pop("content")
        yield chunk(i, opening)
        if first and render.stream_bad_json:
            yield _SEED_003_BAD_CHUNK
        first = False
        if choice.reasoning is not None:
            # REASONING_HOWTO §Stream content: deltas carry reasoning_content pieces
            for piece in pieces(choice.reasoning):
                yield chunk(i, {"reasoning_content": piece})
        for call_index, call in enumerate(choice.tool_calls):
            yield chunk(
                i,
                {
                    "tool_calls": [
                        {
                            "index": call_index,
                            "id": call.id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": ""},
                        }
                    ]
                },
            )
            for piece in pieces(call.arguments):
                update: dict[str, Any] = {"index": call_index, "function": {"arguments": piece}}
                if full_tool_deltas:
                    update = {
                        "index": call_index,
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": piece},
                    }
                yield chunk(i, {"tool_calls": [update]})
        for piece in choice.pieces:
            yield content_chunk(i, piece)
        yield chunk(i, {}, None if render.stream_no_finish_reason else choice.finish_reason)
    if include_usage and not render.stream_no_usage:
        # seed 003 §Request Body stream_options: a last chunk with empty choices and usage
        yield _event({**head, "choices": [], "usage": usage_of(completion, render)})
    if not render.no_done:
        yield b"data: [DONE]\n\n"
