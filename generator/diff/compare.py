"""Compare two normalised OpenAPI 3.0.3 documents operation by operation.

Operations are matched by method and path template with parameter names ignored
(``/deployments/{deployment-id}/x`` matches ``/deployments/{deployment_id}/x``) and the
dated ``/deployments/{deployment-id}`` prefix dropped (so it also matches v1's ``/x``).
Every difference becomes a :class:`~generator.diff.model.Change` classified by a rule
from :mod:`generator.diff.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from generator.diff.flatten import SCALARS, FieldShape, Side, flatten_schema, parent_path
from generator.diff.model import Change, OperationDiff, SpecDiff, SpecRef
from generator.errors import UsageError

__all__ = ["diff_documents", "operation_table"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAM = re.compile(r"\{[^}]*\}")
_DEPLOYMENT_PREFIX = "/deployments/{}/"
_ITEM_TOKENS = ("[]", "{}")


class _Op:
    """One operation of one document, with what it takes to diff it."""

    def __init__(
        self, document: dict[str, Any], path: str, method: str, item: dict[str, Any]
    ) -> None:
        self.document = document
        self.path = path
        self.method = method
        self.raw: dict[str, Any] = item[method]
        self.path_item = item
        self.operation_id = str(self.raw.get("operationId", ""))

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def match_key(self) -> str:
        template = _PARAM.sub("{}", self.path)
        # The dated surface puts every inference route under /deployments/{deployment-id}
        # (seed 000); v1 and foundry do not (seeds 001, 004). Ignoring the prefix lets a
        # dated spec be compared with a v1 one, route by route.
        if template.startswith(_DEPLOYMENT_PREFIX):
            template = template[len(_DEPLOYMENT_PREFIX) - 1 :]
        return f"{self.method.upper()} {template}"

    def matches(self, needle: str) -> bool:
        lowered = needle.lower().strip()
        if lowered in (self.operation_id.lower(), self.key.lower(), self.path.lower()):
            return True
        return lowered.startswith("/") and self.path.lower().endswith(lowered)


def operation_table(document: dict[str, Any]) -> dict[str, _Op]:
    """Every operation of a document by its match key."""
    table: dict[str, _Op] = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                op = _Op(document, str(path), method, item)
                table[op.match_key] = op
    return table


def _deref(document: dict[str, Any], node: Any) -> Any:
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        ref = node["$ref"]
        seen.add(ref)
        target: Any = document
        for raw in ref.lstrip("#/").split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        node = target
    return node


# -- shapes of parameters, bodies and responses ---------------------------------------


def _parameters(op: _Op) -> dict[str, tuple[str, FieldShape]]:
    """``"query api-version"`` → (display name, shape); operation-level wins over path-level."""
    found: dict[str, tuple[str, FieldShape]] = {}
    for raw in list(op.path_item.get("parameters") or []) + list(op.raw.get("parameters") or []):
        param = _deref(op.document, raw)
        if not isinstance(param, dict) or "name" not in param:
            continue
        where = str(param.get("in", "query"))
        name = str(param["name"])
        key = f"{where} {name.lower() if where == 'header' else name}"
        schema = param.get("schema")
        if schema is None and isinstance(param.get("content"), dict):
            first: Any = next(iter(param["content"].values()), {})
            schema = first.get("schema") if isinstance(first, dict) else None
        root = flatten_schema(op.document, schema or {}, "request")[""]
        required = bool(param.get("required")) or where == "path"
        deprecated = root.deprecated or param.get("deprecated") is True
        shape = FieldShape(
            root.types, required, root.nullable, root.enum, root.default, deprecated=deprecated
        )
        found[key] = (f"{where} {name}", shape)
    return found


def _content(document: dict[str, Any], holder: Any) -> dict[str, Any]:
    holder = _deref(document, holder)
    if not isinstance(holder, dict) or not isinstance(holder.get("content"), dict):
        return {}
    return {str(media): (body or {}).get("schema", {}) for media, body in holder["content"].items()}


def _request_body(op: _Op) -> tuple[bool, dict[str, Any]]:
    body = _deref(op.document, op.raw.get("requestBody"))
    if not isinstance(body, dict):
        return False, {}
    return bool(body.get("required")), _content(op.document, body)


def _responses(op: _Op) -> dict[str, dict[str, Any]]:
    responses = op.raw.get("responses") or {}
    return {str(code): _content(op.document, resp) for code, resp in responses.items()}


def _response_headers(op: _Op, code: str) -> set[str]:
    response = _deref(op.document, (op.raw.get("responses") or {}).get(code))
    headers = response.get("headers") if isinstance(response, dict) else None
    return {str(h).lower() for h in headers} if isinstance(headers, dict) else set()


# -- comparing shapes -------------------------------------------------------------------


def _widen(types: frozenset[str]) -> frozenset[str]:
    """``number`` accepts every ``integer``."""
    return types | {"integer"} if "number" in types else types


def _types_within(inner: frozenset[str], outer: frozenset[str]) -> bool:
    """Every value of ``inner`` is a value of ``outer`` (empty = any)."""
    if not outer:
        return True
    if not inner:
        return False
    return inner <= _widen(outer)


def _enum_view(shape: FieldShape) -> frozenset[str] | str | None:
    """A closed set of values, ``"open"`` for a free scalar, or None when enums don't apply."""
    if shape.enum is not None:
        return shape.enum
    if not shape.types or shape.types & SCALARS:
        return "open"
    return None


