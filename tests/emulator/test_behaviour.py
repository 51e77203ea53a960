"""Chat-completions behaviour: determinism, n, max_tokens, stop, tools, JSON, streams, limits."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema_rs
import pytest

from conformance.emulator import CONTENT_FILTER_TRIGGER, Deployment, EmulatorConfig
from tests.emulator.clauses import sse_data
from tests.emulator.conftest import DATED, KEY, V1, client_for

H = {"api-key": KEY}
ASK = [{"role": "user", "content": "Tell me about rivers"}]
ORDER = {
    "type": "object",
    "properties": {
        "sku": {"type": "string", "minLength": 3, "maxLength": 12},
        "quantity": {"type": "integer", "minimum": 1, "maximum": 9},
        "express": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
        "address": {"$ref": "#/$defs/address"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "unit": {"enum": ["kg", "lb"]},
    },
    "required": ["sku", "quantity", "address", "unit"],
    "additionalProperties": False,
    "$defs": {
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "zip": {"type": "string", "format": "date"}},
            "required": ["city", "zip"],
            "additionalProperties": False,
        }
    },
}
TOOLS = [
    {"type": "function", "function": {"name": "place_order", "parameters": ORDER}},
    {
        "type": "function",
        "function": {"name": "cancel", "parameters": {"type": "object", "properties": {}}},
    },
]


def chat(client: httpx.Client, url: str = DATED, **body: Any) -> httpx.Response:
    return client.post(url, json={"messages": ASK, **body}, headers=H)


def content(r: httpx.Response, index: int = 0) -> str:
    assert r.status_code == 200, r.text
    return r.json()["choices"][index]["message"]["content"]


def stream_chunks(r: httpx.Response) -> list[dict[str, Any]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    data = sse_data(r.text)
    assert data[-1] == "[DONE]" and data.count("[DONE]") == 1
    return [json.loads(d) for d in data[:-1]]


def test_same_request_and_seed_same_answer(client: httpx.Client) -> None:
    first = content(chat(client, seed=7))
    assert content(chat(client, seed=7)) == first
    assert content(chat(client, seed=8)) != first
    assert content(chat(client, messages=[{"role": "user", "content": "Other"}], seed=7)) != first


def test_n_gives_distinct_indexed_choices(client: httpx.Client) -> None:
    r = chat(client, n=3)
    choices = r.json()["choices"]
    assert [c["index"] for c in choices] == [0, 1, 2]
    assert len({c["message"]["content"] for c in choices}) == 3
    usage = r.json()["usage"]
    assert usage["completion_tokens"] == sum(len(c["message"]["content"].split()) for c in choices)


def test_max_tokens_cuts_with_finish_reason_length(client: httpx.Client) -> None:
    full = content(chat(client))
    r = chat(client, max_tokens=3)
    body = r.json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["choices"][0]["message"]["content"] == " ".join(full.split()[:3])
    assert body["usage"]["completion_tokens"] == 3


def test_stop_sequence_ends_the_answer_before_it(client: httpx.Client) -> None:
    words = content(chat(client)).split()
    stop = " " + words[4]
    r = chat(client, stop=[stop, "never-there"])
    answer = content(r)
    assert stop not in answer and content(chat(client)).startswith(answer)
    assert len(answer.split()) <= 4
    assert r.json()["choices"][0]["finish_reason"] == "stop"


def _call(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    choice = r.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    return choice["message"]["tool_calls"][0]


def test_tool_choice_modes(client: httpx.Client) -> None:
    assert _call(chat(client, tools=TOOLS))["function"]["name"] == "place_order"  # auto
    assert (
        _call(chat(client, tools=TOOLS, tool_choice="required"))["function"]["name"]
        == "place_order"
    )
    named = {"type": "function", "function": {"name": "cancel"}}
    assert _call(chat(client, tools=TOOLS, tool_choice=named))["function"]["name"] == "cancel"
    assert content(chat(client, tools=TOOLS, tool_choice="none"))  # a text answer
    call = _call(chat(client, tools=TOOLS))
    after_tool = ASK + [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": "ok"},
    ]
    assert content(chat(client, messages=after_tool, tools=TOOLS))  # auto answers the result


def test_tool_choice_errors_name_the_parameter(client: httpx.Client) -> None:
    missing = {"type": "function", "function": {"name": "nope"}}
    for r in (chat(client, tools=TOOLS, tool_choice=missing), chat(client, tool_choice="required")):
        assert r.status_code == 400 and r.json()["error"]["param"] == "tool_choice"


@pytest.mark.parametrize("seed", range(5))
def test_tool_arguments_are_a_json_string_valid_for_the_tool_schema(
    client: httpx.Client, seed: int
) -> None:
    arguments = _call(chat(client, tools=TOOLS, seed=seed))["function"]["arguments"]
    assert isinstance(arguments, str)
    jsonschema_rs.validate(ORDER, json.loads(arguments))


def test_json_object_and_json_schema_outputs(client: httpx.Client) -> None:
    assert isinstance(
        json.loads(content(chat(client, response_format={"type": "json_object"}))), dict
    )
    fmt = {"type": "json_schema", "json_schema": {"name": "order", "strict": True, "schema": ORDER}}
    for seed in range(3):
        jsonschema_rs.validate(
            ORDER, json.loads(content(chat(client, response_format=fmt, seed=seed)))
        )


def test_stream_carries_the_same_answer_and_usage(client: httpx.Client) -> None:
    plain = chat(client, n=2).json()
    chunks = stream_chunks(chat(client, n=2, stream=True, stream_options={"include_usage": True}))
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    for index in (0, 1):
        text = "".join(
            c["choices"][0]["delta"].get("content") or ""
            for c in chunks
            if c["choices"] and c["choices"][0]["index"] == index
        )
        assert text == plain["choices"][index]["message"]["content"]
    finishes = [
        c["choices"][0]["finish_reason"]
        for c in chunks
        if c["choices"] and c["choices"][0]["finish_reason"]
    ]
    assert finishes == ["stop", "stop"]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == plain["usage"]
    assert len({c["id"] for c in chunks}) == 1


def test_stream_without_include_usage_has_no_usage_chunk(client: httpx.Client) -> None:
    chunks = stream_chunks(chat(client, stream=True))
    assert all(c["choices"] and "usage" not in c for c in chunks)


def test_streamed_tool_call_reassembles(client: httpx.Client) -> None:
    call = _call(chat(client, tools=TOOLS))
    chunks = stream_chunks(chat(client, tools=TOOLS, stream=True))
    deltas = [d for c in chunks for d in c["choices"][0]["delta"].get("tool_calls", [])]
    assert deltas[0]["id"] == call["id"] and deltas[0]["function"]["name"] == "place_order"
    assert "".join(d["function"]["arguments"] for d in deltas) == call["function"]["arguments"]
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_reasoning_deployment_rules(client: httpx.Client) -> None:
    url = DATED.replace("gpt-4o-mini", "gpt-5.1-mini")
    r = chat(client, url, temperature=0.2)
    assert r.status_code == 400 and r.json()["error"]["param"] == "temperature"
    assert chat(client, url, temperature=1).status_code == 200
    r = chat(client, url, max_completion_tokens=10)
    body = r.json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 10
    assert body["usage"]["completion_tokens_details"]["reasoning_tokens"] == 8
    r = chat(client, V1, model="gpt-5.1-mini", max_tokens=10)
    assert r.status_code == 400 and r.json()["error"]["param"] == "max_tokens"


def test_classic_deployment_accepts_max_completion_tokens(client: httpx.Client) -> None:
    body = chat(client, max_completion_tokens=2).json()
    assert (
        body["usage"]["completion_tokens"] == 2 and "completion_tokens_details" not in body["usage"]
    )


def test_content_filter_error_shape(client: httpx.Client) -> None:
    r = chat(client, messages=[{"role": "user", "content": f"please {CONTENT_FILTER_TRIGGER}"}])
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "content_filter" and error["param"] == "prompt"
    assert error["innererror"]["code"] == "ResponsibleAIPolicyViolation"
    assert error["innererror"]["content_filter_result"]["hate"]["filtered"] is True
    assert r.headers["x-ms-error-code"] == "content_filter"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"messages": [{"role": "pirate", "content": "x"}]}, "messages[0].role"),
        ({"messages": [ASK[0], {"role": "user"}]}, "messages[1].content"),
        ({"messages": ASK, "temperature": "hot"}, "temperature"),
        ({"messages": ASK, "n": "two"}, "n"),
        ({"messages": ASK, "stream": "yes"}, "stream"),
        ({"max_tokens": 5}, "messages"),
    ],
)
def test_request_validation_names_the_wrong_field(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    r = client.post(DATED, json=body, headers=H)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["param"] == field
    assert field.split("[")[0] in error["message"]


def test_v1_missing_model_is_named(client: httpx.Client) -> None:
    r = client.post(V1, json={"messages": ASK}, headers=H)
    assert r.status_code == 400 and r.json()["error"]["param"] == "model"


def test_every_error_carries_request_id_and_error_code(client: httpx.Client) -> None:
    answers = [
        client.post(DATED, json={"messages": 1}, headers=H),
        client.post(DATED, json={"messages": ASK}),
        client.post("/nowhere", json={}, headers=H),
        client.get(DATED, headers=H),
        client.post(DATED, content=b"x", headers={**H, "content-type": "text/plain"}),
    ]
    assert [a.status_code for a in answers] == [400, 401, 404, 405, 415]
    for answer in answers:
        assert answer.headers["apim-request-id"] and answer.headers["x-ms-error-code"]
        assert answer.headers["x-ms-error-code"] == answer.json()["error"]["code"]
    assert answers[3].headers["allow"] == "POST"


def test_requests_and_tokens_per_window() -> None:
    config = EmulatorConfig(
        deployments=(Deployment("rpm", rpm=3), Deployment("tpm", tpm=100)),
    )
    client = client_for(config)
    url = "/openai/deployments/{}/chat/completions?api-version=2024-10-21"
    remaining = [
        chat(client, url.format("rpm")).headers["x-ratelimit-remaining-requests"] for _ in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    throttled = chat(client, url.format("rpm"))
    assert throttled.status_code == 429 and throttled.json()["error"]["code"] == "429"
    assert 1 <= int(throttled.headers["retry-after"]) <= 60
    assert throttled.headers["x-ratelimit-remaining-requests"] == "0"
    first = chat(client, url.format("tpm"), max_tokens=60)
    assert first.status_code == 200
    assert int(first.headers["x-ratelimit-remaining-tokens"]) < 40
    second = chat(client, url.format("tpm"), max_tokens=60)
    assert second.status_code == 429 and "retry-after-ms" in second.headers
    assert chat(client, url.format("tpm"), max_tokens=5).status_code == 200  # still fits
    assert client.app.state.emulator.throttled == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("options", [{"stream_batch": 1}, {"stream_delay": 0.001}])
def test_write_batching_and_pacing_do_not_change_the_events(options: dict[str, Any]) -> None:
    body = {"messages": ASK, "n": 2, "stream": True, "stream_options": {"include_usage": True}}

    def events(config: EmulatorConfig) -> list[dict[str, Any]]:
        r = client_for(config).post(DATED, json=body, headers=H)
        chunks = stream_chunks(r)
        for chunk in chunks:
            chunk.pop("id"), chunk.pop("created")
        return chunks

    assert events(EmulatorConfig(**options)) == events(EmulatorConfig())
