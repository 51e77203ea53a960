"""The gateway profile of seed 003: one path, api-key only, its defaults and error texts."""

from __future__ import annotations

import httpx
import pytest

from conformance.emulator import EmulatorConfig
from conformance.emulator.schemas import first_error, validator
from conformance.emulator.tokens import mint_token
from tests.emulator.clauses import sse_data
from tests.emulator.conftest import KEY, client_for

PATH = "/openai/deployments/gpt-4o-mini/chat/completions"
MSG = {"messages": [{"role": "user", "content": "Hello"}]}


@pytest.fixture
def gateway() -> httpx.Client:
    return client_for(EmulatorConfig(profile="seed-003"))


def test_serves_its_one_path_without_api_version(gateway: httpx.Client) -> None:
    r = gateway.post(PATH, json=MSG, headers={"api-key": KEY})
    assert r.status_code == 200
    assert (
        first_error(validator("azure-openai-2024-10-21", "createChatCompletionResponse"), r.json())
        is None
    )
    # api-version is ignored (seed 003 documents none)
    assert (
        gateway.post(
            PATH + "?api-version=1999-01-01", json=MSG, headers={"api-key": KEY}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    "path",
    [
        "/openai/deployments/gpt-5.1-mini/chat/completions",
        "/openai/v1/chat/completions",
        "/models/chat/completions",
        PATH + "/",
    ],
)
def test_everything_else_is_404(gateway: httpx.Client, path: str) -> None:
    assert gateway.post(path, json=MSG, headers={"api-key": KEY}).status_code == 404


def test_documented_401_and_400_texts(gateway: httpx.Client) -> None:
    missing = gateway.post(PATH, json=MSG)
    # seed 003 §401 Unauthorized
    assert missing.status_code == 401
    assert missing.json() == {
        "error": {"code": "Unauthorized", "message": "Access denied due to missing api-key header"}
    }
    bearer = gateway.post(PATH, json=MSG, headers={"Authorization": f"Bearer {mint_token('x')}"})
    assert bearer.status_code == 401  # api-key only
    assert gateway.post(PATH, json=MSG, headers={"api-key": "nope"}).status_code == 401
    # seed 003 §400 Bad Request
    for bad in (b"{", b'{"messages": "x"}'):
        r = gateway.post(
            PATH, content=bad, headers={"api-key": KEY, "content-type": "application/json"}
        )
        assert r.status_code == 400
        assert r.json() == {"error": {"code": "BadRequest", "message": "Invalid request format"}}


def test_default_temperature_is_0_7(gateway: httpx.Client) -> None:
    def answer(**extra: float) -> str:
        r = gateway.post(PATH, json={**MSG, **extra}, headers={"api-key": KEY})
        return r.json()["choices"][0]["message"]["content"]

    # seed 003 §Optional Parameters: temperature default 0.7
    assert answer() == answer(temperature=0.7) != answer(temperature=1.0)


def test_streams_as_documented(gateway: httpx.Client) -> None:
    r = gateway.post(
        PATH,
        json={**MSG, "stream": True, "stream_options": {"include_usage": True}},
        headers={"api-key": KEY},
    )
    assert r.headers["content-type"].startswith("text/event-stream")
    data = sse_data(r.text)
    assert data[-1] == "[DONE]" and '"role":"assistant"' in data[0]
