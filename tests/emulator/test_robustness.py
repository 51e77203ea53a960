"""Robustness: unexpected exceptions become a 500 envelope; many concurrent streams work."""

from __future__ import annotations

import asyncio
import gc
import json

import httpx
import pytest

from conformance.emulator import EmulatorConfig, chat, create_app
from conformance.emulator.server import serve
from tests.emulator.conftest import DATED, HELLO, KEY, _SyncASGIClient, client_for


def test_unexpected_exception_is_a_500_envelope(monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_for(EmulatorConfig())
    emulator = client.app.state.emulator  # type: ignore[attr-defined]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom: a bug in the emulator")

    monkeypatch.setattr(chat, "generate", broken)
    r = client.post(DATED, json=HELLO, headers={"api-key": KEY})
    assert r.status_code == 500
    assert r.json() == {
        "error": {"code": "InternalServerError", "message": "the emulator failed unexpectedly"}
    }
    assert "boom" not in r.text and r.headers["x-ms-error-code"] == "InternalServerError"
    assert emulator.internal_errors == 1


def test_warm_up_compiles_every_surface_and_keeps_answers() -> None:
    app = create_app(EmulatorConfig())
    try:
        app.state.emulator.warm_up()
        client = _SyncASGIClient(app)
        for version in ("2024-08-01-preview", "2025-04-01-preview"):
            url = DATED.replace("2024-10-21", version)
            assert client.post(url, json=HELLO, headers={"api-key": KEY}).status_code == 200
    finally:
        gc.unfreeze()  # warm_up froze the heap: give this test process its GC back


def test_200_concurrent_streams_over_uvicorn() -> None:
    body = {**HELLO, "stream": True, "stream_options": {"include_usage": True}}
    app = create_app(EmulatorConfig())

    async def one(client: httpx.AsyncClient) -> bool:
        r = await client.post(DATED, json=body, headers={"api-key": KEY})
        data = [line[6:] for line in r.text.split("\n") if line.startswith("data: ")]
        chunks = [json.loads(d) for d in data[:-1]]
        return r.status_code == 200 and data[-1] == "[DONE]" and chunks[-1]["usage"] is not None

    async def run(url: str) -> list[bool]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
            return await asyncio.gather(*(one(client) for _ in range(200)))

    with serve(app) as url:
        results = asyncio.run(run(url))
    assert results.count(True) == 200
    assert app.state.emulator.internal_errors == 0
