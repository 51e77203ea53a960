"""Naming rules: PascalCase/snake_case, singulars, distinguishing parts, no numbers."""

from __future__ import annotations

import pytest

from generator.codegen.naming import (
    distinct_parts,
    joined,
    pascal,
    singular,
    snake,
    strip_namespace,
)
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


@pytest.mark.parametrize(
    ("owner", "label", "expected"),
    [
        # the label's first words end the owner: said once
        (
            "ChatCompletionRequestMessageContentPartImage",
            "ImageUrl",
            "ChatCompletionRequestMessageContentPartImageUrl",
        ),
        # the repeat is in the middle, followed only by "Object": both go
        (
            "MessageContentTextAnnotationsFileCitationObject",
            "FileCitation",
            "MessageContentTextAnnotationsFileCitation",
        ),
        (
            "RunStepDetailsToolCallsCodeObject",
            "CodeInterpreter",
            "RunStepDetailsToolCallsCodeInterpreter",
        ),
        ("MessageDeltaObject", "Delta", "MessageDelta"),
        # a label the owner ends with in full is kept: the name would be the owner's
        ("VectorStoreChunkingStrategyStatic", "Static", "VectorStoreChunkingStrategyStaticStatic"),
        ("ToolObject", "Object", "ToolObjectObject"),
        # a repeat followed by meaningful words is not dropped
        (
            "AzureContentFilterResultForPrompt",
            "ContentFilterResults",
            "AzureContentFilterResultForPromptContentFilterResults",
        ),
        ("CreateChatCompletionResponse", "Choice", "CreateChatCompletionResponseChoice"),
    ],
)
def test_joined_drops_repeated_words(owner: str, label: str, expected: str) -> None:
    assert joined(owner, label) == expected


def test_shortened_name_falls_back_to_the_full_name_when_taken() -> None:
    inline = {"type": "object", "properties": {"file_id": {"type": "string"}}}
    doc = {
        "openapi": "3.0.3",
        "paths": {},
        "components": {
            "schemas": {
                "FileCitationObject": {"type": "object", "properties": {"file_citation": inline}},
                "FileCitation": {"type": "object", "properties": {"quote": {"type": "string"}}},
                "FilePathObject": {"type": "object", "properties": {"file_path": inline}},
            }
        },
    }
    problems = Problems("t")
    schemas = prepare(doc, problems).document["components"]["schemas"]
    assert schemas["FileCitationObject"]["properties"]["file_citation"] == {
        "$ref": "#/components/schemas/FileCitationObjectFileCitation"
    }
    assert schemas["FilePathObject"]["properties"]["file_path"] == {
        "$ref": "#/components/schemas/FilePath"
    }
    assert list(problems) == []


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
