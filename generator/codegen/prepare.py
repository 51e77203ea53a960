"""Give every schema that becomes a class a name a person would write, before dcg runs.

datamodel-code-generator names inline schemas after the property they sit in and
resolves collisions with numbers (``Role1``, ``ChatCompletionRequestMessageTool6``), and
it needs an output folder for dotted schema names (``OpenAI.ChatCompletionTool``). This
module rewrites a private copy of the normalised spec so that neither happens:

1. **Components are renamed** to PascalCase class names; a namespace prefix
   (``OpenAI.``, ``Azure.Core.Foundations.``) is dropped when the short name is unique.
2. **``allOf`` over a union is distributed** (``allOf[oneOf[A, B], extra]`` →
   ``oneOf[allOf[A, extra], allOf[B, extra]]``); each branch is named after the schema
   and what tells its variant apart (``ChatCompletionRequestMessageToolSystem``).
3. **Inline schemas that become classes are hoisted** into ``components/schemas`` with
   names from their place in the spec: parent + property (``CreateChatCompletionResponse``
   + ``choices`` → ``CreateChatCompletionResponseChoice``), operation + ``Request`` /
   ``Response`` for bodies, parent + the variant's ``type`` value for union members;
   words the owner already says are not repeated (``naming.joined``).
4. **``additionalProperties: true/false/{}`` is dropped on classes**: every class allows
   extra fields through the one generated base model, so dcg writes ``model_config``
   once instead of on each class.

A name that is already taken is never numbered: an identical schema is shared, and a
different one gets a longer name with a reported problem. Enums are not hoisted: the
models use ``Literal`` types for them.
"""

from __future__ import annotations

import copy
import http
from dataclasses import dataclass
from typing import Any

from generator.codegen.models import EXTRA_FIELDS_ALLOWED
from generator.codegen.naming import (
    RESERVED_CLASS_NAMES,
    distinct_parts,
    joined,
    pascal,
    singular,
    strip_namespace,
    words,
)
from generator.codegen.problems import Problems

__all__ = ["PreparedSpec", "prepare", "SCHEMA_REF"]

SCHEMA_REF = "#/components/schemas/"
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Keys that describe the use of a schema rather than its shape: they stay at the use site
# when the shape is hoisted into a component.
_USE_SITE_KEYS = ("description", "nullable", "default", "readOnly", "writeOnly", "deprecated")


@dataclass(frozen=True)
class PreparedSpec:
    """A private copy of the spec whose class-worthy schemas all have chosen names."""

    document: dict[str, Any]
    class_names: dict[str, str]  # original component name → class name
    origins: dict[str, str]  # class name → JSON pointer (into the normalised spec) of its shape