def _values(values: Iterable[str]) -> str:
    return ", ".join(f"`{v}`" for v in sorted(values))


def _shape_text(shape: FieldShape) -> str:
    text = shape.describe_type()
    if shape.enum is not None:
        text += f"; one of {_values(shape.enum)}"
    return text


def _compare_shape(
    old: FieldShape,
    new: FieldShape,
    side: Side,
    location: str,
    path: str,
    label: str,
    *,
    check_required: bool,
) -> list[Change]:
    changes: list[Change] = []
    where = f"`{label}`" if label else "the body"

    def add(rule_id: str, message: str, old_value: Any = None, new_value: Any = None) -> None:
        changes.append(Change(rule_id, location, path, message, old_value, new_value))

    if old.types != new.types:
        before, after = old.describe_type(), new.describe_type()
        if side == "request":
            rule_id = (
                "request-type-widened"
                if _types_within(old.types, new.types)
                else "request-type-changed"
            )
        else:
            rule_id = (
                "response-type-narrowed"
                if _types_within(new.types, old.types)
                else "response-type-changed"
            )
        add(
            rule_id,
            f"type of {where} changed from {before} to {after}",
            sorted(old.types),
            sorted(new.types),
        )
    if check_required and old.required != new.required:
        if side == "request":
            rule_id = "request-became-required" if new.required else "request-became-optional"
        else:
            rule_id = "response-became-required" if new.required else "response-became-optional"
        add(
            rule_id,
            f"{where} became {'required' if new.required else 'optional'}",
            old.required,
            new.required,
        )
    if old.nullable != new.nullable:
        rule_id = f"{side}-nullable-{'added' if new.nullable else 'removed'}"
        add(
            rule_id,
            f"{where} {'became nullable' if new.nullable else 'is no longer nullable'}",
            old.nullable,
            new.nullable,
        )
    before_enum, after_enum = _enum_view(old), _enum_view(new)
    if before_enum is not None and after_enum is not None and before_enum != after_enum:
        widened = "request-enum-widened" if side == "request" else "response-enum-widened"
        narrowed = "request-enum-narrowed" if side == "request" else "response-enum-narrowed"
        if before_enum == "open":
            assert isinstance(after_enum, frozenset)
            add(
                narrowed,
                f"{where} is now restricted to {_values(after_enum)}",
                None,
                sorted(after_enum),
            )
        elif after_enum == "open":
            add(
                widened,
                f"{where} is no longer restricted to an enum (was {_values(before_enum)})",
                sorted(before_enum),
                None,
            )
        else:
            assert isinstance(before_enum, frozenset) and isinstance(after_enum, frozenset)
            gained, lost = after_enum - before_enum, before_enum - after_enum
            if gained:
                add(widened, f"{where}: enum values added: {_values(gained)}", None, sorted(gained))
            if lost:
                add(narrowed, f"{where}: enum values removed: {_values(lost)}", sorted(lost), None)
    if new.deprecated and not old.deprecated:
        add("deprecated", f"{where} is deprecated")
    if side == "request" and old.default != new.default:
        add(
            "default-changed",
            f"default of {where} changed from {old.default or '(none)'} "
            f"to {new.default or '(none)'}",
            old.default,
            new.default,
        )
    return changes


