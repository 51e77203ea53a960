"""Flatten a JSON schema into dotted field paths, each with the facts a client depends on.

``choices[].message.tool_calls[].function.arguments`` style paths: ``.name`` for an
object property, ``[]`` for array items, ``{}`` for additionalProperties values.
``$ref``, ``allOf``, ``oneOf`` and ``anyOf`` are followed; the variants of a union are
merged (a field is present if any variant has it, required only if every variant that
declares it requires it). A ``$ref`` already on the current path is a cycle: the field
is recorded but not expanded again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["FieldShape", "flatten_schema", "join_path", "parent_path", "MAX_DEPTH"]

Side = Literal["request", "response"]

SCALARS = frozenset({"string", "number", "integer", "boolean"})
MAX_DEPTH = 16  # nesting deeper than this is not expanded (no real chat schema comes close)
_ITEM_TOKENS = ("[]", "{}")


@dataclass(frozen=True)
class FieldShape:
    """What a client sees of one field."""

    types: frozenset[str]  # empty = any type
    required: bool
    nullable: bool
    enum: frozenset[str] | None  # JSON-encoded values; None = not an enum (open)
    default: str | None  # JSON-encoded default, if any
    recursive: bool = False  # a cycle was cut here
    deprecated: bool = False

    def describe_type(self) -> str:
        text = "|".join(sorted(self.types)) or "any"
        return text + (", nullable" if self.nullable else "")


@dataclass
class _Summary:
    """A schema with its $ref/allOf/oneOf/anyOf folded into one view."""

    types: set[str] = field(default_factory=set)
    nullable: bool = False
    enum: set[str] | None = None
    default: str | None = None
    properties: dict[str, list[Any]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    items: list[Any] = field(default_factory=list)
    additional: list[Any] = field(default_factory=list)
    refs: set[str] = field(default_factory=set)
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False


def join_path(prefix: str, token: str) -> str:
    if token in _ITEM_TOKENS or not prefix:
        return prefix + token
    return f"{prefix}.{token}"


def parent_path(path: str) -> str | None:
    """``a.b[]`` → ``a.b``; ``a.b`` → ``a``; ``a`` → ``""``; ``""`` → None."""
    if not path:
        return None
    if path.endswith(_ITEM_TOKENS):
        return path[:-2]
    cut = path.rfind(".")
    return path[:cut] if cut >= 0 else ""


def _encode(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


class _Flattener:
    def __init__(self, document: dict[str, Any], side: Side) -> None:
        self.document = document
        self.side = side
        self.memo: dict[tuple[int, ...], _Summary] = {}
        self.out: dict[str, FieldShape] = {}

    # -- folding one schema (or a union of schemas) into a summary ---------------------

    def _deref(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            return {}  # external refs are not followed (normalised specs have none)
        node: Any = self.document
        for raw in ref[2:].split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return {}  # a dangling ref describes nothing
        return node

    def summarize(self, schemas: list[Any]) -> _Summary:
        """The union of ``schemas`` (one schema → that schema)."""
        key = tuple(id(s) for s in schemas)
        cached = self.memo.get(key)
        if cached is None:
            parts = [self._single(s, frozenset()) for s in schemas]
            cached = parts[0] if len(parts) == 1 else _union(parts)
            self.memo[key] = cached
        return cached

    def _single(self, schema: Any, visiting: frozenset[int], via_all_of: bool = False) -> _Summary:
        if not isinstance(schema, dict) or id(schema) in visiting:
            return _Summary()
        visiting = visiting | {id(schema)}
        ref = schema.get("$ref")
        if isinstance(ref, str):
            inner = self._single(self._deref(ref), visiting, via_all_of)
            inner.refs = inner.refs | {ref}
            if schema.get("nullable") is True:
                inner.nullable = True
            return inner
        own = self._own(schema)
        parts = schema.get("allOf") or []
        # allOf [base, {...}] (or a schema with its own properties) is a subtype: its base
        # is only the base. A lone allOf [X] is X with a description attached.
        subtype = len(parts) > 1 or bool(own.properties)
        all_of = [self._single(s, visiting, subtype) for s in parts]
        unions = (schema.get("oneOf") or []) + (schema.get("anyOf") or [])
        variants = [self._single(s, visiting) for s in unions]
        if not unions and not via_all_of:
            # A base schema whose discriminator maps to its subtypes (TypeSpec output, e.g.
            # the v1 spec's OpenAI.ChatCompletionRequestMessage) stands for any of them.
            # Reached through a subtype's allOf it is only the base, not its siblings.
            targets = _mapping_targets(schema)
            variants = [self._single({"$ref": t}, visiting) for t in targets]
        result = _intersect([own, *all_of]) if all_of else own
        if variants:
            result = _intersect([result, _union(variants)])
        return result

    @staticmethod
    def _own(schema: dict[str, Any]) -> _Summary:
        summary = _Summary()
        raw_type = schema.get("type")
        types = raw_type if isinstance(raw_type, list) else [raw_type] if raw_type else []
        summary.types = {str(t) for t in types}
        if "null" in summary.types:
            summary.types.discard("null")
            summary.nullable = True
        if schema.get("nullable") is True:
            summary.nullable = True
        values: list[Any] | None = None
        if isinstance(schema.get("enum"), list):
            values = list(schema["enum"])
        elif "const" in schema:
            values = [schema["const"]]
        if values is not None:
            if None in values:
                summary.nullable = True
            kept = [v for v in values if v is not None]
            summary.enum = {_encode(v) for v in kept}
            if not summary.types:
                summary.types = {_json_type(v) for v in kept}
        if "default" in schema:
            summary.default = _encode(schema["default"])
        props = schema.get("properties")
        if isinstance(props, dict):
            summary.properties = {str(k): [v] for k, v in props.items()}
        required = schema.get("required")
        if isinstance(required, list):
            summary.required = {str(r) for r in required}
        if isinstance(schema.get("items"), dict):
            summary.items = [schema["items"]]
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            summary.additional = [extra]
        if not summary.types:
            if summary.properties or summary.additional:
                summary.types = {"object"}
            elif summary.items:
                summary.types = {"array"}
        summary.read_only = schema.get("readOnly") is True
        summary.deprecated = schema.get("deprecated") is True
        summary.write_only = schema.get("writeOnly") is True
        return summary

    # -- walking the folded tree into dotted paths -------------------------------------

    def walk(
        self, summary: _Summary, path: str, required: bool, stack: frozenset[str], depth: int
    ) -> None:
        recursive = bool(summary.refs & stack)
        self.out[path] = FieldShape(
            types=frozenset(summary.types),
            required=required,
            nullable=summary.nullable,
            enum=frozenset(summary.enum) if summary.enum is not None else None,
            default=summary.default,
            recursive=recursive,
            deprecated=summary.deprecated,
        )
        if recursive or depth >= MAX_DEPTH:
            return
        stack = stack | summary.refs
        for name, schemas in summary.properties.items():
            child = self.summarize(schemas)
            if (self.side == "request" and child.read_only) or (
                self.side == "response" and child.write_only
            ):
                continue
            self.walk(child, join_path(path, name), name in summary.required, stack, depth + 1)
        if summary.items:
            self.walk(self.summarize(summary.items), join_path(path, "[]"), False, stack, depth + 1)
        if summary.additional:
            self.walk(
                self.summarize(summary.additional), join_path(path, "{}"), False, stack, depth + 1
            )


def _mapping_targets(schema: dict[str, Any]) -> list[str]:
    discriminator = schema.get("discriminator")
    mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
    if not isinstance(mapping, dict):
        return []
    return [str(t) for t in mapping.values() if isinstance(t, str)]


def _intersect(parts: list[_Summary]) -> _Summary:
    """allOf: every part applies (properties and required lists add up)."""
    result = _Summary()
    typed = [p.types for p in parts if p.types]
    if typed:
        common = set.intersection(*typed)
        result.types = common or set.union(*typed)  # contradictory allOf: keep what was said
    result.nullable = any(p.nullable for p in parts)
    enums = [p.enum for p in parts if p.enum is not None]
    result.enum = set.intersection(*enums) if enums else None
    for part in parts:
        for name, schemas in part.properties.items():
            result.properties.setdefault(name, []).extend(schemas)
        result.required |= part.required
        result.items += part.items
        result.additional += part.additional
        result.refs |= part.refs
        result.default = part.default if part.default is not None else result.default
        result.read_only = result.read_only or part.read_only
        result.write_only = result.write_only or part.write_only
        result.deprecated = result.deprecated or part.deprecated
    return result


def _union(variants: list[_Summary]) -> _Summary:
    """oneOf/anyOf: any variant may apply."""
    result = _Summary()
    if any(not v.types and v.enum is None and not v.properties for v in variants if not v.nullable):
        result.types = set()  # one variant accepts anything
    else:
        result.types = set().union(*(v.types for v in variants))
    result.nullable = any(v.nullable for v in variants)
    open_scalar = any(
        v.enum is None and (not v.types or v.types & SCALARS)
        for v in variants
        if v.types or not v.nullable
    )
    enums = [v.enum for v in variants if v.enum is not None]
    result.enum = None if open_scalar or not enums else set().union(*enums)
    for variant in variants:
        for name, schemas in variant.properties.items():
            result.properties.setdefault(name, []).extend(schemas)
        result.items += variant.items
        result.additional += variant.additional
        result.refs |= variant.refs
    # Required only if every object variant requires it: a field required by one variant
    # (e.g. `input_audio` of the new input-audio content part) is conditional, and a
    # client that never sends that variant is unaffected.
    objects = [v.required for v in variants if v.properties or "object" in v.types]
    result.required = set.intersection(*objects) if objects else set()
    result.deprecated = all(v.deprecated for v in variants)
    defaults = {v.default for v in variants if v.default is not None}
    result.default = defaults.pop() if len(defaults) == 1 else None
    return result


def flatten_schema(document: dict[str, Any], schema: Any, side: Side) -> dict[str, FieldShape]:
    """Every field of ``schema`` (resolved against ``document``) by dotted path.

    The root is recorded under ``""``. ``side`` drops ``readOnly`` properties from
    requests and ``writeOnly`` properties from responses.
    """
    flattener = _Flattener(document, side)
    root = flattener.summarize([schema])
    flattener.walk(root, "", True, frozenset(), 0)
    return flattener.out
