"""Fixtures for the emulator tests: in-process clients and a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app
from conformance.emulator.server import serve
from tests.support import requires_mirror

KEY = DEFAULT_API_KEY
DATED = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
V1 = "/openai/v1/chat/completions"
FOUNDRY = "/models/chat/completions?api-version=2024-05-01-preview"
HELLO = {"messages": [{"role": "user", "content": "Hello"}]}

pytestmark = requires_mirror


def client_for(config: EmulatorConfig | None = None) -> httpx.Client:
    """A sync httpx client over the ASGI app (in-process; no sockets)."""
    app = create_app(config or EmulatorConfig())
    return _SyncASGIClient(app)


class _SyncASGIClient(httpx.Client):
    """httpx's ASGITransport is async-only; run each request on a private event loop."""

    def __init__(self, app: object) -> None:
        import asyncio

        self._loop = asyncio.new_event_loop()
        self.app = app
        self._async = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://emulator"
        )
        super().__init__(base_url="http://emulator")

    def request(self, method: str, url: str, **kwargs: object) -> httpx.Response:  # type: ignore[override]
        async def go() -> httpx.Response:
            response = await self._async.request(method, url, **kwargs)  # type: ignore[arg-type]
            await response.aread()
            return response

        return self._loop.run_until_complete(go())

    def close(self) -> None:
        self._loop.run_until_complete(self._async.aclose())
        self._loop.close()
        super().close()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    c = client_for()
    yield c
    assert c.app.state.emulator.internal_errors == 0  # type: ignore[attr-defined]
    c.close()


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with serve(create_app(EmulatorConfig())) as url:
        yield url
