"""Every rule of the breaking-change table fires on a minimal spec pair, with the right verdict."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from generator.diff import RULES, SpecRef, diff_documents, flatten_schema, rules_markdown
from tests.support import ROOT

Doc = dict[str, Any]
_REF = SpecRef("old", None, None, None)
_NEW = SpecRef("new", None, None, None)


def spec(
    request: Doc | None = None,
    response: Doc | None = None,
    *,
    params: list[Doc] | None = None,
    request_media: str = "application/json",
    response_media: str = "application/json",
    extra_responses: dict[str, Doc] | None = None,
    body_required: bool = True,
    headers: dict[str, Doc] | None = None,
) -> Doc:
    """A one-operation spec: POST /deployments/{deployment-id}/chat/completions."""
    responses: dict[str, Doc] = {
        "200": {
            "description": "OK",
            "content": {response_media: {"schema": response or {"type": "object"}}},
        }
    }
    if headers:
        responses["200"]["headers"] = headers
    responses.update(extra_responses or {})
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/deployments/{deployment-id}/chat/completions": {
                "post": {
                    "operationId": "ChatCompletions_Create",
                    "parameters": params or [],
                    "requestBody": {
                        "required": body_required,
                        "content": {request_media: {"schema": request or {"type": "object"}}},
                    },
                    "responses": responses,
                }
            }
        },
    }


def obj(required: list[str] | None = None, **properties: Doc) -> Doc:
    schema: Doc = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


S = {"type": "string"}
QUERY = {"in": "query", "name": "api-version", "required": True, "schema": S}


def _rules(old: Doc, new: Doc) -> set[tuple[str, str]]:
    diff = diff_documents(old, new, old_ref=_REF, new_ref=_NEW)
    return {(c.rule_id, c.path) for c in diff.changes}


CASES: list[tuple[str, Doc, Doc, tuple[str, str]]] = [
    ("operation removed", spec(), {"openapi": "3.0.3", "paths": {}}, ("operation-removed", "")),
    ("operation added", {"openapi": "3.0.3", "paths": {}}, spec(), ("operation-added", "")),
    ("parameter removed", spec(params=[QUERY]), spec(), ("parameter-removed", "query api-version")),
    (
        "required parameter added",
        spec(),
        spec(params=[QUERY]),
        ("parameter-added-required", "query api-version"),
    ),
    (
        "optional parameter added",
        spec(),
        spec(params=[{**QUERY, "required": False}]),
        ("parameter-added-optional", "query api-version"),
    ),
    (
        "parameter became required",
        spec(params=[{**QUERY, "required": False}]),
        spec(params=[QUERY]),
        ("request-became-required", "query api-version"),
    ),
    ("request field removed", spec(obj(a=S, b=S)), spec(obj(a=S)), ("request-field-removed", "b")),
    (
        "required request field added",
        spec(obj(a=S)),
        spec(obj(["b"], a=S, b=S)),
        ("request-field-added-required", "b"),
    ),
    (
        "optional request field added",
        spec(obj(a=S)),
        spec(obj(a=S, b=S)),
        ("request-field-added-optional", "b"),
    ),
    (
        "request field became required",
        spec(obj(a=S)),
        spec(obj(["a"], a=S)),
        ("request-became-required", "a"),
    ),
    (
        "request field became optional",
        spec(obj(["a"], a=S)),
        spec(obj(a=S)),
        ("request-became-optional", "a"),
    ),
    (
        "request body became optional",
        spec(obj(a=S)),
        spec(obj(a=S), body_required=False),
        ("request-became-optional", ""),
    ),
    (
        "request enum narrowed",
        spec(obj(a={"type": "string", "enum": ["x", "y"]})),
        spec(obj(a={"type": "string", "enum": ["x"]})),
        ("request-enum-narrowed", "a"),
    ),
    (
        "request enum widened",
        spec(obj(a={"type": "string", "enum": ["x"]})),
        spec(obj(a={"type": "string", "enum": ["x", "y"]})),
        ("request-enum-widened", "a"),
    ),
    (
        "request type widened",
        spec(obj(stop=S)),
        spec(obj(stop={"oneOf": [S, {"type": "array", "items": S}]})),
        ("request-type-widened", "stop"),
    ),
    (
        "request type changed",
        spec(obj(n={"type": "string"})),
        spec(obj(n={"type": "integer"})),
        ("request-type-changed", "n"),
    ),
    (
        "request became nullable",
        spec(obj(a=S)),
        spec(obj(a={**S, "nullable": True})),
        ("request-nullable-added", "a"),
    ),
    (
        "request no longer nullable",
        spec(obj(a={**S, "nullable": True})),
        spec(obj(a=S)),
        ("request-nullable-removed", "a"),
    ),
    (
        "request content type removed",
        spec(),
        spec(request_media="multipart/form-data"),
        ("request-media-type-removed", ""),
    ),
    (
        "request content type added",
        spec(request_media="multipart/form-data"),
        spec(),
        ("request-media-type-added", ""),
    ),
    (
        "2xx response removed",
        spec(extra_responses={"201": {"description": "x"}}),
        spec(),
        ("response-removed", ""),
    ),
    (
        "error response removed",
        spec(extra_responses={"429": {"description": "x"}}),
        spec(),
        ("response-error-removed", ""),
    ),
    (
        "response added",
        spec(),
        spec(extra_responses={"429": {"description": "x"}}),
        ("response-added", ""),
    ),
    (
        "response content type removed",
        spec(),
        spec(response_media="text/event-stream"),
        ("response-media-type-removed", ""),
    ),
    (
        "response content type added",
        spec(response_media="text/event-stream"),
        spec(),
        ("response-media-type-added", ""),
    ),
    (
        "response field removed",
        spec(response=obj(a=S, b=S)),
        spec(response=obj(a=S)),
        ("response-field-removed", "b"),
    ),
    (
        "response field added",
        spec(response=obj(a=S)),
        spec(response=obj(a=S, b=S)),
        ("response-field-added", "b"),
    ),
    (
        "response field no longer required",
        spec(response=obj(["a"], a=S)),
        spec(response=obj(a=S)),
        ("response-became-optional", "a"),
    ),
    (
        "response field became required",
        spec(response=obj(a=S)),
        spec(response=obj(["a"], a=S)),
        ("response-became-required", "a"),
    ),
    (
        "response enum widened",
        spec(response=obj(f={"type": "string", "enum": ["stop"]})),
        spec(response=obj(f={"type": "string", "enum": ["stop", "length"]})),
        ("response-enum-widened", "f"),
    ),
    (
        "response enum narrowed",
        spec(response=obj(f={"type": "string", "enum": ["stop", "length"]})),
        spec(response=obj(f={"type": "string", "enum": ["stop"]})),
        ("response-enum-narrowed", "f"),
    ),
    (
        "response type narrowed",
        spec(response=obj(n={"type": "number"})),
        spec(response=obj(n={"type": "integer"})),
        ("response-type-narrowed", "n"),
    ),
    (
        "response type changed",
        spec(response=obj(n={"type": "integer"})),
        spec(response=obj(n={"type": "number"})),
        ("response-type-changed", "n"),
    ),
    (
        "response became nullable",
        spec(response=obj(a=S)),
        spec(response=obj(a={**S, "nullable": True})),
        ("response-nullable-added", "a"),
    ),
    (
        "response no longer nullable",
        spec(response=obj(a={**S, "nullable": True})),
        spec(response=obj(a=S)),
        ("response-nullable-removed", "a"),
    ),
    (
        "default changed",
        spec(obj(t={"type": "number", "default": 1})),
        spec(obj(t={"type": "number", "default": 0.7})),
        ("default-changed", "t"),
    ),
    (
        "response header removed",
        spec(headers={"apim-request-id": {"schema": S}}),
        spec(),
        ("response-header-removed", "apim-request-id"),
    ),
    (
        "response header added",
        spec(),
        spec(headers={"x-ms-error-code": {"schema": S}}),
        ("response-header-added", "x-ms-error-code"),
    ),
    (
        "field deprecated",
        spec(obj(max_tokens={"type": "integer"})),
        spec(obj(max_tokens={"type": "integer", "deprecated": True})),
        ("deprecated", "max_tokens"),
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule_fires(old: Doc, new: Doc, expected: tuple[str, str]) -> None:
    assert expected in _rules(old, new)


def test_every_rule_has_a_case() -> None:
    covered = {case[3][0] for case in CASES}
    assert covered == {r.id for r in RULES}


def test_identical_specs_have_no_changes() -> None:
    doc = spec(obj(["a"], a=S), obj(b={"type": "string", "enum": ["x"]}), params=[QUERY])
    assert diff_documents(doc, copy.deepcopy(doc), old_ref=_REF, new_ref=_NEW).operations == []


def test_verdicts_follow_the_table() -> None:
    """The headline cases of issue 6, with their verdicts."""
    breaking = {r.id for r in RULES if r.breaking}
    assert {
        "response-field-removed",
        "request-field-added-required",
        "request-enum-narrowed",
        "operation-removed",
        "request-type-changed",
        "response-type-changed",
    } <= breaking
    assert (
        not {
            "parameter-added-optional",
            "response-field-added",
            "request-enum-widened",
            "operation-added",
        }
        & breaking
    )


def test_readme_shows_the_rule_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert rules_markdown() in readme, (
        "README's rule table is stale: paste rules_markdown() into it"
    )


# -- the schema walker --------------------------------------------------------------------


def test_dotted_paths_through_refs_allof_and_arrays() -> None:
    doc: Doc = {
        "components": {
            "schemas": {
                "Resp": obj(
                    choices={"type": "array", "items": {"$ref": "#/components/schemas/Choice"}}
                ),
                "Choice": obj(message={"allOf": [{"$ref": "#/components/schemas/Msg"}]}),
                "Msg": obj(tool_calls={"type": "array", "items": obj(function=obj(arguments=S))}),
            }
        }
    }
    fields = flatten_schema(doc, {"$ref": "#/components/schemas/Resp"}, "response")
    assert "choices[].message.tool_calls[].function.arguments" in fields
    assert fields["choices[].message.tool_calls[].function.arguments"].types == {"string"}


def test_cycles_are_cut_not_followed() -> None:
    doc: Doc = {
        "components": {
            "schemas": {
                "Node": obj(
                    label=S,
                    children={"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                ),
                "A": {"allOf": [{"$ref": "#/components/schemas/B"}]},
                "B": {"anyOf": [{"$ref": "#/components/schemas/A"}, obj(x=S)]},
            }
        }
    }
    fields = flatten_schema(doc, {"$ref": "#/components/schemas/Node"}, "request")
    assert fields["children[]"].recursive
    assert "children[].label" not in fields
    assert "x" in flatten_schema(doc, {"$ref": "#/components/schemas/A"}, "request")


def test_union_merges_variants() -> None:
    doc: Doc = {}
    message = {
        "oneOf": [
            obj(["role", "content"], role={"type": "string", "enum": ["system"]}, content=S),
            obj(["role"], role={"type": "string", "enum": ["user"]}, content=S, name=S),
        ]
    }
    fields = flatten_schema(doc, message, "request")
    assert fields["role"].enum == {'"system"', '"user"'} and fields["role"].required
    assert not fields["content"].required  # required by one variant only
    assert "name" in fields


def test_read_only_fields_are_not_request_fields() -> None:
    schema = obj(id={**S, "readOnly": True}, name=S)
    assert "id" not in flatten_schema({}, schema, "request")
    assert "id" in flatten_schema({}, schema, "response")


def test_rule_ids_are_kebab_case() -> None:
    assert all(re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", r.id) for r in RULES)


def test_discriminator_mapping_stands_for_its_subtypes() -> None:
    """TypeSpec output (the v1 spec): a base with discriminator.mapping and allOf subtypes."""
    base_ref = {"$ref": "#/components/schemas/Msg"}
    doc: Doc = {
        "components": {
            "schemas": {
                "Msg": {
                    **obj(["role"], role={"type": "string", "enum": ["user", "tool"]}),
                    "discriminator": {
                        "propertyName": "role",
                        "mapping": {
                            "user": "#/components/schemas/UserMsg",
                            "tool": "#/components/schemas/ToolMsg",
                        },
                    },
                },
                "UserMsg": {"allOf": [base_ref, obj(name=S)]},
                "ToolMsg": {"allOf": [base_ref, obj(["tool_call_id"], tool_call_id=S)]},
            }
        }
    }
    wrapped = {"allOf": [base_ref], "description": "a lone allOf only attaches a description"}
    for schema in (base_ref, wrapped):
        fields = flatten_schema(doc, {"type": "array", "items": schema}, "request")
        assert {"[].role", "[].name", "[].tool_call_id"} <= set(fields)
        assert fields["[].role"].required and not fields["[].tool_call_id"].required
    # A subtype reached directly is only itself plus its base, not its siblings.
    user = flatten_schema(doc, {"$ref": "#/components/schemas/UserMsg"}, "request")
    assert set(user) == {"", "role", "name"}
