"""Build the intermediate representation (:mod:`generator.codegen.ir`) from a prepared spec.

Problems (an operation without an id, a parameter type we cannot express, ...) are
collected in :class:`~generator.codegen.problems.Problems`; each says what the generator
did instead. Nothing here renders text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.codegen.ir import Api, Body, Operation, Param, PathPart, Response
from generator.codegen.naming import snake
from generator.codegen.prepare import SCHEMA_REF, PreparedSpec
from generator.codegen.problems import Problems
from generator.codegen.surfaces import SurfaceRules

__all__ = ["BUILDER_NAMES", "build_api", "python_type"]

_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_JSON_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
# Builder arguments that a parameter must not shadow.
_BUILDER_ARGS = {"endpoint", "body", "auth", "headers", "deployment"}
# Builders named here rather than after their operationId, keyed by (method, path as in
# the spec): the same operation has a different operationId on each surface, and its
# builder has one name in every package. Any other builder is the operationId in
# snake_case.
BUILDER_NAMES: dict[tuple[str, str], str] = {
    # dated specs: operationId ChatCompletions_Create
    ("post", "/deployments/{deployment-id}/chat/completions"): "create_chat_completion",
    # v1: createChatCompletion; Foundry model inference: GetChatCompletions
    ("post", "/chat/completions"): "create_chat_completion",
}


def _esc(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class _Types:
    def __init__(self, prepared: PreparedSpec) -> None:
        self.schemas: dict[str, Any] = prepared.document.get("components", {}).get("schemas", {})

    def ref_name(self, schema: dict[str, Any]) -> str | None:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
            return ref[len(SCHEMA_REF) :].replace("~1", "/").replace("~0", "~")
        return None

    def annotation(self, schema: Any, *, models: bool) -> str | None:
        """A Python annotation for a schema, or None when it cannot be expressed."""
        if not isinstance(schema, dict):
            return None
        name = self.ref_name(schema)
        if name is not None:
            target = self.schemas.get(name)
            if target is None:
                return None
            if models and (target.get("properties") or target.get("allOf")):
                return f"models.{name}"
            return self.annotation(target, models=models)
        members = schema.get("allOf")
        if isinstance(members, list) and len(members) == 1:
            return self.annotation(members[0], models=models)
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and all(isinstance(v, str) for v in enum):
            return "Literal[" + ", ".join(json.dumps(v) for v in enum) + "]"
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                parts = [self.annotation(o, models=models) for o in options]
                if all(parts):
                    return " | ".join(dict.fromkeys(p for p in parts if p))
                return None
        kind = schema.get("type")
        if kind == "array":
            inner = self.annotation(schema.get("items", {}), models=models)
            return f"list[{inner}]" if inner else None
        if kind == "object":
            return "dict[str, Any]"
        return _JSON_TYPES.get(str(kind))


def python_type(schema: Any, prepared: PreparedSpec) -> str | None:
    return _Types(prepared).annotation(schema, models=False)


def _path_parts(path: str, names: dict[str, str]) -> tuple[PathPart, ...]:
    parts: list[PathPart] = []
    for piece in re.split(r"(\{[^}]+\})", path):
        if not piece:
            continue
        if piece.startswith("{") and piece.endswith("}"):
            parts.append(PathPart(names.get(piece[1:-1], snake(piece[1:-1])), True))
        else:
            parts.append(PathPart(piece, False))
    return tuple(parts)


def _resolve_param(doc: dict[str, Any], param: dict[str, Any]) -> dict[str, Any]:
    ref = param.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/parameters/"):
        key = ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        resolved = doc.get("components", {}).get("parameters", {}).get(key)
        return resolved if isinstance(resolved, dict) else {}
    return param


def _one_line(text: Any) -> str:
    return " ".join(str(text or "").split())


class _Builder:
    def __init__(
        self,
        prepared: PreparedSpec,
        rules: SurfaceRules,
        api_version: str,
        problems: Problems,
    ) -> None:
        self.doc = prepared.document
        self.types = _Types(prepared)
        self.rules = rules
        self.api_version = api_version
        self.problems = problems

    def operations(self) -> list[Operation]:
        ops: list[Operation] = []
        names: set[str] = set()
        for path, item in (self.doc.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            shared = item.get("parameters") or []
            for method in _HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                where = f"#/paths/{_esc(path)}/{method}"
                op_id = op.get("operationId")
                chosen = BUILDER_NAMES.get((method, path))
                if not op_id:
                    op_id = f"{method}_{path}"
                    self.problems.add(
                        where,
                        "the operation has no operationId",
                        consequence=f"its builder is named {chosen or snake(op_id)}",
                        fix="add an operationId in an overlay",
                    )
                function = chosen or snake(op_id)
                if function in names:
                    self.problems.add(
                        where,
                        f"operationId '{op_id}' gives the builder name {function} twice",
                        consequence="the operation is not generated",
                        fix="give the operation a distinct operationId in an overlay",
                        severity="error",
                    )
                    continue
                names.add(function)
                built = self.operation(path, method, op, shared, op_id, function, where)
                if built is not None:
                    ops.append(built)
        return ops

    def operation(
        self,
        path: str,
        method: str,
        op: dict[str, Any],
        shared: list[Any],
        op_id: str,
        function: str,
        where: str,
    ) -> Operation | None:
        raw: dict[tuple[str, str], dict[str, Any]] = {}
        for param in [*shared, *(op.get("parameters") or [])]:
            resolved = _resolve_param(self.doc, param)
            if resolved.get("in") in ("path", "query", "header") and resolved.get("name"):
                raw[(resolved["in"], resolved["name"])] = resolved
        params: list[Param] = []
        used: set[str] = set(_BUILDER_ARGS)
        deployment: str | None = None
        path_names: dict[str, str] = {}
        for (location, name), spec in raw.items():
            if name.lower() in ("api-key", "authorization"):
                continue  # auth is the `auth` argument
            if (
                self.rules.deployment == "path"
                and location == "path"
                and name == self.rules.deployment_parameter
            ):
                deployment = "path"
                path_names[name] = "deployment"
                continue
            param = self.param(spec, location, name, used, where)
            if param is None:
                if spec.get("required"):
                    return None
                continue
            used.add(param.python_name)
            if location == "path":
                path_names[name] = param.python_name
            params.append(param)
        if self.rules.deployment == "header":
            deployment = "header"
        body = self.body(op, where)
        if self.rules.deployment == "body" and body is not None and body.deployment_field:
            deployment = "body"
        params.sort(key=lambda p: (not p.required, _LOCATION_ORDER[p.location]))
        return Operation(
            operation_id=op_id,
            function_name=function,
            method=method.upper(),
            path=path,
            path_parts=_path_parts(path, path_names),
            summary=_one_line(op.get("summary") or op.get("description")),
            deprecated=bool(op.get("deprecated")),
            params=tuple(params),
            body=body,
            responses=self.responses(op),
            deployment=deployment,
        )

    def param(
        self, spec: dict[str, Any], location: str, name: str, used: set[str], where: str
    ) -> Param | None:
        schema = spec.get("schema", {})
        annotation = self.types.annotation(schema, models=False)
        if annotation is None:
            self.problems.add(
                f"{where}/parameters[{name}]",
                f"the {location} parameter '{name}' has a type the generator cannot express",
                consequence="it is typed as str" if location != "path" else "it is typed as str",
                fix="give the parameter a plain schema in an overlay",
            )
            annotation = "str"
        python_name = snake(name)
        if python_name in used:
            python_name = f"{python_name}_{location}"
        if python_name in used:
            self.problems.add(
                f"{where}/parameters[{name}]",
                f"the parameter '{name}' has the same Python name as another parameter",
                consequence="it is not generated",
                fix="rename one of the parameters in an overlay",
                severity="error",
            )
            return None
        required = bool(spec.get("required")) or location == "path"
        default: str | None = None
        if name == "api-version" and location == "query":
            if self.rules.pin_api_version:
                # the builder sends this spec's api-version unless told otherwise
                default, required = json.dumps(self.api_version), False
        if required and default is None:
            enum = schema.get("enum") if isinstance(schema, dict) else None
            if isinstance(enum, list) and len(enum) == 1 and location == "header":
                # a required header with one allowed value (v1: `aoai-evals: preview`,
                # seed 002 "preview headers") is filled in
                default, required = json.dumps(enum[0]), False
        if not required and default is None:
            annotation = f"{annotation} | None"
            default = "None"
        return Param(
            name=name,
            python_name=python_name,
            location=location,  # type: ignore[arg-type]
            required=required,
            annotation=annotation,
            default=default,
            description=_one_line(spec.get("description")),
        )

    def body(self, op: dict[str, Any], where: str) -> Body | None:
        request = op.get("requestBody")
        if not isinstance(request, dict):
            return None
        content = request.get("content") or {}
        media = next((m for m in _BODY_MEDIA if m in content), None)
        if media is None:
            if content:
                self.problems.add(
                    f"{where}/requestBody",
                    f"request media types {sorted(content)} are not supported",
                    consequence="the builder sends no body",
                    fix="describe the body as application/json or multipart/form-data",
                )
            return None
        schema = content[media].get("schema", {})
        model = self.types.ref_name(schema) if isinstance(schema, dict) else None
        if model is not None and model not in self.types.schemas:
            model = None
        annotation = f"models.{model}" if model else "dict[str, Any]"
        deployment_field = None
        if self.rules.deployment == "body" and model is not None:
            if self.rules.deployment_parameter in self._properties(model):
                deployment_field = self.rules.deployment_parameter
        return Body(
            media_type=media,
            model=model,
            annotation=annotation,
            required=bool(request.get("required")),
            multipart=media == "multipart/form-data",
            deployment_field=deployment_field,
        )

    def _properties(self, model: str, depth: int = 0) -> set[str]:
        schema = self.types.schemas.get(model, {})
        found = set((schema.get("properties") or {}).keys())
        for member in schema.get("allOf") or []:
            name = self.types.ref_name(member) if isinstance(member, dict) else None
            if name and depth < 16:
                found |= self._properties(name, depth + 1)
            elif isinstance(member, dict):
                found |= set((member.get("properties") or {}).keys())
        return found

    def responses(self, op: dict[str, Any]) -> tuple[Response, ...]:
        out: list[Response] = []
        for status, response in (op.get("responses") or {}).items():
            if not isinstance(response, dict):
                continue
            for media, content in (response.get("content") or {}).items():
                schema = content.get("schema") if isinstance(content, dict) else None
                model = self.types.ref_name(schema) if isinstance(schema, dict) else None
                if model is not None and model not in self.types.schemas:
                    model = None
                out.append(Response(str(status), media, model))
        return tuple(out)


_LOCATION_ORDER = {"path": 0, "query": 1, "header": 2}
_BODY_MEDIA = ("application/json", "multipart/form-data")


def build_api(
    prepared: PreparedSpec,
    *,
    spec_id: str,
    sha256: str,
    package: str,
    api_version: str,
    rules: SurfaceRules,
    header: str,
    problems: Problems,
) -> Api:
    builder = _Builder(prepared, rules, api_version, problems)
    info = prepared.document.get("info") or {}
    return Api(
        spec_id=spec_id,
        sha256=sha256,
        package=package,
        api_version=api_version,
        title=_one_line(info.get("title") or spec_id),
        surface=rules,
        operations=tuple(builder.operations()),
        header=header,
    )
