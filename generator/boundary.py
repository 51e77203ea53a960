"""Boundary cases: one minimal invalid chat-completions request per declared constraint.

For every registered spec, the chat-completions request schema is walked (through
``$ref``, ``allOf``, ``anyOf``/``oneOf`` and OpenAPI 3.0 ``nullable``) and each constraint
on a top-level request field (``minimum``, ``maximum``, ``minItems``, ``maxItems``,
``maxLength``, ``enum``, ``type``, ``required``) yields one case: a valid base request with
exactly one violation. Every case is checked against the spec's own schema (the base
must validate, the mutated request must not), so a constraint that a sibling ``oneOf``
member makes moot never becomes a case.

The cases are committed as data (``conformance/checks/boundary_cases.json``) so that the
catalog is the same on every machine, with or without the specs at hand; a test
regenerates them and compares. Refresh after ``specs add``::

    python -m generator.boundary --write conformance/checks/boundary_cases.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema_rs

from generator.spec import load_registry, load_spec
from generator.spec.json_schema import to_json_schema

__all__ = ["REQUEST_SCHEMAS", "base_request", "cases_for", "catalog", "main"]

#: The chat-completions request schema of each surface's specs.
REQUEST_SCHEMAS = {
    "dated": "createChatCompletionRequest",
    "v1": "AzureCreateChatCompletionRequest",
    "foundry": "ChatCompletionsOptions",
}
# Which clause a default run samples first: the parameters users set most, then the rest.
_FIELD_RANK = (
    "temperature",
    "messages",
    "top_p",
    "n",
    "max_tokens",
    "presence_penalty",
    "frequency_penalty",
    "stop",
    "top_logprobs",
    "stream",
    "response_format",
    "tools",
)
_KIND_RANK = ("maximum", "minimum", "minItems", "required", "maxItems", "enum", "maxLength", "type")
SAMPLE_SIZE = 10
_INVALID_ENUM = "aoai-conformance-invalid"
_SAFE_INT = 2**53


def base_request(surface: str) -> dict[str, Any]:
    """The valid request each case changes (the suite's tiny chat request)."""
    body: dict[str, Any] = {"messages": [{"role": "user", "content": "Say hello."}]}
    if surface == "v1":
        body["model"] = "DEPLOYMENT"
    body["max_tokens"] = 16
    return body


class _Walker:
    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document

    def node(self, pointer: str) -> Any:
        node: Any = self.doc
        for part in pointer.lstrip("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def schemas(self, pointer: str, depth: int = 0) -> list[tuple[str, dict[str, Any]]]:
        """(pointer, schema) of ``pointer`` and of everything it is made of."""
        node = self.node(pointer)
        if not isinstance(node, dict) or depth > 8:
            return []
        if "$ref" in node:
            return self.schemas(node["$ref"], depth + 1)
        out = [(pointer, node)]
        for key in ("allOf", "anyOf", "oneOf"):
            for i, _ in enumerate(node.get(key) or []):
                out += self.schemas(f"{pointer}/{key}/{i}", depth + 1)
        return out

    def object_parts(self, pointer: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """{property: pointer} and [(required field, pointer of its required list)]."""
        props: dict[str, str] = {}
        required: list[tuple[str, str]] = []
        for where, schema in self.schemas(pointer):
            for name in schema.get("properties") or {}:
                props.setdefault(name, f"{where}/properties/{name.replace('/', '~1')}")
            for name in schema.get("required") or []:
                required.append((name, f"{where}/required"))
        return props, required


def _candidates(field: str, walker: _Walker, pointer: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for where, schema in walker.schemas(pointer):
        kind_type = schema.get("type")
        for kind in ("minimum", "maximum"):
            bound = schema.get(kind)
            if not isinstance(bound, int | float) or abs(bound) >= _SAFE_INT:
                continue
            step = 1 if kind_type == "integer" else 0.5
            value = bound - step if kind == "minimum" else bound + step
            if kind_type == "integer" or (isinstance(bound, int) and step == 1):
                value = int(value)
            out.append(_case(field, kind, f"{where}/{kind}", bound, value))
        if isinstance(schema.get("minItems"), int) and schema["minItems"] >= 1:
            out.append(_case(field, "minItems", f"{where}/minItems", schema["minItems"], []))
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        if isinstance(schema.get("maxItems"), int) and items.get("type") == "string":
            many = [f"s{i}" for i in range(schema["maxItems"] + 1)]
            out.append(_case(field, "maxItems", f"{where}/maxItems", schema["maxItems"], many))
        if isinstance(schema.get("maxLength"), int) and schema["maxLength"] < 4096:
            long = "x" * (schema["maxLength"] + 1)
            out.append(_case(field, "maxLength", f"{where}/maxLength", schema["maxLength"], long))
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and all(isinstance(e, str) for e in enum):
            out.append(_case(field, "enum", f"{where}/enum", enum, _INVALID_ENUM))
        if kind_type in ("number", "integer", "boolean"):
            out.append(_case(field, "type", f"{where}/type", kind_type, "not-a-" + kind_type))
        elif kind_type in ("string", "array", "object"):
            out.append(_case(field, "type", f"{where}/type", kind_type, 12345))
    return out


def _case(field: str, kind: str, pointer: str, limit: Any, value: Any) -> dict[str, Any]:
    return {"field": field, "kind": kind, "pointer": pointer, "limit": limit, "value": value}


def cases_for(spec_id: str, surface: str) -> list[dict[str, Any]]:
    """The verified boundary cases of one spec: one per (field, kind), first found wins."""
    document = load_spec(spec_id).document
    schema_name = REQUEST_SCHEMAS[surface]
    walker = _Walker(document)
    root = f"#/components/schemas/{schema_name}"
    components = {"schemas": to_json_schema(document.get("components", {}).get("schemas", {}))}
    validator = jsonschema_rs.Draft4Validator({"$ref": root, "components": components})
    base = base_request(surface)
    if not validator.is_valid(base):
        return []
    props, required = walker.object_parts(root)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for name, where in required:
        if name in base:
            found.setdefault((name, "required"), _case(name, "required", where, name, None))
    for name, pointer in props.items():
        for case in _candidates(name, walker, pointer):
            found.setdefault((case["field"], case["kind"]), case)
    verified = []
    for case in found.values():
        body = dict(base)
        if case["kind"] == "required":
            body.pop(case["field"])
        else:
            body[case["field"]] = case["value"]
        if not validator.is_valid(body):
            verified.append(case)
    return sorted(verified, key=lambda c: (c["field"], c["kind"]))


def _rank(case: dict[str, Any]) -> tuple[bool, int, int, str]:
    """Value constraints of the common parameters first; wrong-type cases last."""
    field_rank = (
        _FIELD_RANK.index(case["field"]) if case["field"] in _FIELD_RANK else len(_FIELD_RANK)
    )
    kind = case["kind"]
    return kind == "type", field_rank, _KIND_RANK.index(kind), case["field"]


def catalog(previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every registered spec's cases, grouped by clause (the committed JSON's content).

    Clause ids are ``BOUND-NNN``; a constraint keeps the id it has in ``previous`` (the
    committed catalog), a new one takes the next free number.
    """
    known = {
        (item["field"], item["kind"]): cid
        for cid, item in ((previous or {}).get("clauses") or {}).items()
    }
    clauses: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in load_registry():
        if entry.surface not in REQUEST_SCHEMAS:
            continue
        for case in cases_for(entry.id, entry.surface):
            item = clauses.setdefault(
                (case["field"], case["kind"]),
                {"field": case["field"], "kind": case["kind"], "specs": {}},
            )
            item["specs"][entry.id] = {
                "surface": entry.surface,
                "pointer": case["pointer"],
                "limit": case["limit"],
                "value": case["value"],
            }
    ordered = sorted(clauses.items(), key=lambda kv: _rank(kv[1]))
    used = {int(cid.split("-")[1]) for key, cid in known.items() if key in clauses}
    numbered: dict[str, dict[str, Any]] = {}
    for position, (key, item) in enumerate(ordered):
        item["sample"] = position < SAMPLE_SIZE
        cid = known.get(key)
        if cid is None:
            number = next(n for n in range(1, 1000) if n not in used)
            used.add(number)
            cid = f"BOUND-{number:03d}"
        numbered[cid] = item
    return {
        "$comment": "Generated by `python -m generator.boundary --write "
        "conformance/checks/boundary_cases.json`; do not edit.",
        "clauses": numbered,
    }


def render(previous: dict[str, Any] | None = None) -> str:
    return json.dumps(catalog(previous), indent=1, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.boundary")
    parser.add_argument("--write", metavar="PATH", help="write the catalog here")
    args = parser.parse_args(argv)
    path = Path(args.write) if args.write else None
    previous = json.loads(path.read_text(encoding="utf-8")) if path and path.exists() else None
    text = render(previous)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
