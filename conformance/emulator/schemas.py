"""Compiled JSON-schema validators for the normalised upstream specs.

The normalised documents are OpenAPI 3.0.3; their schemas become JSON Schema draft 4
by turning ``nullable: true`` into ``anyOf [schema, null]`` (OpenAPI 3.0.3 §4.7.24.1,
nullable) and dropping the siblings of ``$ref``. Specs are loaded lazily, once per
process, and each validator is compiled once (jsonschema-rs), so the hot path pays only
for the validation itself.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import jsonschema_rs

from generator.spec import load_spec
from generator.spec.json_schema import to_json_schema

__all__ = ["to_json_schema", "validator", "first_error", "schema_of", "SchemaError"]

_LOCK = threading.Lock()


class SchemaError(Exception):
    """A named schema is missing from a spec (a programming error, not a user error)."""


@lru_cache(maxsize=16)
def _components(spec_id: str) -> dict[str, Any]:
    doc = load_spec(spec_id).document
    return {"schemas": to_json_schema(doc.get("components", {}).get("schemas", {}))}


def schema_of(spec_id: str, name: str) -> dict[str, Any]:
    """The (converted) component schema ``name`` of spec ``spec_id``."""
    schemas = _components(spec_id)["schemas"]
    if name not in schemas:
        raise SchemaError(f"spec {spec_id!r} has no schema {name!r}")
    schema: dict[str, Any] = schemas[name]
    return schema


@lru_cache(maxsize=64)
def _compiled(spec_id: str, name: str) -> jsonschema_rs.Draft4Validator:
    schema_of(spec_id, name)
    root = {"$ref": f"#/components/schemas/{name}", "components": _components(spec_id)}
    return jsonschema_rs.Draft4Validator(root)


def validator(spec_id: str, name: str) -> jsonschema_rs.Draft4Validator:
    """A compiled validator for ``#/components/schemas/{name}`` (compiled once)."""
    with _LOCK:
        return _compiled(spec_id, name)


def _pointer(path: Any) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def first_error(compiled: jsonschema_rs.Draft4Validator, instance: Any) -> tuple[str, str] | None:
    """``(field, message)`` of the most specific error, or ``None`` when valid."""
    if compiled.is_valid(instance):
        return None
    best: Any = None
    for error in compiled.iter_errors(instance):
        if best is None or len(error.instance_path) > len(best.instance_path):
            best = error
    if best is None:  # pragma: no cover - is_valid said otherwise
        return None
    return _pointer(best.instance_path), str(best.message)
