"""Named, tested repairs of defects of form in the upstream specs.

Each rule mutates the document in place and returns the list of :class:`Change` it
made (where, before, after), so that ``aoai-conformance specs show ID --changes`` and the
tests can say exactly what was repaired. Corrections of *contract* (e.g. streaming is
``text/event-stream``) are not here: they are overlays in ``specs/overlays``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from generator.errors import InvalidSpecError

__all__ = ["Change", "Rule", "RULES", "normalize", "pointer"]

JSON = Any


@dataclass(frozen=True)
class Change:
    rule: str
    where: str  # JSON pointer into the document as loaded
    before: str
    after: str

    def describe(self) -> str:
        return f"[{self.rule}] {self.where}: {self.before} -> {self.after}"


@dataclass(frozen=True)
class Rule:
    name: str
    why: str
    applies: Callable[[str], bool]  # on the source format, e.g. "openapi 3.1.0"
    run: Callable[[dict[str, Any]], list[Change]]


def pointer(parts: list[str]) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _short(value: JSON, limit: int = 80) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _walk(node: JSON, parts: list[str]) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Every mapping in the document, depth first, with its pointer parts."""
    if isinstance(node, dict):
        yield node, parts
        for key, value in list(node.items()):
            yield from _walk(value, [*parts, str(key)])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, [*parts, str(index)])


# --- rule: swagger 2.0 -> openapi 3.0 ------------------------------------------------

_PARAM_SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
)


def _rewrite_refs(node: JSON, body_params: set[str]) -> None:
    for mapping, _ in _walk(node, []):
        ref = mapping.get("$ref")
        if not isinstance(ref, str):
            continue
        if ref.startswith("#/definitions/"):
            mapping["$ref"] = "#/components/schemas/" + ref[len("#/definitions/") :]
        elif ref.startswith("#/parameters/"):
            name = ref[len("#/parameters/") :]
            kind = "requestBodies" if name in body_params else "parameters"
            mapping["$ref"] = f"#/components/{kind}/{name}"
        elif ref.startswith("#/responses/"):
            mapping["$ref"] = "#/components/responses/" + ref[len("#/responses/") :]


def _schema_2to3(schema: JSON) -> None:
    for mapping, _ in _walk(schema, []):
        if mapping.pop("x-nullable", None) is True:
            mapping["nullable"] = True
        if mapping.get("type") == "file":
            mapping["type"] = "string"
            mapping["format"] = "binary"
        disc = mapping.get("discriminator")
        if isinstance(disc, str):
            mapping["discriminator"] = {"propertyName": disc}


def _param_2to3(param: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in param.items() if k not in _PARAM_SCHEMA_KEYS}
    out.pop("collectionFormat", None)
    schema = {k: param[k] for k in _PARAM_SCHEMA_KEYS if k in param}
    if schema:
        out["schema"] = schema
    return out


def _body_2to3(param: dict[str, Any], consumes: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "content": {mime: {"schema": param.get("schema", {})} for mime in consumes},
        "required": bool(param.get("required", False)),
    }
    if "description" in param:
        body["description"] = param["description"]
    for key, value in param.items():
        if key.startswith("x-"):
            body[key] = value
    return body


def _response_2to3(resp: dict[str, Any], produces: list[str]) -> dict[str, Any]:
    if "$ref" in resp:
        return resp
    out: dict[str, Any] = {"description": resp.get("description", "")}
    if "schema" in resp:
        out["content"] = {mime: {"schema": resp["schema"]} for mime in produces}
    headers = resp.get("headers")
    if headers:
        out["headers"] = {
            name: {
                "description": h.get("description", ""),
                "schema": {k: v for k, v in h.items() if k in _PARAM_SCHEMA_KEYS},
            }
            for name, h in headers.items()
        }
    for key, value in resp.items():
        if key.startswith("x-") and key != "x-ms-examples":
            out[key] = value
    return out


def _servers_2to3(doc: dict[str, Any]) -> list[dict[str, Any]]:
    host = doc.get("x-ms-parameterized-host")
    if isinstance(host, dict) and host.get("hostTemplate"):
        template = str(host["hostTemplate"])
        if not template.startswith("http"):
            template = "https://" + template
        variables = {
            p["name"]: {
                "default": str(p.get("default", p["name"])),
                "description": p.get("description", ""),
            }
            for p in host.get("parameters", [])
            if isinstance(p, dict) and "name" in p
        }
        server: dict[str, Any] = {"url": template + doc.get("basePath", "").rstrip("/")}
        if variables:
            server["variables"] = variables
        return [server]
    scheme = (doc.get("schemes") or ["https"])[0]
    return [{"url": f"{scheme}://{doc.get('host', 'localhost')}{doc.get('basePath', '')}"}]


