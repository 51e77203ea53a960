"""OpenAPI 3.0 schemas as JSON Schema draft 4, and validators of whole requests.

The normalised documents are OpenAPI 3.0.3. Their schemas become JSON Schema draft 4 by
turning ``nullable: true`` into ``anyOf [schema, null]`` (OpenAPI 3.0.3 §4.7.24.1) and
dropping the siblings of ``$ref`` and the keywords JSON Schema does not know. One converter
serves the emulator's body validation, the boundary-case generator and the schemathesis
phase's confirmation of negative cases (:func:`request_violations`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jsonschema_rs

__all__ = ["to_json_schema", "components_of", "compile_schema", "request_violations"]

_DROPPED = ("nullable", "discriminator", "example", "examples", "xml")


def to_json_schema(node: Any) -> Any:
    """A copy of an OpenAPI 3.0 schema tree as JSON Schema draft 4."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref: dict[str, Any] = {"$ref": node["$ref"]}
        return {"anyOf": [ref, {"type": "null"}]} if node.get("nullable") is True else ref
    out = {
        key: to_json_schema(value)
        for key, value in node.items()
        if key not in _DROPPED and not key.startswith("x-")
    }
    return {"anyOf": [out, {"type": "null"}]} if node.get("nullable") is True else out


def components_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document's component schemas, converted, under ``{"schemas": ...}``."""
    return {"schemas": to_json_schema(document.get("components", {}).get("schemas", {}))}


def compile_schema(schema: Any, components: Mapping[str, Any]) -> jsonschema_rs.Draft4Validator:
    """A draft-4 validator of a (converted) schema whose ``$ref``s point into ``components``."""
    return jsonschema_rs.Draft4Validator({"allOf": [schema], "components": dict(components)})


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    """A ``#/...`` reference of the document followed (parameters, request bodies)."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 8:
        target: Any = document
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node, seen = target, seen + 1
    return node


def _scalar(value: Any, schema: Mapping[str, Any]) -> Any:
    """A query or header value as the type its schema declares (they travel as text)."""
    if not isinstance(value, str) or schema.get("type") in (None, "string"):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def request_violations(
    document: Mapping[str, Any],
    method: str,
    path: str,
    *,
    query: Mapping[str, Any],
    headers: Mapping[str, str],
    body: Any,
    media_type: str | None,
    ignore_headers: frozenset[str] = frozenset(),
) -> list[str]:
    """Where a request, as it was sent, violates the operation ``method path`` of the spec.

    Empty when the request is valid. Only what the spec declares is judged: a query key or
    header it does not name is not a violation (OpenAPI does not forbid extra parameters),
    and headers named in ``ignore_headers`` (the run's own credentials) are left alone.
    """
    item = document.get("paths", {}).get(path, {})
    operation = item.get(method.lower())
    if not isinstance(operation, dict):
        return [f"{method} {path} is not an operation of the spec"]
    components = components_of(document)
    violations: list[str] = []
    lowered = {k.lower(): v for k, v in headers.items()}
    parameters = [
        _resolve(document, p)
        for p in (*item.get("parameters", []), *operation.get("parameters", []))
    ]
    for parameter in parameters:
        if not isinstance(parameter, dict) or parameter.get("in") not in ("query", "header"):
            continue
        name = str(parameter.get("name", ""))
        if parameter["in"] == "header":
            if name.lower() in ignore_headers:
                continue
            present, value = name.lower() in lowered, lowered.get(name.lower())
        else:
            present, value = name in query, query.get(name)
        if not present:
            if parameter.get("required"):
                violations.append(f"{parameter['in']} parameter {name!r} is required")
            continue
        schema = parameter.get("schema")
        if isinstance(schema, dict):
            validator = compile_schema(to_json_schema(schema), components)
            if not validator.is_valid(_scalar(value, schema)):
                violations.append(f"{parameter['in']} parameter {name!r}={value!r} is invalid")
    request_body = _resolve(document, operation.get("requestBody"))
    if isinstance(request_body, dict) and request_body:
        content = request_body.get("content", {})
        if body is None:
            if request_body.get("required"):
                violations.append("the request body is required")
        elif media_type is not None and media_type.split(";")[0].strip() not in content:
            violations.append(f"media type {media_type!r} is not documented")
        else:
            schema = (content.get("application/json") or {}).get("schema")
            if isinstance(schema, dict):
                validator = compile_schema(to_json_schema(schema), components)
                for error in validator.iter_errors(body):
                    where = "/".join(str(p) for p in error.instance_path)
                    violations.append(f"body/{where}: {error.message}"[:200])
                    break
    return violations
