"""Deterministic JSON values that satisfy a JSON schema (tool arguments, json_schema output).

Covers the schema forms a tool's ``parameters`` or a ``response_format.json_schema``
uses in practice: ``type`` (or a list of types), ``enum``, ``const``, ``properties`` /
``required``, ``items`` / ``minItems`` / ``maxItems``, ``anyOf`` / ``oneOf`` / ``allOf``,
local ``$ref`` (``#/$defs/...``, ``#/definitions/...``), string ``format``s,
``minLength`` / ``maxLength`` and numeric bounds.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["instance_for"]

_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
_FORMATS = {
    "date-time": "2024-07-18T12:00:00Z",
    "date": "2024-07-18",
    "time": "12:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
    "hostname": "example.com",
}
_MAX_DEPTH = 8


def _resolve(root: Any, ref: str) -> Any:
    if not ref.startswith("#"):
        return {}
    node = root
    for raw in ref[1:].lstrip("/").split("/") if ref not in ("#", "#/") else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return {}
    return node


def _number(schema: dict[str, Any], rng: random.Random, integer: bool) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    high = schema.get("maximum", schema.get("exclusiveMaximum", low + 100))
    if isinstance(low, bool) or not isinstance(low, int | float):
        low = 0
    if isinstance(high, bool) or not isinstance(high, int | float):
        high = low + 100
    if "exclusiveMinimum" in schema:
        low = low + 1 if integer else low + 0.5
    if "exclusiveMaximum" in schema:
        high = high - 1 if integer else high - 0.5
    if integer:
        low_i, high_i = int(low), int(high)
        value = rng.randint(low_i, high_i) if low_i <= high_i else low_i
        multiple = schema.get("multipleOf")
        if isinstance(multiple, int) and multiple > 0:
            value -= value % multiple
            if value < low:
                value += multiple
        return value
    value_f: float = round(low + (high - low) * rng.random(), 2) if high >= low else low
    return value_f


def _string(schema: dict[str, Any], rng: random.Random) -> str:
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]
    text = rng.choice(_WORDS)
    minimum = schema.get("minLength", 0)
    maximum = schema.get("maxLength")
    while isinstance(minimum, int) and len(text) < minimum:
        text += " " + rng.choice(_WORDS)
    if isinstance(maximum, int):
        text = text[:maximum]
    return text


def _generate(schema: Any, root: Any, rng: random.Random, depth: int) -> Any:
    if schema is True or not isinstance(schema, dict):
        return rng.choice(_WORDS)
    if "$ref" in schema:
        return _generate(_resolve(root, str(schema["$ref"])), root, rng, depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][rng.randrange(len(schema["enum"]))]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            return _generate((non_null or options)[0], root, rng, depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = (
                _resolve(root, part["$ref"]) if isinstance(part, dict) and "$ref" in part else part
            )
            if isinstance(part, dict):
                merged.setdefault("properties", {}).update(part.get("properties", {}))
                merged["required"] = list(merged.get("required", [])) + list(
                    part.get("required", [])
                )
                for key, value in part.items():
                    if key not in ("properties", "required"):
                        merged.setdefault(key, value)
        return _generate(merged, root, rng, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        props = schema.get("properties", {}) if isinstance(schema.get("properties"), dict) else {}
        required = schema.get("required", []) if isinstance(schema.get("required"), list) else []
        # Strict structured outputs require every property; include them all unless deep.
        names = list(props) if depth < _MAX_DEPTH else [n for n in props if n in required]
        return {name: _generate(props[name], root, rng, depth + 1) for name in names}
    if kind == "array":
        low = schema.get("minItems", 1 if depth < _MAX_DEPTH else 0)
        high = schema.get("maxItems")
        count = low if isinstance(low, int) else 1
        if isinstance(high, int):
            count = min(count, high)
        items = schema.get("items", {})
        return [_generate(items, root, rng, depth + 1) for _ in range(count)]
    if kind == "integer":
        return _number(schema, rng, integer=True)
    if kind == "number":
        return _number(schema, rng, integer=False)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return _string(schema, rng)


def instance_for(schema: Any, seed: int) -> Any:
    """A value valid for ``schema``; the same schema and seed always give the same value."""
    return _generate(schema, schema, random.Random(seed), 0)
