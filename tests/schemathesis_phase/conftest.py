"""Build a RunContext over any ASGI app (the emulator, or the emulator behind a breaking proxy)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("conformance.emulator", reason="the emulator (issue 4) is not in this tree")

from starlette.testclient import TestClient  # noqa: E402

from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app  # noqa: E402
from conformance.http.budget import Budget  # noqa: E402
from conformance.http.client import HttpClient  # noqa: E402
from conformance.http.secrets import Secrets  # noqa: E402
from conformance.run.context import RunContext  # noqa: E402
from generator.spec import load_registry  # noqa: E402

ASGIApp = Callable[..., Awaitable[None]]
Rewrite = Callable[[dict[str, Any], int, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def spec_ids(surface: str) -> dict[str, str]:
    registry = load_registry()
    if surface == "dated":
        entry = registry.find_version("2024-10-21", "dated")
    else:
        entry = registry.latest(surface)  # type: ignore[arg-type]
    assert entry is not None
    return {surface: entry.id}


def api_version(surface: str) -> str | None:
    return {"dated": "2024-10-21", "foundry": "2024-05-01-preview"}.get(surface)


class Recorder:
    """ASGI middleware: records requests, optionally rewrites responses."""

    def __init__(self, app: ASGIApp, rewrite: Rewrite | None = None) -> None:
        self.app = app
        self.rewrite = rewrite
        self.requests: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        record = {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode(),
            "headers": {k.decode().lower(): v.decode() for k, v in scope["headers"]},
            "body": body,
        }
        self.requests.append(record)
        sent_body = False

        async def replay() -> dict[str, Any]:
            nonlocal sent_body
            if sent_body:
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        if self.rewrite is None:
            await self.app(scope, replay, send)
            return
        status = 500
        headers: dict[str, str] = {}
        out: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
            elif message["type"] == "http.response.body":
                out.append(message.get("body", b""))

        await self.app(scope, replay, capture)
        status, headers, data = self.rewrite(record, status, headers, b"".join(out))
        headers["content-length"] = str(len(data))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": data})


def make_ctx(
    app: Any, surface: str, *, max_requests: int = 150, base_url: str = "http://testserver"
) -> RunContext:
    client: Any = TestClient(app, base_url=base_url, raise_server_exceptions=False)
    http = HttpClient(
        base_url=base_url,
        client=client,
        budget=Budget(max_requests=max_requests),
        auth_headers={"api-key": DEFAULT_API_KEY},
        secrets=Secrets([DEFAULT_API_KEY]),
    )
    return RunContext(
        http=http,
        surface=surface,  # type: ignore[arg-type]
        deployment="gpt-4o-mini",
        api_version=api_version(surface),
        spec_ids=spec_ids(surface),
        emulator=True,
    )


@pytest.fixture
def emulator_app() -> Any:
    return create_app(EmulatorConfig())


@pytest.fixture
def recorder(emulator_app: Any) -> Iterator[Recorder]:
    yield Recorder(emulator_app)


def json_body(record: dict[str, Any]) -> Any:
    try:
        return json.loads(record["body"])
    except ValueError:
        return None
