"""The official openai SDK reads the emulator's Responses API, streamed and not."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest

from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app
from conformance.emulator.server import serve
from tests.support import requires_mirror

pytestmark = requires_mirror

LONG = "Describe the water cycle in detail, in at least three paragraphs."
TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


@pytest.fixture(scope="module")
def client() -> Iterator[openai.OpenAI]:
    with serve(create_app(EmulatorConfig())) as url:
        yield openai.OpenAI(base_url=f"{url}/openai/v1/", api_key=DEFAULT_API_KEY, max_retries=0)


def test_create_stream_true_yields_the_documented_sequence(client: openai.OpenAI) -> None:
    events = list(
        client.responses.create(
            model="gpt-4o-mini", input="Say hello.", max_output_tokens=16, stream=True
        )
    )
    types = [e.type for e in events]
    assert types[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert types[-1] == "response.completed"
    numbers = [e.sequence_number for e in events]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    final = events[-1].response  # type: ignore[union-attr]
    assert deltas and final.output_text == deltas
    assert final.output[0].type == "message"
    assert final.output[0].content[0].type == "output_text"  # type: ignore[union-attr]
    usage = final.usage
    assert usage is not None
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    plain = client.responses.create(model="gpt-4o-mini", input="Say hello.", max_output_tokens=16)
    assert plain.output_text == deltas  # deterministic: the same answer either way


def test_responses_stream_helper_accumulates_the_final_response(client: openai.OpenAI) -> None:
    with client.responses.stream(model="gpt-4o-mini", input="Say hello.") as stream:
        texts = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert final.status == "completed" and final.output_text == "".join(texts)


def test_max_output_tokens_ends_incomplete(client: openai.OpenAI) -> None:
    with client.responses.stream(model="gpt-4o-mini", input=LONG, max_output_tokens=16) as stream:
        last = None
        for event in stream:
            last = event
    assert last is not None and last.type == "response.incomplete"
    response = last.response  # type: ignore[union-attr]
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.usage is not None and response.usage.output_tokens == 16


def test_function_tool_call_streams_its_arguments(client: openai.OpenAI) -> None:
    with client.responses.stream(
        model="gpt-4o-mini",
        input="What is the weather in Oslo?",
        tools=[TOOL],  # type: ignore[list-item]
        tool_choice="required",
    ) as stream:
        pieces = [e.delta for e in stream if e.type == "response.function_call_arguments.delta"]
        final = stream.get_final_response()
    call = final.output[0]
    assert call.type == "function_call" and call.name == "get_weather"
    assert "".join(pieces) == call.arguments
    assert isinstance(json.loads(call.arguments)["city"], str)