def _is_item(path: str) -> bool:
    return path.endswith(_ITEM_TOKENS)


def _grouped(
    appeared: set[str], elsewhere: dict[str, FieldShape], other: dict[str, FieldShape]
) -> dict[str, list[str]]:
    """Top-most appeared paths → their appeared descendants.

    An appeared ``x[]``/``x{}`` whose parent ``x`` exists on both sides is a type change
    reported on ``x``; its descendants are reported as their own roots.
    """

    def skipped(path: str) -> bool:
        parent = parent_path(path)
        return _is_item(path) and parent is not None and parent in elsewhere and parent in other

    def root_of(path: str) -> str | None:
        current = path
        while True:
            parent = parent_path(current)
            if parent is None or parent not in appeared or skipped(parent):
                return None if skipped(current) else current
            current = parent

    groups: dict[str, list[str]] = {}
    for path in sorted(appeared):
        root = root_of(path)
        if root is None:
            continue
        groups.setdefault(root, [])
        if root != path and not _is_item(path):
            groups[root].append(path[len(root) :].lstrip("."))
    return groups


def _diff_fields(
    old: dict[str, FieldShape], new: dict[str, FieldShape], side: Side, location: str
) -> list[Change]:
    changes: list[Change] = []
    added = set(new) - set(old)
    removed = set(old) - set(new)
    for path, children in _grouped(added, new, old).items():
        shape = new[path]
        detail = _shape_text(shape)
        if side == "request":
            rule_id = (
                "request-field-added-required" if shape.required else "request-field-added-optional"
            )
            kind = "required" if shape.required else "optional"
            message = f"added {kind} field `{path}` ({detail})"
        else:
            rule_id, message = "response-field-added", f"added field `{path}` ({detail})"
        changes.append(
            Change(
                rule_id,
                location,
                path,
                _with_children(message, children),
                None,
                detail,
                tuple(children),
            )
        )
    for path, children in _grouped(removed, old, new).items():
        rule_id = "request-field-removed" if side == "request" else "response-field-removed"
        detail = _shape_text(old[path])
        message = _with_children(f"removed field `{path}` ({detail})", children)
        changes.append(Change(rule_id, location, path, message, detail, None, tuple(children)))
    for path in sorted(set(old) & set(new)):
        before, after = old[path], new[path]
        if before == after:
            continue
        changes += _compare_shape(
            before,
            after,
            side,
            location,
            path,
            path,
            check_required=bool(path) and not _is_item(path),
        )
    return sorted(changes, key=lambda c: (c.path, c.rule_id))


def _with_children(message: str, children: Sequence[str], limit: int = 8) -> str:
    if not children:
        return message
    shown = ", ".join(f"`{c}`" for c in children[:limit])
    more = f" and {len(children) - limit} more" if len(children) > limit else ""
    return f"{message}, with {shown}{more}"


def _diff_media(
    old: dict[str, Any], new: dict[str, Any], old_op: _Op, new_op: _Op, side: Side, where: str
) -> list[Change]:
    changes: list[Change] = []
    for media in sorted(set(old) | set(new)):
        location = f"{where} {media}"
        if media not in new:
            changes.append(
                Change(
                    f"{side}-media-type-removed", location, "", f"content type `{media}` removed"
                )
            )
        elif media not in old:
            changes.append(
                Change(f"{side}-media-type-added", location, "", f"content type `{media}` added")
            )
        else:
            changes += _diff_fields(
                flatten_schema(old_op.document, old[media], side),
                flatten_schema(new_op.document, new[media], side),
                side,
                location,
            )
    return changes


