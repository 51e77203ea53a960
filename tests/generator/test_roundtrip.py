"""Seed payloads parse into the generated models and serialise back equal.

Payloads are copied from the seeds (seed 003: the gateway's non-stream response and
stream chunks; seed 004: the Foundry sample request and response).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from aoai_conformance_generated.azure_openai_2024_10_21 import models as dated_ga
from aoai_conformance_generated.azure_openai_2025_04_01_preview import models as dated
from aoai_conformance_generated.foundry_model_inference_2024_05_01_preview import models as foundry

# seed 004, Examples: Sample Request
SEED_004_REQUEST: dict[str, Any] = {
    "messages": [
        {"role": "system", "content": "You are a helpful assistant"},
        {"role": "user", "content": "Explain Riemann's conjecture"},
        {
            "role": "assistant",
            "content": "The Riemann Conjecture is a deep mathematical conjecture around prime "
            "numbers and how they can be predicted.",
        },
        {"role": "user", "content": "Ist it proved?"},
    ],
    "frequency_penalty": 0,
    "presence_penalty": 0,
    "max_tokens": 256,
    "seed": 42,
    "stop": "<|endoftext|>",
    "stream": False,
    "temperature": 0,
    "top_p": 1,
    "response_format": {"type": "text"},
}
# seed 004, Examples: Sample Response
SEED_004_RESPONSE: dict[str, Any] = {
    "id": "1234567890",
    "model": "llama2-70b-chat",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "message": {"role": "assistant", "content": "No, it has never been proved"},
        }
    ],
    "created": 1234567890,
    "object": "chat.completion",
    "usage": {"prompt_tokens": 205, "completion_tokens": 5, "total_tokens": 210},
}
# seed 003, Non-Streaming Response
SEED_003_RESPONSE: dict[str, Any] = {
    "id": "chatcmpl-xyz123",
    "object": "chat.completion",
    "created": 1726041600,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello there! How can I help you today?"},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21},
}
# seed 003, Example streaming chunks: the data lines, verbatim (the fourth is invalid JSON)
SEED_003_STREAM = """\
data: {"choices":[{"delta":{"role":"assistant"},"index":0,"finish_reason":null}],"created":1726041600,"id":"chatcmpl-xyz","model":"gpt-4o-mini","object":"chat.completion.chunk"}

data: {"choices":[{"delta":{"content":"Hello"},"index":0,"finish_reason":null}],"created":1726041600,"id":"chatcmpl-xyz","model":"gpt-4o-mini","object":"chat.completion.chunk"}

data: {"choices":[{"delta":{"content":"there!"},"index":0,"finish_reason":null}],"created":1726041600,"id":"chatcmpl-xyz","model":"gpt-4o-mini","object":"chat.completion.chunk"}

data: {"choices":[{"delta":{"},"index":0,"finish_reason":"stop"}],"created":1726041600,"id":"chatcmpl-xyz","model":"gpt-4o-mini","object":"chat.completion.chunk"}

data: [DONE]
"""  # noqa: E501 - verbatim from the seed


def _data_lines() -> list[str]:
    lines = [line[len("data: ") :] for line in SEED_003_STREAM.splitlines() if line]
    assert lines[-1] == "[DONE]"
    return lines[:-1]


def _round_trip(model: type[BaseModel], payload: dict[str, Any]) -> dict[str, Any]:
    parsed = model.model_validate_json(json.dumps(payload))
    result: dict[str, Any] = json.loads(parsed.model_dump_json(by_alias=True, exclude_unset=True))
    return result


def test_seed_004_sample_request_round_trips_through_foundry_models() -> None:
    assert _round_trip(foundry.ChatCompletionsOptions, SEED_004_REQUEST) == SEED_004_REQUEST


def test_seed_004_sample_response_round_trips_through_foundry_models() -> None:
    assert _round_trip(foundry.ChatCompletions, SEED_004_RESPONSE) == SEED_004_RESPONSE


@pytest.mark.parametrize("models", [dated, dated_ga], ids=["2025-04-01-preview", "2024-10-21"])
def test_seed_003_non_stream_response_round_trips_through_dated_models(models: Any) -> None:
    assert _round_trip(models.CreateChatCompletionResponse, SEED_003_RESPONSE) == SEED_003_RESPONSE


@pytest.mark.parametrize("models", [dated, dated_ga], ids=["2025-04-01-preview", "2024-10-21"])
def test_seed_003_valid_stream_chunks_round_trip(models: Any) -> None:
    valid = _data_lines()[:3]
    for line in valid:
        chunk = models.CreateChatCompletionStreamResponse.model_validate_json(line)
        assert json.loads(chunk.model_dump_json(by_alias=True, exclude_unset=True)) == json.loads(
            line
        )
    first = models.CreateChatCompletionStreamResponse.model_validate_json(valid[0])
    assert first.choices[0].delta.role == "assistant"


def test_seed_003_malformed_chunk_is_rejected_not_skipped() -> None:
    lines = _data_lines()
    malformed = lines[3]
    assert '{"delta":{"}' in malformed
    with pytest.raises(ValidationError) as info:
        dated.CreateChatCompletionStreamResponse.model_validate_json(malformed)
    assert info.value.errors()[0]["type"] == "json_invalid"
    # parsing the whole stream fails at that chunk: nothing after it is silently accepted
    parsed: list[BaseModel] = []
    with pytest.raises(ValidationError):
        for line in lines:
            parsed.append(dated.CreateChatCompletionStreamResponse.model_validate_json(line))
    assert len(parsed) == 3


def test_models_reject_a_wrong_finish_reason() -> None:
    bad = json.loads(json.dumps(SEED_003_RESPONSE))
    bad["choices"][0]["finish_reason"] = "done"
    with pytest.raises(ValidationError):
        dated.CreateChatCompletionResponse.model_validate(bad)
