"""Every emulator response validates against the normalised upstream spec's response schema.

Bodies: ``createChatCompletionResponse`` (each dated spec), ``AzureCreateChatCompletionResponse``
(v1), ``ChatCompletions`` (Foundry), ``AzureResponse`` and ``OpenAI.ListModelsResponse``
(v1). Stream chunks: ``createChatCompletionStreamResponse``,
``AzureCreateChatCompletionStreamResponse``, ``StreamingChatCompletionsUpdate``. Errors:
``errorResponse``, ``AzureErrorResponse``, ``Azure.Core.Foundations.ErrorResponse``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from conformance.emulator import CONTENT_FILTER_TRIGGER, EmulatorConfig
from conformance.emulator.schemas import first_error, validator
from generator.spec import load_registry
from tests.emulator.clauses import sse_data
from tests.emulator.conftest import KEY, client_for

H = {"api-key": KEY}
MSG = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {
                "type": "object",
                "properties": {"q": {"type": "string"}, "k": {"type": "integer", "minimum": 1}},
                "required": ["q"],
            },
        },
    }
]
SCHEMA_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "answer",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"title": {"type": "string"}, "score": {"type": "number"}},
            "required": ["title", "score"],
            "additionalProperties": False,
        },
    },
}
VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {},
    "n2-max-tokens": {"n": 2, "max_tokens": 3},
    "stop": {"stop": ["the"]},
    "tool-required": {"tools": TOOLS, "tool_choice": "required"},
    "tool-auto": {"tools": TOOLS},
    "json-object": {"response_format": {"type": "json_object"}},
    "json-schema": {"response_format": SCHEMA_FORMAT},
}
DATED_IDS = [e.id for e in load_registry().by_surface("dated")]
DATED_VERSIONS = {e.id: e.api_version for e in load_registry().by_surface("dated")}
V1 = "azure-openai-v1"
FOUNDRY = "foundry-model-inference-2024-05-01-preview"


@pytest.fixture(scope="module")
def client() -> httpx.Client:
    return client_for(EmulatorConfig())


def valid(spec: str, schema: str, instance: Any) -> None:
    found = first_error(validator(spec, schema), instance)
    assert found is None, f"{spec} {schema}: {found}"


def chunks(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    data = sse_data(response.text)
    assert data[-1] == "[DONE]"
    return [json.loads(d) for d in data[:-1]]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("spec_id", DATED_IDS)
def test_dated_bodies_and_chunks(client: httpx.Client, spec_id: str, variant: str) -> None:
    url = f"/openai/deployments/gpt-4o-mini/chat/completions?api-version={DATED_VERSIONS[spec_id]}"
    body = {"messages": MSG, **VARIANTS[variant]}
    r = client.post(url, json=body, headers=H)
    assert r.status_code == 200, r.text
    valid(spec_id, "createChatCompletionResponse", r.json())
    stream = {**body, "stream": True, "stream_options": {"include_usage": True}}
    for chunk in chunks(client.post(url, json=stream, headers=H)):
        valid(spec_id, "createChatCompletionStreamResponse", chunk)


@pytest.mark.parametrize("spec_id", DATED_IDS)
def test_dated_reasoning_and_errors(client: httpx.Client, spec_id: str) -> None:
    version = DATED_VERSIONS[spec_id]
    url = f"/openai/deployments/gpt-5.1-mini/chat/completions?api-version={version}"
    r = client.post(url, json={"messages": MSG, "max_completion_tokens": 40}, headers=H)
    assert r.status_code == 200, r.text
    valid(spec_id, "createChatCompletionResponse", r.json())
    assert r.json()["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    errors = [
        client.post(url, json={"messages": MSG, "max_tokens": 4}, headers=H),  # 400
        client.post(url, json={"messages": MSG}),  # 401
        client.post(url.replace("gpt-5.1-mini", "nope"), json={"messages": MSG}, headers=H),
        client.post(
            url, json={"messages": [{"role": "user", "content": CONTENT_FILTER_TRIGGER}]}, headers=H
        ),
        client.post(url, content=b"{", headers={**H, "content-type": "application/json"}),
    ]
    assert [e.status_code for e in errors] == [400, 401, 404, 400, 400]
    for error in errors:
        valid(spec_id, "errorResponse", error.json())


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_v1_bodies_and_chunks(client: httpx.Client, variant: str) -> None:
    body = {"model": "gpt-4o-mini", "messages": MSG, **VARIANTS[variant]}
    r = client.post("/openai/v1/chat/completions", json=body, headers=H)
    assert r.status_code == 200, r.text
    valid(V1, "AzureCreateChatCompletionResponse", r.json())
    stream = {**body, "stream": True, "stream_options": {"include_usage": True}}
    for chunk in chunks(client.post("/openai/v1/chat/completions", json=stream, headers=H)):
        valid(V1, "AzureCreateChatCompletionStreamResponse", chunk)


def test_v1_responses_models_and_errors(client: httpx.Client) -> None:
    r = client.post("/openai/v1/responses", json={"model": "gpt-4o-mini", "input": "Hi"}, headers=H)
    assert r.status_code == 200, r.text
    valid(V1, "AzureResponse", r.json())
    r = client.get("/openai/v1/models", headers=H)
    valid(V1, "OpenAI.ListModelsResponse", r.json())
    assert [m["id"] for m in r.json()["data"]] == [
        "gpt-4o-mini",
        "gpt-5.1-mini",
        "tiny-quota",
        "DeepSeek-R1",
        "MAI-DS-R1",
        "grok-3-mini",
    ]
    valid(V1, "OpenAI.Model", client.get("/openai/v1/models/gpt-4o-mini", headers=H).json())
    errors = [
        client.post("/openai/v1/chat/completions?api-version=2024-10-21", json={}, headers=H),
        client.post(
            "/openai/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": 3}, headers=H
        ),
        client.post("/openai/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": MSG}),
        client.post(
            "/openai/v1/chat/completions", json={"model": "nope", "messages": MSG}, headers=H
        ),
        client.get("/openai/v1/nothing-here", headers=H),
    ]
    assert [e.status_code for e in errors] == [400, 400, 401, 404, 404]
    for error in errors:
        valid(V1, "AzureErrorResponse", error.json())


@pytest.mark.parametrize(
    "variant", ["plain", "stop", "tool-required", "json-object", "json-schema"]
)
def test_foundry_bodies_and_chunks(client: httpx.Client, variant: str) -> None:
    url = "/models/chat/completions?api-version=2024-05-01-preview"
    body = {"messages": MSG, **VARIANTS[variant]}
    r = client.post(url, json=body, headers=H)
    assert r.status_code == 200, r.text
    valid(FOUNDRY, "ChatCompletions", r.json())
    stream = {**body, "stream": True}
    for chunk in chunks(client.post(url, json=stream, headers=H)):
        valid(FOUNDRY, "StreamingChatCompletionsUpdate", chunk)


def test_foundry_errors(client: httpx.Client) -> None:
    url = "/models/chat/completions?api-version=2024-05-01-preview"
    errors = [
        client.post(url, json={"messages": MSG, "n": 2}, headers=H),  # 422: n is extra here
        client.post(url, json={"messages": MSG}),  # 401
        client.post(url, json={"messages": MSG}, headers={**H, "azureml-model-deployment": "x"}),
        client.post("/chat/completions", json={"messages": MSG}, headers=H),  # no api-version
    ]
    assert [e.status_code for e in errors] == [422, 401, 404, 400]
    for error in errors:
        valid(FOUNDRY, "Azure.Core.Foundations.ErrorResponse", error.json())


def test_every_error_status_validates_on_every_surface() -> None:
    small = client_for(EmulatorConfig(max_body_bytes=200))
    big = b'{"messages": [{"role": "user", "content": "' + b"x" * 400 + b'"}]}'
    text = {**H, "content-type": "text/plain"}
    cases = {
        (
            "azure-openai-2024-10-21",
            "errorResponse",
        ): "/openai/deployments/tiny-quota/chat/completions?api-version=2024-10-21",
        (V1, "AzureErrorResponse"): "/openai/v1/chat/completions",
        (
            FOUNDRY,
            "Azure.Core.Foundations.ErrorResponse",
        ): "/models/chat/completions?api-version=2024-05-01-preview",
    }
    for (spec, schema), url in cases.items():
        body = {"messages": MSG, "model": "tiny-quota"}
        if spec == FOUNDRY:
            body = {"messages": MSG}
            url_headers = {**H, "azureml-model-deployment": "tiny-quota"}
        else:
            url_headers = H
        answers = [
            small.post(
                url, content=big, headers={**url_headers, "content-type": "application/json"}
            ),
            small.post(url, content=b"{}", headers={**url_headers, **text}),
            small.get(url, headers=url_headers),
            small.post(url, json=body, headers=url_headers),
            small.post(url, json=body, headers=url_headers),
            small.post(url, json=body, headers=url_headers),
        ]
        assert [a.status_code for a in answers] == [413, 415, 405, 200, 200, 429], spec
        for answer in answers[:3] + answers[5:]:
            valid(spec, schema, answer.json())
        small = client_for(EmulatorConfig(max_body_bytes=200))  # a fresh quota per surface


@pytest.mark.parametrize("version", ["2025-03-01-preview", "2025-04-01-preview"])
def test_dated_responses_api(client: httpx.Client, version: str) -> None:
    spec_id = f"azure-openai-{version}"
    url = f"/openai/responses?api-version={version}"
    r = client.post(url, json={"model": "gpt-4o-mini", "input": "Hi"}, headers=H)
    assert r.status_code == 200, r.text
    valid(spec_id, "response", r.json())
    assert r.json()["output"][0]["content"][0]["text"]
    # api-versions without the Responses API, or none at all: 404 (seed 000 checklist)
    for bad in ("/openai/responses?api-version=2024-10-21", "/openai/responses"):
        missing = client.post(bad, json={"model": "gpt-4o-mini", "input": "Hi"}, headers=H)
        assert missing.status_code == 404
        valid(spec_id, "errorResponse", missing.json())
