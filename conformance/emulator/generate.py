"""Deterministic completions: the same request (and ``seed``) always gives the same answer.

The "model" hashes the conversation, the ``seed`` and the output options, and derives
from the hash a sentence, a JSON document, or tool calls whose arguments satisfy the
tool's JSON schema. A token is a whitespace-delimited piece of the output, so
``max_tokens``, ``usage`` and the streamed deltas agree exactly.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from conformance.emulator.instances import instance_for

__all__ = [
    "ToolCall",
    "Choice",
    "Completion",
    "complete",
    "prompt_tokens",
    "pieces",
    "REASONING_TOKENS",
]

_VOCAB = (
    "the model answers every question with care and a short sentence about clouds rivers "
    "mountains stars light time music history science language code data tests emulators "
    "gateways deployments tokens streams chunks errors keys quotas contracts specs versions "
    "and it keeps the answer simple clear honest helpful deterministic small friendly useful "
    "today tomorrow here there always often rarely quietly quickly slowly"
).split()
_PIECE = re.compile(r"\s*\S+")
REASONING_TOKENS = 8  # hidden tokens a reasoning deployment "thinks" per choice
# reasoning_effort: a higher effort spends more reasoning tokens (REASONING_EFFORT
# §Reasoning effort in conformance.model_families)
EFFORT_TOKENS = {"minimal": 2, "low": 4, "medium": REASONING_TOKENS, "high": 16}


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # a JSON string (seed 004 §FunctionCall: arguments in JSON format)


@dataclass
class Choice:
    index: int
    content: str | None
    finish_reason: str
    completion_tokens: int
    tool_calls: list[ToolCall] = field(default_factory=list)
    # the reasoning a model of another provider returns apart from its answer
    # (conformance.model_families REASONING_HOWTO §Reasoning content); None for others
    reasoning: str | None = None

    @property
    def pieces(self) -> list[str]:
        return pieces(self.content or "")


@dataclass
class Completion:
    choices: list[Choice]
    prompt_tokens: int
    reasoning_tokens: int | None = None

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.choices)


def pieces(text: str) -> list[str]:
    """The output split into tokens: whitespace-led pieces that concatenate to ``text``."""
    return _PIECE.findall(text)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def prompt_tokens(messages: list[Any]) -> int:
    """Tokens of the prompt: words of each message plus 3 per message and 3 for priming."""
    total = 3
    for message in messages:
        if isinstance(message, dict):
            total += 3 + len(_text_of(message.get("content")).split())
    return total


def _digest(*parts: Any) -> bytes:
    """32 bytes that depend on ``parts`` only: the same request gives the same bytes.

    ``repr`` of parsed JSON is deterministic for the same input (dicts keep the order the
    client sent) and several times cheaper than re-encoding it as JSON.
    """
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=32).digest()


def _for_choice(base: bytes, index: int) -> bytes:
    return (
        base
        if index == 0
        else hashlib.blake2b(base + index.to_bytes(4, "big"), digest_size=32).digest()
    )


_FIRST = tuple(w.capitalize() for w in _VOCAB) * (256 // len(_VOCAB) + 1)
_NEXT = tuple(" " + w for w in _VOCAB) * (256 // len(_VOCAB) + 1)  # index by byte directly


def _sentence(h: bytes) -> str:
    """12 to 31 words picked by the digest's bytes, capitalised, with a full stop."""
    count = 12 + h[0] % 20
    return _FIRST[h[1]] + "".join([_NEXT[b] for b in h[2 : count + 1]]) + "."


def _pick_tool(body: dict[str, Any]) -> dict[str, Any] | None:
    """The function the model calls, or None (seed 004 §tool_choice: none/auto/required/named)."""
    tools = [
        t for t in body.get("tools") or [] if isinstance(t, dict) and t.get("type") == "function"
    ]
    if not tools:
        return None
    choice = body.get("tool_choice", "auto")
    if choice == "none":
        return None
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        return next((t for t in tools if t.get("function", {}).get("name") == name), None)
    if choice == "auto":
        # auto: call a tool unless the conversation already ends with a tool result.
        messages = body.get("messages") or []
        last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
        if last.get("role") == "tool":
            return None
    return tools[0]