def _security_2to3(defs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, scheme in defs.items():
        if scheme.get("type") == "oauth2":
            flow_name = {"application": "clientCredentials", "accessCode": "authorizationCode"}.get(
                scheme.get("flow", "implicit"), scheme.get("flow", "implicit")
            )
            flow = {k: scheme[k] for k in ("authorizationUrl", "tokenUrl") if k in scheme}
            flow["scopes"] = scheme.get("scopes", {})
            out[name] = {"type": "oauth2", "flows": {flow_name: flow}}
        elif scheme.get("type") == "basic":
            out[name] = {"type": "http", "scheme": "basic"}
        else:
            out[name] = dict(scheme)
    return out


def _discriminator_mappings(schemas: dict[str, Any]) -> None:
    """Azure's ``x-ms-discriminator-value`` on subtypes becomes an OpenAPI 3 mapping."""
    for child_name, child in schemas.items():
        value = child.get("x-ms-discriminator-value") if isinstance(child, dict) else None
        if not value:
            continue
        for part in child.get("allOf", []):
            ref = part.get("$ref", "") if isinstance(part, dict) else ""
            parent = schemas.get(ref.rsplit("/", 1)[-1]) if ref else None
            if isinstance(parent, dict) and isinstance(parent.get("discriminator"), dict):
                mapping = parent["discriminator"].setdefault("mapping", {})
                mapping[value] = f"#/components/schemas/{child_name}"


def swagger2_to_openapi3(doc: dict[str, Any]) -> list[Change]:
    consumes = doc.get("consumes") or ["application/json"]
    produces = doc.get("produces") or ["application/json"]
    global_params = doc.get("parameters", {})
    body_params = {n for n, p in global_params.items() if p.get("in") == "body"}
    _rewrite_refs(doc, body_params)
    _schema_2to3(doc.get("definitions", {}))

    components: dict[str, Any] = {"schemas": doc.pop("definitions", {})}
    _discriminator_mappings(components["schemas"])
    if global_params:
        components["parameters"] = {
            n: _param_2to3(p) for n, p in global_params.items() if n not in body_params
        }
        bodies = {n: _body_2to3(global_params[n], consumes) for n in body_params}
        if bodies:
            components["requestBodies"] = bodies
    if "responses" in doc:
        components["responses"] = {
            n: _response_2to3(r, produces) for n, r in doc.pop("responses").items()
        }
    if "securityDefinitions" in doc:
        components["securitySchemes"] = _security_2to3(doc.pop("securityDefinitions"))

    for item in doc.get("paths", {}).values():
        shared = item.get("parameters", [])
        if shared:
            item["parameters"] = [p if "$ref" in p else _param_2to3(p) for p in shared]
        for method, op in item.items():
            if method == "parameters" or not isinstance(op, dict):
                continue
            op_consumes = op.pop("consumes", consumes)
            op_produces = op.pop("produces", produces)
            params = []
            for param in op.get("parameters", []):
                ref = param.get("$ref", "")
                if ref.startswith("#/components/requestBodies/"):
                    op["requestBody"] = {"$ref": ref}
                elif param.get("in") == "body":
                    _schema_2to3(param.get("schema", {}))
                    op["requestBody"] = _body_2to3(param, op_consumes)
                else:
                    params.append(param if "$ref" in param else _param_2to3(param))
            if "parameters" in op:
                op["parameters"] = params
            for code, resp in list(op.get("responses", {}).items()):
                _schema_2to3(resp.get("schema", {}))
                op["responses"][code] = _response_2to3(resp, op_produces)

    before = f"swagger {doc.get('swagger')}"
    doc["servers"] = _servers_2to3(doc)
    for key in (
        "swagger",
        "host",
        "basePath",
        "schemes",
        "consumes",
        "produces",
        "x-ms-parameterized-host",
        "securityDefinitions",
    ):
        doc.pop(key, None)
    doc["components"] = components
    ordered = {"openapi": "3.0.3", **doc}
    doc.clear()
    doc.update(ordered)
    return [Change("swagger2-to-openapi3", "#", before, "openapi 3.0.3")]


# --- rule: openapi 3.1 -> 3.0 ---------------------------------------------------------


def openapi31_to_30(doc: dict[str, Any]) -> list[Change]:
    """The Azure 3.1 documents are 3.0 in all but name (they use ``nullable``)."""
    changes = [Change("openapi31-to-30", "#/openapi", _short(doc.get("openapi")), '"3.0.3"')]
    doc["openapi"] = "3.0.3"
    for mapping, parts in _walk(doc, []):
        types = mapping.get("type")
        if isinstance(types, list):
            before = _short(types)
            non_null = [t for t in types if t != "null"]
            if "null" in types:
                mapping["nullable"] = True
            if len(non_null) == 1:
                mapping["type"] = non_null[0]
            else:
                del mapping["type"]
                if non_null:
                    mapping["anyOf"] = [{"type": t} for t in non_null]
            changes.append(
                Change(
                    "openapi31-to-30",
                    pointer([*parts, "type"]),
                    before,
                    _short(mapping.get("type", mapping.get("anyOf"))),
                )
            )
        if "const" in mapping and parts and parts[-1] != "properties":
            value = mapping.pop("const")
            mapping["enum"] = [value]
            changes.append(
                Change(
                    "openapi31-to-30",
                    pointer([*parts, "const"]),
                    _short(value),
                    f"enum [{_short(value)}]",
                )
            )
        examples = mapping.get("examples")
        if isinstance(examples, list) and parts and parts[-1] != "properties":
            del mapping["examples"]
            if examples:
                mapping.setdefault("example", examples[0])
            changes.append(
                Change("openapi31-to-30", pointer([*parts, "examples"]), "examples list", "example")
            )
        for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = mapping.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                mapping[bound] = value
                mapping[key] = True
                changes.append(
                    Change(
                        "openapi31-to-30",
                        pointer([*parts, key]),
                        _short(value),
                        f"{bound} {value}, {key} true",
                    )
                )
    return changes


# --- rule: external references (x-ms-examples) ----------------------------------------


def drop_external_refs(doc: dict[str, Any]) -> list[Change]:
    """``x-ms-examples`` point at example files the specs do not ship; remove them."""
    changes: list[Change] = []
    for mapping, parts in _walk(doc, []):
        if "x-ms-examples" in mapping:
            changes.append(
                Change(
                    "drop-external-refs",
                    pointer([*parts, "x-ms-examples"]),
                    _short(mapping["x-ms-examples"], 60),
                    "removed",
                )
            )
            del mapping["x-ms-examples"]
    for mapping, parts in _walk(doc, []):
        ref = mapping.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            raise InvalidSpecError(
                f"external $ref '{ref}' at {pointer(parts)} is not supported: "
                "bundle the spec into one file first"
            )
    return changes


# --- rule: annotations that are not strings --------------------------------------------

_ANNOTATIONS = ("description", "title", "summary")


def _resolve_local(doc: dict[str, Any], ref: str) -> JSON:
    node: JSON = doc
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def annotation_not_string(doc: dict[str, Any]) -> list[Change]:
    """e.g. 2025-04-01-preview ``createResponse`` has ``description: {$ref: ...}``.

    A property *named* ``description`` (under ``properties``) is a schema and is left alone.
    """
    changes: list[Change] = []
    for mapping, parts in _walk(doc, []):
        if parts and parts[-1] in ("properties", "paths", "schemas", "variables"):
            continue
        for key in _ANNOTATIONS:
            value = mapping.get(key)
            if value is None or isinstance(value, str):
                continue
            replacement: str | None = None
            ref = value.get("$ref") if isinstance(value, dict) else None
            if isinstance(ref, str) and ref.startswith("#/"):
                target = _resolve_local(doc, ref)
                if isinstance(target, dict) and isinstance(target.get(key), str):
                    replacement = target[key]
            if replacement is None:
                del mapping[key]
            else:
                mapping[key] = replacement
            changes.append(
                Change(
                    "annotation-not-string",
                    pointer([*parts, key]),
                    _short(value),
                    _short(replacement) if replacement else "removed",
                )
            )
    return changes


# --- rule: every local $ref resolves ---------------------------------------------------


def check_local_refs(doc: dict[str, Any]) -> list[Change]:
    missing = [
        (mapping["$ref"], parts)
        for mapping, parts in _walk(doc, [])
        if isinstance(mapping.get("$ref"), str)
        and mapping["$ref"].startswith("#/")
        and _resolve_local(doc, mapping["$ref"]) is None
    ]
    if missing:
        ref, parts = missing[0]
        raise InvalidSpecError(
            f"{len(missing)} unresolvable $ref(s), first '{ref}' at {pointer(parts)}: "
            "the spec is incomplete; fix or re-fetch it"
        )
    return []


def _always(_fmt: str) -> bool:
    return True


RULES: tuple[Rule, ...] = (
    Rule(
        "swagger2-to-openapi3",
        "one internal shape for every spec",
        lambda f: f.startswith("swagger"),
        swagger2_to_openapi3,
    ),
    Rule(
        "openapi31-to-30",
        "3.1-labelled specs use 3.0 nullable; tools read 3.0 consistently",
        lambda f: f.startswith("openapi 3.1"),
        openapi31_to_30,
    ),
    Rule(
        "drop-external-refs",
        "x-ms-examples reference files that are not shipped",
        _always,
        drop_external_refs,
    ),
    Rule(
        "annotation-not-string",
        "a $ref where a description string belongs crashes datamodel-code-generator",
        _always,
        annotation_not_string,
    ),
    Rule(
        "check-local-refs", "every $ref must resolve inside the document", _always, check_local_refs
    ),
)


def normalize(doc: dict[str, Any], source_format: str) -> list[Change]:
    """Run every rule that applies to ``source_format``, in order; return all changes."""
    changes: list[Change] = []
    for rule in RULES:
        if rule.applies(source_format):
            changes.extend(rule.run(doc))
    return changes
