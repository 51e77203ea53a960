"""Emulator hardening: negative data never gets a 5xx, 500 concurrent streams all
complete, oversized bodies get a 413 in the error envelope.

The negative run here is bounded for CI (schemathesis needs ~0.1-0.6 s to generate one
negative chat body on this 2-core box); bench/bench_hardening.py runs 5,000 cases.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app
from conformance.emulator.server import serve
from tests.hardening.concurrency import InFlight, stream_clients
from tests.hardening.negative import run_negative
from tests.support import requires_mirror

CHAT = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"

# cases per operation: the big dated chat schema is the slowest to generate
NEGATIVE_PLAN = {
    ("dated", "/deployments/{deployment-id}/chat/completions"): 15,
    ("v1", "/chat/completions"): 70,
    ("v1", "/models"): 120,
    ("v1", "/responses"): 70,
    ("foundry", "/chat/completions"): 50,
}


@requires_mirror
@pytest.mark.slow
def test_negative_data_never_gets_a_5xx() -> None:
    stats = run_negative(NEGATIVE_PLAN)
    assert stats.cases >= 300, (stats.cases, stats.unsendable)
    assert set(stats.per_operation.values()) == set(NEGATIVE_PLAN.values())
    assert stats.count_5xx == 0, stats.server_errors[:5]
    # refusals are real refusals, in the documented error envelope (seed 004 §Responses)
    assert sum(n for s, n in stats.statuses.items() if 400 <= s < 500) >= stats.cases // 2
    assert stats.not_envelope == [], stats.not_envelope[:5]


@pytest.mark.slow
def test_500_concurrent_streaming_clients_all_complete() -> None:
    app = InFlight(create_app(EmulatorConfig(stream_delay=0.02)))
    with serve(app) as url:
        stats = stream_clients(url, 500, DEFAULT_API_KEY, timeout_s=60)
    assert stats.errors == [], stats.errors[:5]
    assert stats.ok == 500
    assert app.peak >= 100, app.peak  # they really overlapped


@pytest.fixture
def small_limit() -> Iterator[TestClient]:
    app = create_app(EmulatorConfig(max_body_bytes=2048))
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        yield client


def _assert_413(response: httpx.Response | object) -> None:
    assert response.status_code == 413  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["error"]["code"] == "RequestEntityTooLarge"
    assert "exceeds the limit of 2048 bytes" in body["error"]["message"]
    assert response.headers["x-ms-error-code"] == "RequestEntityTooLarge"  # type: ignore[attr-defined]


def test_oversized_body_with_content_length_is_413(small_limit: TestClient) -> None:
    big = '{"messages": [{"role": "user", "content": "' + "x" * 4096 + '"}]}'
    response = small_limit.post(
        CHAT, content=big, headers={"api-key": DEFAULT_API_KEY, "content-type": "application/json"}
    )
    _assert_413(response)


def test_oversized_chunked_body_is_413(small_limit: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is counted while reading
        yield b'{"messages": [{"role": "user", "content": "'
        for _ in range(8):
            yield b"y" * 1024
        yield b'"}]}'

    response = small_limit.post(
        CHAT,
        content=chunks(),
        headers={"api-key": DEFAULT_API_KEY, "content-type": "application/json"},
    )
    _assert_413(response)


def test_default_limit_over_a_real_socket() -> None:
    with serve(create_app(EmulatorConfig())) as url:
        big = b'{"messages": [{"role": "user", "content": "' + b"z" * (1_048_576 + 10) + b'"}]}'
        response = httpx.post(
            url + CHAT,
            content=big,
            headers={"api-key": DEFAULT_API_KEY, "content-type": "application/json"},
            timeout=30,
        )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "RequestEntityTooLarge"
        # and the server is still fine afterwards
        ok = httpx.post(
            url + CHAT,
            json={"messages": [{"role": "user", "content": "hi"}]},
            headers={"api-key": DEFAULT_API_KEY},
            timeout=30,
        )
        assert ok.status_code == 200