def _thought(digest: bytes, words: int) -> str:
    """The reasoning text of one choice: ``words`` words (one token each)."""
    seed = hashlib.blake2b(digest + b"reasoning", digest_size=32).digest()
    picked = [_VOCAB[b % len(_VOCAB)] for b in (seed * (words // 32 + 1))[:words]]
    return " ".join(["Thinking:", *picked[1:]]) if picked else ""


def _truncate_at_stop(text: str, stop: Any) -> str:
    """The text up to the earliest stop sequence (which is not returned)."""
    if not stop:
        return text
    stops = [stop] if isinstance(stop, str) else [s for s in stop if isinstance(s, str)]
    cut = min((i for i in (text.find(s) for s in stops if s) if i >= 0), default=-1)
    return text[:cut] if cut >= 0 else text


def complete(
    body: dict[str, Any],
    *,
    deployment: str,
    reasoning: bool,
    default_temperature: float = 1.0,
    ignore_n: bool = False,
    ignore_max_tokens: bool = False,
    json_mode_prose: bool = False,
    visible_reasoning: bool = False,
    reasoning_effort: bool = False,
) -> Completion:
    """Answer a validated chat-completions request body.

    ``visible_reasoning``: each choice also carries its reasoning text (as many words as
    reasoning tokens, counted in ``completion_tokens``); ``reasoning_effort``: the
    request's ``reasoning_effort`` sets how many tokens the model reasons.
    """
    messages = body.get("messages") or []
    n = 1 if ignore_n else int(body.get("n") or 1)
    limit = body.get("max_completion_tokens")
    if limit is None:
        limit = body.get("max_tokens")
    if ignore_max_tokens:
        limit = None
    limit = None if limit is None else int(limit)
    fmt = body.get("response_format") or {}
    fmt_type = fmt.get("type") if isinstance(fmt, dict) else None
    base = _digest(
        deployment,
        messages,
        body.get("seed"),
        body.get("temperature", default_temperature),
        fmt,
        body.get("tools"),
        body.get("tool_choice"),
    )
    tool = _pick_tool(body) if body.get("tools") else None
    hidden = REASONING_TOKENS if reasoning else 0
    if reasoning and reasoning_effort:
        hidden = EFFORT_TOKENS.get(str(body.get("reasoning_effort")), REASONING_TOKENS)
    choices: list[Choice] = []
    for index in range(n):
        digest = _for_choice(base, index)
        h = int.from_bytes(digest[:8], "big") if tool is not None or fmt_type else 0
        if tool is not None:
            function = tool.get("function", {})
            params = function.get("parameters") or {"type": "object", "properties": {}}
            arguments = json.dumps(instance_for(params, h), separators=(", ", ": "))
            call = ToolCall(f"call_{h:016x}{index:08x}", str(function.get("name")), arguments)
            tokens = len(pieces(arguments)) + 1 + hidden
            thought = _thought(digest, hidden) if visible_reasoning else None
            choices.append(Choice(index, None, "tool_calls", tokens, [call], thought))
            continue
        if fmt_type == "json_object" and not json_mode_prose:
            text = json.dumps({"answer": _sentence(digest), "choice": index})
        elif fmt_type == "json_schema" and not json_mode_prose:
            schema = (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
            text = json.dumps(instance_for(schema, h))
        else:
            text = _sentence(digest)
        stop = body.get("stop")
        if stop:
            text = _truncate_at_stop(text, stop)
        count = len(text.split())  # == len(pieces(text)), without the regex
        finish = "stop"
        if limit is not None and count + hidden > limit:
            text = "".join(pieces(text)[: max(0, limit - hidden)])
            count = len(text.split())
            finish = "length"
        content = text.lstrip()
        used = (
            min(count + hidden, limit)
            if limit is not None and finish == "length"
            else count + hidden
        )
        thought = _thought(digest, hidden) if visible_reasoning else None
        choices.append(Choice(index, content, finish, used, reasoning=thought))
    return Completion(choices, prompt_tokens(messages), hidden * n if reasoning else None)
