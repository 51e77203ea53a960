"""Each normalisation rule on a small document made for the test, plus the real specs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.errors import InvalidSpecError
from generator.spec.normalize import (
    RULES,
    annotation_not_string,
    check_local_refs,
    drop_external_refs,
    normalize,
    openapi31_to_30,
    swagger2_to_openapi3,
)


def _doc31() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "A": {
                    "type": "object",
                    "properties": {
                        "maybe": {"type": ["string", "null"]},
                        "either": {"type": ["string", "integer"]},
                        "kind": {"const": "a"},
                        "n": {"type": "integer", "exclusiveMinimum": 0},
                        "tags": {"type": "array", "examples": [["x"]]},
                        "const": {"type": "string"},
                    },
                }
            }
        },
    }


def test_openapi31_to_30_rewrites_31_only_constructs() -> None:
    doc = _doc31()
    changes = openapi31_to_30(doc)
    props = doc["components"]["schemas"]["A"]["properties"]
    assert doc["openapi"] == "3.0.3"
    assert props["maybe"] == {"type": "string", "nullable": True}
    assert props["either"] == {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    assert props["kind"] == {"enum": ["a"]}
    assert props["n"] == {"type": "integer", "minimum": 0, "exclusiveMinimum": True}
    assert props["tags"] == {"type": "array", "example": ["x"]}
    # A property *named* const is a schema, not a keyword.
    assert props["const"] == {"type": "string"}
    wheres = {c.where for c in changes}
    assert "#/components/schemas/A/properties/maybe/type" in wheres
    assert all(c.rule == "openapi31-to-30" for c in changes)


def test_annotation_not_string_replaces_ref_with_target_description() -> None:
    doc = {
        "components": {
            "schemas": {
                "Meta": {"type": "object", "description": "Set of key-value pairs."},
                "createResponse": {
                    "type": "object",
                    "properties": {
                        "metadata": {"description": {"$ref": "#/components/schemas/Meta"}},
                        "description": {"type": "string"},
                    },
                },
                "Other": {"title": 42},
            }
        }
    }
    changes = annotation_not_string(doc)
    props = doc["components"]["schemas"]["createResponse"]["properties"]
    assert props["metadata"]["description"] == "Set of key-value pairs."
    assert props["description"] == {"type": "string"}  # a property named description stays
    assert "title" not in doc["components"]["schemas"]["Other"]
    assert [(c.where, c.after) for c in changes] == [
        (
            "#/components/schemas/createResponse/properties/metadata/description",
            '"Set of key-value pairs."',
        ),
        ("#/components/schemas/Other/title", "removed"),
    ]


def test_drop_external_refs_removes_examples_and_rejects_other_external_refs() -> None:
    doc = {"paths": {"/x": {"post": {"x-ms-examples": {"a": {"$ref": "./examples/a.json"}}}}}}
    changes = drop_external_refs(doc)
    assert doc == {"paths": {"/x": {"post": {}}}}
    assert changes[0].where == "#/paths/~1x/post/x-ms-examples"
    with pytest.raises(InvalidSpecError, match=r"external \$ref 'other.json#/A'"):
        drop_external_refs({"components": {"schemas": {"B": {"$ref": "other.json#/A"}}}})


def test_check_local_refs_names_the_first_broken_ref() -> None:
    good = {"components": {"schemas": {"A": {}, "B": {"$ref": "#/components/schemas/A"}}}}
    assert check_local_refs(good) == []
    bad = {"components": {"schemas": {"B": {"$ref": "#/components/schemas/Nope"}}}}
    with pytest.raises(InvalidSpecError) as info:
        check_local_refs(bad)
    assert str(info.value) == (
        "1 unresolvable $ref(s), first '#/components/schemas/Nope' at "
        "#/components/schemas/B: the spec is incomplete; fix or re-fetch it"
    )


SWAGGER: dict[str, Any] = {
    "swagger": "2.0",
    "info": {"title": "t", "version": "1"},
    "x-ms-parameterized-host": {
        "hostTemplate": "https://{resource}.services.ai.azure.com/models",
        "parameters": [{"name": "resource", "in": "path", "type": "string"}],
    },
    "produces": ["application/json"],
    "consumes": ["application/json"],
    "securityDefinitions": {
        "ApiKeyAuth": {"type": "apiKey", "name": "api-key", "in": "header"},
        "OAuth2Auth": {
            "type": "oauth2",
            "flow": "implicit",
            "authorizationUrl": "https://login.example/authorize",
            "scopes": {"https://cognitiveservices.azure.com/.default": ""},
        },
    },
    "parameters": {
        "ApiVersion": {"name": "api-version", "in": "query", "required": True, "type": "string"}
    },
    "paths": {
        "/chat/completions": {
            "post": {
                "operationId": "Chat",
                "parameters": [
                    {"$ref": "#/parameters/ApiVersion"},
                    {
                        "name": "extra-parameters",
                        "in": "header",
                        "type": "string",
                        "enum": ["error", "drop"],
                    },
                    {
                        "name": "body",
                        "in": "body",
                        "required": True,
                        "schema": {"$ref": "#/definitions/Req"},
                    },
                ],
                "responses": {
                    "200": {"description": "ok", "schema": {"$ref": "#/definitions/Msg"}},
                    "default": {
                        "description": "err",
                        "schema": {"$ref": "#/definitions/Msg"},
                        "headers": {"x-ms-error-code": {"type": "string"}},
                    },
                },
            }
        }
    },
    "definitions": {
        "Req": {"type": "object", "properties": {"n": {"type": "integer", "x-nullable": True}}},
        "Msg": {
            "type": "object",
            "discriminator": "role",
            "properties": {"role": {"type": "string"}},
        },
        "UserMsg": {"x-ms-discriminator-value": "user", "allOf": [{"$ref": "#/definitions/Msg"}]},
    },
}


def test_swagger2_to_openapi3_converts_every_part() -> None:
    doc = copy.deepcopy(SWAGGER)
    changes = swagger2_to_openapi3(doc)
    assert changes[0].before == "swagger 2.0" and changes[0].after == "openapi 3.0.3"
    assert doc["openapi"] == "3.0.3" and "swagger" not in doc and "definitions" not in doc
    assert doc["servers"][0]["url"] == "https://{resource}.services.ai.azure.com/models"
    op = doc["paths"]["/chat/completions"]["post"]
    assert op["parameters"][0] == {"$ref": "#/components/parameters/ApiVersion"}
    assert op["parameters"][1]["schema"] == {"type": "string", "enum": ["error", "drop"]}
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Req"
    }
    assert op["responses"]["default"]["headers"]["x-ms-error-code"]["schema"] == {"type": "string"}
    schemas = doc["components"]["schemas"]
    assert schemas["Req"]["properties"]["n"] == {"type": "integer", "nullable": True}
    assert schemas["Msg"]["discriminator"] == {
        "propertyName": "role",
        "mapping": {"user": "#/components/schemas/UserMsg"},
    }
    schemes = doc["components"]["securitySchemes"]
    assert schemes["OAuth2Auth"]["flows"]["implicit"]["scopes"] == {
        "https://cognitiveservices.azure.com/.default": ""
    }
    assert doc["components"]["parameters"]["ApiVersion"]["schema"] == {"type": "string"}
    check_local_refs(doc)  # every rewritten ref resolves


def test_normalize_runs_rules_by_source_format() -> None:
    names = [r.name for r in RULES]
    assert names == [
        "swagger2-to-openapi3",
        "openapi31-to-30",
        "drop-external-refs",
        "annotation-not-string",
        "check-local-refs",
    ]
    doc = _doc31()
    changes = normalize(doc, "openapi 3.1.0")
    assert {c.rule for c in changes} == {"openapi31-to-30"}
    untouched = _doc31()
    untouched["openapi"] = "3.0.0"
    assert normalize(untouched, "openapi 3.0.0") == []
