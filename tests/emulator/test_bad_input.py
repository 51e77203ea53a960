"""Bad input is a 4xx in the error envelope, never a 5xx (issue 4 §Bad input)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import httpx
import pytest

from conformance.emulator import EmulatorConfig, create_app
from conformance.emulator.server import serve
from tests.emulator.conftest import DATED, FOUNDRY, KEY, V1, client_for

H = {"api-key": KEY, "content-type": "application/json"}


def assert_error(r: httpx.Response, status: int, words: str) -> None:
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert isinstance(error["code"], str) and words in error["message"]
    assert r.headers["x-ms-error-code"] == error["code"]


@pytest.mark.parametrize("url", [DATED, V1, FOUNDRY])
def test_malformed_json(client: httpx.Client, url: str) -> None:
    assert_error(client.post(url, content=b'{"messages": [', headers=H), 400, "not valid JSON")


def test_wrong_content_type(client: httpx.Client) -> None:
    r = client.post(DATED, content=b'{"messages": []}', headers={**H, "content-type": "text/plain"})
    assert_error(r, 415, "application/json")
    r = client.post(
        DATED,
        content=b"messages=1",
        headers={"api-key": KEY, "content-type": "application/x-www-form-urlencoded"},
    )
    assert_error(r, 415, "application/json")


def test_oversized_body_declared_and_streamed() -> None:
    client = client_for(EmulatorConfig(max_body_bytes=1000))
    big = b'{"messages": [{"role": "user", "content": "' + b"a" * 2000 + b'"}]}'
    assert_error(client.post(DATED, content=big, headers=H), 413, "exceeds the limit of 1000 bytes")

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit holds while reading
        yield big[:600]
        yield big[600:]

    assert_error(client.post(DATED, content=chunks(), headers=H), 413, "exceeds the limit")


def test_invalid_utf8(client: httpx.Client) -> None:
    body = b'{"messages": [{"role": "user", "content": "\xff\xfe"}]}'
    assert_error(client.post(DATED, content=body, headers=H), 400, "not valid UTF-8 (byte 43)")


@pytest.mark.parametrize("depth", [65, 5000, 100_000])
def test_deep_nesting(client: httpx.Client, depth: int) -> None:
    body = b'{"messages": ' + b"[" * depth + b"]" * depth + b"}"
    assert_error(client.post(DATED, content=body, headers=H), 400, "nested deeper than 64 levels")


@pytest.mark.parametrize(
    ("raw", "words"), [(b"[]", "must be a JSON object"), (b"", "empty"), (b"null", "JSON object")]
)
def test_not_an_object(client: httpx.Client, raw: bytes, words: str) -> None:
    assert_error(client.post(DATED, content=raw, headers=H), 400, words)


def test_random_garbage_never_5xx(client: httpx.Client) -> None:
    rng = random.Random(4)
    statuses = set()
    for _ in range(300):
        size = rng.randrange(0, 64)
        raw = bytes(rng.randrange(256) for _ in range(size))
        if rng.random() < 0.5:
            raw = b'{"messages": [{"role": "user", "content": ' + raw + b"}]}"
        statuses.add(
            client.post(rng.choice([DATED, V1, FOUNDRY]), content=raw, headers=H).status_code
        )
    assert statuses and all(400 <= s < 500 for s in statuses)


def test_weird_but_valid_json_values_are_4xx(client: httpx.Client) -> None:
    odd = [
        {"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]},
        {"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function"}]},
        {"messages": [{"role": "user", "content": "x"}], "tool_choice": {"type": "function"}},
        {"messages": [{"role": "user", "content": "x"}], "max_tokens": -1},
        {"messages": [{"role": "user", "content": "x"}], "n": 10**30},
        {"messages": [{"role": "user", "content": "x"}], "stop": [1, 2]},
        {
            "messages": [{"role": "user", "content": "x"}],
            "response_format": {"type": "json_schema"},
        },
    ]
    for body in odd:
        r = client.post(DATED, json=body, headers=H)
        assert 400 <= r.status_code < 500, (body, r.text)


def test_bad_input_over_real_uvicorn() -> None:
    app = create_app(EmulatorConfig(max_body_bytes=10_000))
    with serve(app) as url:
        with httpx.Client(base_url=url) as http:
            assert http.post(DATED, content=b"{", headers=H).status_code == 400
            assert http.post(DATED, content=b"x" * 20_000, headers=H).status_code == 413
            assert http.post(DATED, content=b"[" * 9_000, headers=H).status_code == 400
    assert app.state.emulator.internal_errors == 0