def _esc(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _is_ref(schema: Any) -> bool:
    return isinstance(schema, dict) and isinstance(schema.get("$ref"), str)


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref", "")
    return (
        ref[len(SCHEMA_REF) :].replace("~1", "/").replace("~0", "~")
        if ref.startswith(SCHEMA_REF)
        else None
    )


def _has_properties(schema: Any) -> bool:
    return (
        isinstance(schema, dict)
        and isinstance(schema.get("properties"), dict)
        and bool(schema["properties"])
    )


def _becomes_class(schema: dict[str, Any]) -> bool:
    """Whether datamodel-code-generator would emit a class for this inline schema."""
    if _has_properties(schema):
        return True
    members = schema.get("allOf")
    if isinstance(members, list) and members:
        refs = sum(1 for m in members if _is_ref(m))
        return refs >= 2 or any(_has_properties(m) for m in members if not _is_ref(m))
    return False


def _required_only(member: Any) -> bool:
    return (
        isinstance(member, dict)
        and isinstance(member.get("required"), list)
        and set(member) <= {"required", "description", "title"}
    )


def _without_repeat(owner: str, label: str) -> str:
    """``…ChunkingStrategy`` + ``StaticChunkingStrategy`` → ``Static`` (no echoed words)."""
    owner_words = words(owner)
    label_words = words(label)
    for size in range(min(len(owner_words), len(label_words) - 1), 0, -1):
        if label_words[len(label_words) - size :] == owner_words[len(owner_words) - size :]:
            return "".join(label_words[: len(label_words) - size])
    return label


def _constrained(schema: dict[str, Any]) -> bool:
    """A list or scalar with validation keywords (dcg makes a RootModel of it in a union)."""
    if _has_properties(schema) or any(k in schema for k in ("oneOf", "anyOf", "allOf", "enum")):
        return False
    if any(k in schema for k in _CONSTRAINTS):
        return True
    items = schema.get("items")
    return isinstance(items, dict) and not _is_ref(items) and _constrained(items)


def _without_descriptions(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_descriptions(v)
            for k, v in value.items()
            if k not in ("description", "example", "examples", "title")
        }
    if isinstance(value, list):
        return [_without_descriptions(v) for v in value]
    return value


def _rewrite_refs(node: Any, mapping: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
            old = ref[len(SCHEMA_REF) :].replace("~1", "/").replace("~0", "~")
            if old in mapping:
                node["$ref"] = SCHEMA_REF + _esc(mapping[old])
        for value in node.values():
            _rewrite_refs(value, mapping)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, mapping)


class _Preparer:
    def __init__(self, document: dict[str, Any], problems: Problems) -> None:
        self.doc = copy.deepcopy(document)
        self.problems = problems
        components = self.doc.setdefault("components", {})
        self.schemas: dict[str, Any] = components.setdefault("schemas", {})
        self.origins: dict[str, str] = {}
        self.class_names: dict[str, str] = {}

    # -- 1. component names ----------------------------------------------------------
    def rename_components(self) -> None:
        originals = list(self.schemas)
        shorts: dict[str, int] = {}
        for name in originals:
            short = pascal(strip_namespace(name))
            shorts[short] = shorts.get(short, 0) + 1
        taken: set[str] = set()
        for name in originals:
            candidates = [pascal(strip_namespace(name)), pascal(name)]
            chosen = next(
                (
                    c
                    for c in candidates
                    if c not in taken and c not in RESERVED_CLASS_NAMES and shorts.get(c, 0) <= 1
                ),
                None,
            )
            if chosen is None:
                chosen = pascal(name) + "Schema"
                self.problems.add(
                    f"#/components/schemas/{_esc(name)}",
                    f"schema name '{name}' collides with another schema or a reserved name",
                    consequence=f"its class is named {chosen}",
                    fix="rename the schema in an overlay if a better name exists",
                )
            taken.add(chosen)
            self.class_names[name] = chosen
        renamed = {self.class_names[n]: self.schemas[n] for n in originals}
        self.schemas.clear()
        self.schemas.update(renamed)
        for original, new in self.class_names.items():
            self.origins[new] = f"#/components/schemas/{_esc(original)}"
        _rewrite_refs(self.doc, self.class_names)

    # -- naming helpers --------------------------------------------------------------
    def claim(
        self, name: str, schema: dict[str, Any], where: str, *, full: str | None = None
    ) -> tuple[str, bool]:
        """Claim a component name for ``schema``; (name, reused-existing-identical).

        ``full``: the plain concatenation that ``name`` shortens (see ``naming.joined``);
        claimed instead when the shorter name is taken by a different schema.
        """
        if name in RESERVED_CLASS_NAMES:
            name += "Schema"
        if name not in self.schemas:
            return name, False
        if _without_descriptions(self.schemas[name]) == _without_descriptions(schema):
            return name, True
        if full is not None and full != name:
            return self.claim(full, schema, where)
        for suffix in ("Object", "Inline"):
            candidate = name + suffix
            if candidate not in self.schemas:
                self.problems.add(
                    where,
                    f"the natural class name {name} is taken by "
                    f"{self.origins.get(name, 'another schema')}",
                    consequence=f"this inline schema is named {candidate}",
                    fix="give the schema a title or move it into components/schemas in an overlay",
                )
                return candidate, False
        raise AssertionError(f"no free name for {where}")  # pragma: no cover - needs 3 clashes

    def _ref_to(self, name: str) -> dict[str, Any]:
        return {"$ref": SCHEMA_REF + _esc(name)}

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while _is_ref(schema) and seen < 32:
            target = _ref_name(schema)
            if target is None or target not in self.schemas:
                return schema
            schema = self.schemas[target]
            seen += 1
        return schema

    # -- 2. allOf over a union -------------------------------------------------------
    def distribute_unions(self) -> None:
        for name in list(self.schemas):
            schema = self.schemas[name]
            members = schema.get("allOf") if isinstance(schema, dict) else None
            if not isinstance(members, list):
                continue
            union_at = [
                i
                for i, m in enumerate(members)
                if _is_ref(m) and self._pure_union(self.resolve(m)) is not None
            ]
            if len(union_at) != 1:
                continue
            union = self.resolve(members[union_at[0]])
            key = self._pure_union(union)
            assert key is not None
            rest = [m for i, m in enumerate(members) if i != union_at[0]]
            variants: list[dict[str, Any]] = union[key]
            variant_names = [_ref_name(v) or "" for v in variants]
            labels = distinct_parts(variant_names)
            extra = {k: v for k, v in schema.items() if k in ("properties", "required", "type")}
            branches: list[dict[str, Any]] = []
            pinned = self._pinned_values(rest)
            kept = [
                (v, label)
                for v, label in zip(variants, labels, strict=True)
                if not self._conflicts(self._pinned_values([v]), pinned)
            ]
            if len(kept) < len(variants):
                dropped = [_ref_name(v) for v in variants if v not in [k for k, _ in kept]]
                self.problems.add(
                    self.origins.get(name, name),
                    f"allOf combines the union {_ref_name(members[union_at[0]])} with fixed "
                    f"values {sorted(pinned.items())} that members {dropped} can never have",
                    consequence="those members are left out of the generated union",
                    fix="none needed: no valid payload matches them",
                    severity="info",
                )
            if len(kept) == 1:
                variant = kept[0][0]
                merged: dict[str, Any] = {"allOf": [copy.deepcopy(variant), *rest]}
                merged.update({k: v for k, v in schema.items() if k != "allOf"})
                self.schemas[name] = merged
                continue
            for variant, label in kept:
                branch: dict[str, Any] = {"allOf": [copy.deepcopy(variant), *copy.deepcopy(rest)]}
                branch.update(copy.deepcopy(extra))
                where = f"{self.origins.get(name, name)}/allOf/{union_at[0]}"
                branch_name, reused = self.claim(name + label, branch, where)
                if not reused:
                    self.schemas[branch_name] = branch
                    self.origins[branch_name] = where
                branches.append(self._ref_to(branch_name))
            keep = {k: v for k, v in schema.items() if k in ("description", "nullable", "title")}
            self.schemas[name] = {key: branches, **keep}

    def _pinned_values(self, members: list[Any]) -> dict[str, str]:
        """Properties fixed to one value (single-valued enum or const) across ``members``."""
        pinned: dict[str, str] = {}
        for member in members:
            shape = self.resolve(member) if isinstance(member, dict) else {}
            for sub in [shape, *(shape.get("allOf") or [])]:
                sub = self.resolve(sub) if isinstance(sub, dict) else {}
                for prop, value in (sub.get("properties") or {}).items():
                    value = self.resolve(value) if isinstance(value, dict) else {}
                    enum = value.get("enum")
                    if "const" in value:
                        pinned[prop] = str(value["const"])
                    elif isinstance(enum, list) and len(enum) == 1:
                        pinned[prop] = str(enum[0])
        return pinned

    @staticmethod
    def _conflicts(a: dict[str, str], b: dict[str, str]) -> bool:
        return any(key in b and b[key] != value for key, value in a.items())

    # -- 4. typing fixes ---------------------------------------------------------------
    def drop_ref_defaults(self) -> None:
        """A default next to a ``$ref`` to an enum/scalar becomes a bare str/bool default
        for a RootModel-typed field (a type error); the service applies it anyway, and the
        builders send only what the caller set, so it is dropped from the model."""
        for schema in self.schemas.values():
            if isinstance(schema, dict) and not _has_properties(schema) and "allOf" not in schema:
                # dcg copies a scalar component's default onto every field that uses it
                schema.pop("default", None)
            for sub in [schema, *(schema.get("allOf") or [])]:
                props = sub.get("properties") if isinstance(sub, dict) else None
                for value in (props or {}).values():
                    if not isinstance(value, dict) or "default" not in value:
                        continue
                    target = value if _is_ref(value) else None
                    members = value.get("allOf")
                    if target is None and isinstance(members, list) and len(members) == 1:
                        target = members[0] if _is_ref(members[0]) else None
                    if target is not None:
                        del value["default"]

    def flatten_conflicts(self) -> None:
        """A schema whose allOf members define the same property twice becomes one flat
        object: as subclasses, the redefinitions would violate their base class's types."""
        for name in list(self.schemas):
            schema = self.schemas[name]
            members = schema.get("allOf") if isinstance(schema, dict) else None
            if not isinstance(members, list) or not members:
                continue
            merged = self._object_view(schema)
            if merged is None or not merged[2]:
                continue
            props, required, _ = merged
            flat: dict[str, Any] = {"type": "object", "properties": props}
            if required:
                flat["required"] = sorted(set(required), key=required.index)
            flat.update(
                {k: v for k, v in schema.items() if k in ("description", "nullable", "title")}
            )
            self.schemas[name] = flat

    def _object_view(
        self, schema: dict[str, Any], depth: int = 0
    ) -> tuple[dict[str, Any], list[str], bool] | None:
        """(properties, required, redefined?) of an object schema, through allOf and refs."""
        if depth > 16:
            return None
        schema = self.resolve(schema)
        if any(k in schema for k in ("oneOf", "anyOf")):
            return None
        props: dict[str, Any] = {}
        required: list[str] = []
        redefined = False
        for member in schema.get("allOf") or []:
            view = self._object_view(member, depth + 1)
            if view is None:
                return None
            redefined = redefined or view[2] or bool(set(props) & set(view[0]))
            props.update(view[0])
            required.extend(view[1])
        own = schema.get("properties") or {}
        redefined = redefined or bool(set(props) & set(own))
        props.update(own)
        required.extend(r for r in schema.get("required") or [] if isinstance(r, str))
        return props, required, redefined

    def _pure_union(self, schema: dict[str, Any]) -> str | None:
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if (
                isinstance(members, list)
                and members
                and all(_is_ref(m) for m in members)
                and not _has_properties(schema)
            ):
                return key
        return None

    # -- 3. hoisting -----------------------------------------------------------------
    def hoist_components(self) -> None:
        for name in list(self.schemas):
            self.visit(self.schemas[name], name, self.origins.get(name, name))

    def use(
        self,
        schema: Any,
        name: str,
        where: str,
        *,
        member: bool = False,
        full: str | None = None,
    ) -> Any:
        """A schema at a use site: hoist it if it becomes a class, else visit its children.

        ``member``: the schema is a union member or array item, where dcg also makes a
        class of a constrained list or scalar (it cannot put the constraints in ``Field``).
        ``full``: the unshortened name, used if ``name`` is taken (see ``claim``).
        """
        if not isinstance(schema, dict) or _is_ref(schema):
            return schema
        if not (_becomes_class(schema) or (member and _constrained(schema))):
            self.visit(schema, name, where)
            return schema
        shape = {k: v for k, v in schema.items() if k not in _USE_SITE_KEYS or k == "description"}
        chosen, reused = self.claim(name, shape, where, full=full)
        if not reused:
            self.schemas[chosen] = shape
            self.origins[chosen] = where
            self.visit(shape, chosen, where)
        use = self._ref_to(chosen)
        for key in _USE_SITE_KEYS:
            if key in schema and key != "description":
                use[key] = schema[key]
        if use.keys() != {"$ref"}:
            # OpenAPI 3.0 ignores siblings of $ref; wrap so that nullable/default survive.
            return {
                "allOf": [self._ref_to(chosen)],
                **{k: v for k, v in use.items() if k != "$ref"},
            }
        return use

    def visit(self, schema: Any, owner: str, where: str) -> None:
        """Visit a schema that is (part of) class or type ``owner``; hoist class-worthy children."""
        if not isinstance(schema, dict) or _is_ref(schema):
            return
        props = schema.get("properties")
        if isinstance(props, dict):
            for prop, sub in list(props.items()):
                props[prop] = self.use(
                    sub,
                    joined(owner, pascal(prop)),
                    f"{where}/properties/{_esc(prop)}",
                    full=owner + pascal(prop),
                )
        members = schema.get("allOf")
        if isinstance(members, list):
            for i, member in enumerate(members):
                # inline allOf members are merged into the owner's class by dcg
                self.visit(member, owner, f"{where}/allOf/{i}")
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if isinstance(members, list) and _has_properties(schema) and members:
                if all(_required_only(m) for m in members):
                    self.split_required_variants(schema, key, owner, where)
                    continue
            if isinstance(members, list):
                labels = [
                    _without_repeat(owner, label)
                    for label in self.variant_labels(members, where, key)
                ]
                for i, (member, label) in enumerate(zip(members, labels, strict=True)):
                    members[i] = self.use(
                        member,
                        joined(owner, label),
                        f"{where}/{key}/{i}",
                        member=True,
                        full=owner + label,
                    )
        items = schema.get("items")
        if isinstance(items, dict):
            schema["items"] = self.use(
                items, singular(owner) or owner + "Item", f"{where}/items", member=True
            )
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            schema["additionalProperties"] = self.use(
                extra, owner + "Value", f"{where}/additionalProperties"
            )

    def split_required_variants(
        self, schema: dict[str, Any], key: str, owner: str, where: str
    ) -> None:
        """``{properties, oneOf: [{required: [a]}, {required: [b]}]}`` → a union of objects.

        dcg would copy the properties into numbered classes; each member here becomes a
        full object named after what it requires (``...FileSearchWithVectorStoreIds``).
        """
        props = schema.pop("properties")
        required = list(schema.pop("required", []))
        shape = {k: schema.pop(k) for k in ("additionalProperties",) if k in schema}
        members = []
        for i, member in enumerate(schema[key]):
            needs = [r for r in member.get("required", []) if r not in required]
            label = "With" + "And".join(pascal(r) for r in needs) if needs else "Object"
            full: dict[str, Any] = {"type": "object", "properties": copy.deepcopy(props)}
            full["required"] = required + needs
            full.update(copy.deepcopy(shape))
            members.append(self.use(full, owner + label, f"{where}/{key}/{i}", member=True))
        schema[key] = members

    def variant_labels(self, members: list[Any], where: str, key: str) -> list[str]:
        """What tells each union member apart, for members that become classes.

        A title wins; then the value of a single-valued discriminating property (``type``,
        ``event``, ...), without the words all members share; constrained lists and
        scalars are named by their JSON type. Position is the last resort, reported.
        """
        labels = ["" for _ in members]
        inline = [i for i, m in enumerate(members) if isinstance(m, dict) and not _is_ref(m)]
        tags = {i: self._type_tag(members[i]) for i in inline}
        tagged = [i for i in inline if tags[i]]
        for i, part in zip(
            tagged, distinct_parts([pascal(tags[i] or "") for i in tagged]), strict=True
        ):
            labels[i] = part
        for i in inline:
            member = members[i]
            if isinstance(member.get("title"), str) and _becomes_class(member):
                labels[i] = pascal(member["title"])
            elif not labels[i] and not _becomes_class(member):
                labels[i] = _TYPE_LABELS.get(str(member.get("type")), "Value")
        class_members = [i for i in inline if _becomes_class(members[i])]
        chosen = [labels[i] for i in class_members]
        if len(class_members) == 1 and not chosen[0]:
            labels[class_members[0]] = "Object"
        elif any(not c for c in chosen) or len(set(chosen)) != len(chosen):
            for position, i in enumerate(class_members, start=1):
                ordinal = (
                    _ORDINALS[position - 1] if position <= len(_ORDINALS) else f"Variant{position}"
                )
                labels[i] = ordinal
                self.problems.add(
                    f"{where}/{key}/{i}",
                    "inline union members have no titles or distinct single-valued properties",
                    consequence=f"this member's class is named by position ({ordinal})",
                    fix="give the member a title in an overlay",
                )
        return labels

    def _type_tag(self, member: dict[str, Any]) -> str | None:
        props: dict[str, Any] = {}
        if _has_properties(member):
            props.update(member["properties"])
        for sub in member.get("allOf") or []:
            if isinstance(sub, dict):
                props.update(self.resolve(sub).get("properties") or {})
        ordered = [p for p in _TAG_PROPERTIES if p in props] + [
            p for p in props if p not in _TAG_PROPERTIES
        ]
        for prop in ordered:
            tag = props[prop]
            if isinstance(tag, dict):
                tag = self.resolve(tag)
                if "const" in tag:
                    return str(tag["const"])
                enum = tag.get("enum")
                if isinstance(enum, list) and len(enum) == 1:
                    return str(enum[0])
        return None

    def hoist_operations(self) -> None:
        for path, item in (self.doc.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            for method in _HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                base = f"#/paths/{_esc(path)}/{method}"
                op_name = pascal(op.get("operationId") or f"{method} {path}")
                body = op.get("requestBody")
                if isinstance(body, dict):
                    for media, content in (body.get("content") or {}).items():
                        if isinstance(content, dict) and "schema" in content:
                            content["schema"] = self.use(
                                content["schema"],
                                op_name + "Request",
                                f"{base}/requestBody/content/{_esc(media)}/schema",
                            )
                for code, response in (op.get("responses") or {}).items():
                    if not isinstance(response, dict):
                        continue
                    label = _response_label(str(code))
                    for media, content in (response.get("content") or {}).items():
                        if isinstance(content, dict) and "schema" in content:
                            content["schema"] = self.use(
                                content["schema"],
                                op_name + label,
                                f"{base}/responses/{code}/content/{_esc(media)}/schema",
                            )
                for i, param in enumerate(op.get("parameters") or []):
                    if isinstance(param, dict) and isinstance(param.get("schema"), dict):
                        param["schema"] = self.use(
                            param["schema"],
                            op_name + pascal(str(param.get("name", ""))),
                            f"{base}/parameters/{i}/schema",
                        )


# Properties whose single value names a union member, in order of preference.
_TAG_PROPERTIES = ("type", "event", "object", "role", "kind", "status")
# Constrained lists and scalars in a union become RootModel classes: named by JSON type.
_TYPE_LABELS = {
    "array": "List",
    "string": "String",
    "integer": "Integer",
    "number": "Number",
    "boolean": "Boolean",
}
_CONSTRAINTS = (
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
)
_ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth")


def _response_label(code: str) -> str:
    if code.startswith("2"):
        return "Response"
    if code == "default":
        return "ErrorResponse"
    try:
        return pascal(http.HTTPStatus(int(code)).phrase) + "Response"
    except ValueError:
        return pascal(code) + "Response"


def _drop_explicit_not_nullable(node: Any) -> None:
    """``nullable: false`` is the default; spelled out, dcg types an optional field as
    non-None while its default is None (a type error), so the explicit false is dropped.

    ``discriminator`` is dropped too: dcg types each mapped subclass's tag as a Literal of
    every tag (a type error against the base), and pydantic's smart union mode picks the
    member without it; the tag properties themselves are kept as single-value Literals."""
    if isinstance(node, dict):
        if node.get("nullable") is False:
            del node["nullable"]
        if isinstance(node.get("discriminator"), dict):
            del node["discriminator"]
        for value in node.values():
            _drop_explicit_not_nullable(value)
    elif isinstance(node, list):
        for value in node:
            _drop_explicit_not_nullable(value)


def _drop_restated_extras(schemas: dict[str, Any]) -> None:
    """Every class allows extra fields of any type: the shared base model says so once
    (``extra="allow"``). ``additionalProperties: true`` (or ``{}`` next to properties) on
    a class would only restate it, and ``false`` is overridden by that policy (it always
    was: services send fields newer than the spec); dcg would still write a
    ``model_config`` on the class for either, so they are dropped, here and on inline
    ``allOf`` members (which dcg merges into the class).

    ``{}`` on an object without properties is kept (dcg makes a ``dict`` RootModel of it,
    not a class), and so are typed ``additionalProperties`` schemas (they type the extras).
    """
    if not EXTRA_FIELDS_ALLOWED:  # pragma: no cover - the base model always allows extras
        return
    for schema in schemas.values():
        if not isinstance(schema, dict):
            continue
        parts = [schema]
        parts += [m for m in schema.get("allOf") or [] if isinstance(m, dict) and not _is_ref(m)]
        for part in parts:
            extra = part.get("additionalProperties", None)
            if isinstance(extra, bool) and (part.get("type") == "object" or _has_properties(part)):
                del part["additionalProperties"]
            elif extra == {} and _has_properties(part):
                del part["additionalProperties"]


def prepare(document: dict[str, Any], problems: Problems) -> PreparedSpec:
    """Rename, distribute, hoist and drop restated extras; the input is not modified."""
    work = _Preparer(document, problems)
    _drop_explicit_not_nullable(work.doc)
    work.rename_components()
    work.distribute_unions()
    work.hoist_components()
    work.hoist_operations()
    work.drop_ref_defaults()
    work.flatten_conflicts()
    _drop_restated_extras(work.schemas)
    return PreparedSpec(
        document=work.doc, class_names=dict(work.class_names), origins=dict(work.origins)
    )
