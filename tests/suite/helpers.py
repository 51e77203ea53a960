"""Helpers for the suite tests: in-process runs and an ASGI wrapper that breaks a clause."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.model import Outcome, RunResult
from conformance.run.options import RunOptions, TargetOptions
from conformance.run.runner import run_suite


def run_emulator(
    *,
    faults: tuple[str, ...] = (),
    select: tuple[str, ...] = (),
    profile: str | None = None,
    wrap_app: Callable[[Any], Any] | None = None,
    **target: Any,
) -> RunResult:
    """One in-process run against the embedded emulator (no environment leaks in)."""
    options = RunOptions(
        target=TargetOptions(env={}, faults=faults, profile=profile, wrap_app=wrap_app, **target),
        select=select,
        schemathesis=False,
    )
    return run_suite(options)


def ids(result: RunResult, outcome: Outcome) -> set[str]:
    return {f.clause_id for f in result.findings if f.outcome is outcome}


@dataclass
class Seen:
    """What the wrapped app saw of one request."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def set_json(self, data: Any) -> None:
        self.body = json.dumps(data).encode()
        self.headers["content-length"] = str(len(self.body))

    def set_text(self, text: str) -> None:
        self.body = text.encode()
        self.headers["content-length"] = str(len(self.body))


Mutation = Callable[[Seen, Answer], None]


def mutating(mutate: Mutation) -> Callable[[Any], Any]:
    """An app wrapper: buffer each answer of the emulator and let ``mutate`` change it."""

    def wrap(app: Any) -> Any:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            chunks: list[bytes] = []
            more = True
            while more:
                message = await receive()
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            raw = b"".join(chunks)
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            seen = Seen(
                scope["method"],
                scope["path"],
                scope.get("query_string", b"").decode(),
                {k.decode().lower(): v.decode() for k, v in scope["headers"]},
                body,
            )
            replay = [{"type": "http.request", "body": raw, "more_body": False}]

            async def receive_again() -> dict[str, Any]:
                if replay:
                    return replay.pop(0)
                # the client stays connected: a streaming answer must not be cut short
                await asyncio.Event().wait()
                return {"type": "http.disconnect"}  # pragma: no cover

            answer = Answer(0, {}, b"")

            async def capture(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    answer.status = message["status"]
                    answer.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
                elif message["type"] == "http.response.body":
                    answer.body += message.get("body", b"")

            await app(scope, receive_again, capture)
            mutate(seen, answer)
            headers = [(k.encode(), v.encode()) for k, v in answer.headers.items()]
            await send({"type": "http.response.start", "status": answer.status, "headers": headers})
            await send({"type": "http.response.body", "body": answer.body})

        return wrapped

    return wrap


def chat_completion(seen: Seen, answer: Answer) -> bool:
    """A 200 non-stream chat completion."""
    return (
        seen.path.endswith("/chat/completions")
        and answer.status == 200
        and answer.headers.get("content-type", "").startswith("application/json")
    )


def stream_answer(seen: Seen, answer: Answer) -> bool:
    return answer.status == 200 and "text/event-stream" in answer.headers.get("content-type", "")


def map_chunks(answer: Answer, fn: Callable[[int, dict[str, Any]], None]) -> None:
    """Apply ``fn(index, chunk)`` to every JSON data: event of an SSE answer."""
    out = []
    index = 0
    for line in answer.body.decode().split("\n"):
        if line.startswith("data: ") and line[6:].strip() != "[DONE]":
            chunk = json.loads(line[6:])
            fn(index, chunk)
            index += 1
            line = "data: " + json.dumps(chunk)
        out.append(line)
    answer.set_text("\n".join(out))