def _diff_operation(old: _Op, new: _Op) -> list[Change]:
    changes: list[Change] = []
    if new.raw.get("deprecated") is True and old.raw.get("deprecated") is not True:
        changes.append(
            Change("deprecated", "operation", "", f"operation `{new.key}` is deprecated")
        )
    old_params, new_params = _parameters(old), _parameters(new)
    for key in sorted(set(old_params) | set(new_params)):
        if key not in new_params:
            name, shape = old_params[key]
            changes.append(
                Change("parameter-removed", "parameter", name, f"removed parameter `{name}`")
            )
        elif key not in old_params:
            name, shape = new_params[key]
            kind = "required" if shape.required else "optional"
            changes.append(
                Change(
                    f"parameter-added-{kind}",
                    "parameter",
                    name,
                    f"added {kind} parameter `{name}` ({_shape_text(shape)})",
                    None,
                    _shape_text(shape),
                )
            )
        else:
            name, shape = new_params[key]
            changes += _compare_shape(
                old_params[key][1], shape, "request", "parameter", name, name, check_required=True
            )
    old_required, old_body = _request_body(old)
    new_required, new_body = _request_body(new)
    if old_body and new_body and old_required != new_required:
        rule_id = "request-became-required" if new_required else "request-became-optional"
        changes.append(
            Change(
                rule_id,
                "request body",
                "",
                f"the request body became {'required' if new_required else 'optional'}",
                old_required,
                new_required,
            )
        )
    changes += _diff_media(old_body, new_body, old, new, "request", "request body")
    old_responses, new_responses = _responses(old), _responses(new)
    for code in sorted(set(old_responses) | set(new_responses)):
        where = f"response {code}"
        if code not in new_responses:
            rule_id = "response-removed" if code.startswith("2") else "response-error-removed"
            changes.append(Change(rule_id, where, "", f"response `{code}` removed"))
        elif code not in old_responses:
            changes.append(Change("response-added", where, "", f"response `{code}` added"))
        else:
            before, after = _response_headers(old, code), _response_headers(new, code)
            for header in sorted(before - after):
                changes.append(
                    Change("response-header-removed", where, header, f"header `{header}` removed")
                )
            for header in sorted(after - before):
                changes.append(
                    Change("response-header-added", where, header, f"header `{header}` added")
                )
            changes += _diff_media(
                old_responses[code], new_responses[code], old, new, "response", where
            )
    return changes


def diff_documents(
    old_doc: dict[str, Any],
    new_doc: dict[str, Any],
    *,
    old_ref: SpecRef,
    new_ref: SpecRef,
    operations: Sequence[str] = (),
) -> SpecDiff:
    """Diff two normalised documents; ``operations`` restricts it (operationId or path)."""
    old_ops, new_ops = operation_table(old_doc), operation_table(new_doc)
    keys = sorted(set(old_ops) | set(new_ops))
    if operations:
        for needle in operations:
            if not any(op.matches(needle) for op in [*old_ops.values(), *new_ops.values()]):
                raise UsageError(
                    f"--operation '{needle}' matches no operation in {old_ref.id} or {new_ref.id}; "
                    "give an operationId (e.g. ChatCompletions_Create), 'POST /path', "
                    "or a path suffix (e.g. /chat/completions)"
                )
        keys = [
            k
            for k in keys
            if any(
                op.matches(n) for op in (old_ops.get(k), new_ops.get(k)) if op for n in operations
            )
        ]
    result: list[OperationDiff] = []
    for key in keys:
        before, after = old_ops.get(key), new_ops.get(key)
        if after is None:
            assert before is not None
            diff = OperationDiff(
                before.key,
                before.operation_id,
                "removed",
                [Change("operation-removed", "operation", "", f"operation `{before.key}` removed")],
            )
        elif before is None:
            diff = OperationDiff(
                after.key,
                after.operation_id,
                "added",
                [Change("operation-added", "operation", "", f"operation `{after.key}` added")],
            )
        else:
            found = _diff_operation(before, after)
            if not found:
                continue
            diff = OperationDiff(after.key, after.operation_id, "changed", found)
        result.append(diff)
    result.sort(key=OperationDiff.sort_key)
    return SpecDiff(old=old_ref, new=new_ref, operations=result)
