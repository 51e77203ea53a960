"""Naming rules: PascalCase/snake_case, singulars, distinguishing parts, no numbers."""

from __future__ import annotations

import pytest

from generator.codegen.naming import distinct_parts, pascal, singular, snake, strip_namespace
from generator.codegen.prepare import prepare
from generator.codegen.problems import Problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chatCompletionRequestMessage", "ChatCompletionRequestMessage"),
        ("image_url", "ImageUrl"),
        ("OpenAI.ChatCompletionTool", "OpenAIChatCompletionTool"),
        ("thread.run.created", "ThreadRunCreated"),
        ("1024x1024", "N1024x1024"),
    ],
)
def test_pascal(text: str, expected: str) -> None:
    assert pascal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ChatCompletions_Create", "chat_completions_create"),
        ("createChatCompletion", "create_chat_completion"),
        ("deployment-id", "deployment_id"),
        ("include[]", "include"),
        ("GetJSONSchema", "get_json_schema"),
        ("from", "from_"),
        ("body", "body_"),
    ],
)
def test_snake(text: str, expected: str) -> None:
    assert snake(text) == expected


def test_singular_and_namespaces() -> None:
    assert singular("Choices") == "Choice"
    assert singular("Entries") == "Entry"
    assert singular("Indexes") == "Index"
    assert singular("Status") is None
    assert singular("Data") is None
    assert strip_namespace("Azure.Core.Foundations.Error") == "Error"


def test_distinct_parts() -> None:
    names = ["ChatCompletionRequestSystemMessage", "ChatCompletionRequestUserMessage"]
    assert distinct_parts(names) == ["System", "User"]
    assert distinct_parts(["Same", "Same"]) == ["Same", "Same"]


def test_namespaces_kept_only_when_short_names_clash() -> None:
    doc = {
        "openapi": "3.0.3",
        "paths": {},
        "components": {
            "schemas": {
                "OpenAI.Error": {"type": "object", "properties": {"m": {"type": "string"}}},
                "Azure.Error": {"type": "object", "properties": {"c": {"type": "string"}}},
                "OpenAI.Tool": {"type": "object", "properties": {"t": {"type": "string"}}},
                "Field": {"type": "object", "properties": {"f": {"type": "string"}}},
            }
        },
    }
    problems = Problems("t")
    prepared = prepare(doc, problems)
    assert prepared.class_names == {
        "OpenAI.Error": "OpenAIError",
        "Azure.Error": "AzureError",
        "OpenAI.Tool": "Tool",
        "Field": "FieldSchema",  # would shadow pydantic's Field in models.py
    }
    assert [p.location for p in problems] == ["#/components/schemas/Field"]
    assert doc["components"]["schemas"].keys() == {
        "OpenAI.Error",
        "Azure.Error",
        "OpenAI.Tool",
        "Field",
    }  # the input is not modified
