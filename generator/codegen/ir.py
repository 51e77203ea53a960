"""The typed intermediate representation the templates render: built once per spec.

Templates see only these objects (never the raw spec): names are already Python names,
types are already Python annotations, and every Azure rule is already decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.codegen.surfaces import SurfaceRules

__all__ = ["Param", "Body", "Response", "PathPart", "Operation", "Api"]

Location = Literal["path", "query", "header"]


@dataclass(frozen=True)
class Param:
    name: str  # on the wire
    python_name: str
    location: Location
    required: bool  # the caller must pass it (no default)
    annotation: str  # Python type, e.g. ``Literal["asc", "desc"]``
    default: str | None  # Python source of the default; None when required
    description: str
    explode: bool = True  # arrays in the query: one pair per item


@dataclass(frozen=True)
class Body:
    media_type: str
    model: str | None  # class in models.py, or None for a free-form body
    annotation: str
    required: bool
    multipart: bool
    deployment_field: str | None  # v1: the body field that carries the deployment


@dataclass(frozen=True)
class Response:
    status: str
    media_type: str
    model: str | None


@dataclass(frozen=True)
class PathPart:
    text: str  # a literal piece, or the python name of a parameter
    is_param: bool


@dataclass(frozen=True)
class Operation:
    operation_id: str
    function_name: str
    method: str
    path: str  # as in the spec
    path_parts: tuple[PathPart, ...]
    summary: str
    deprecated: bool
    params: tuple[Param, ...]
    body: Body | None
    responses: tuple[Response, ...]
    deployment: str | None  # how the deployment is passed: path, body, header, or None


@dataclass(frozen=True)
class Api:
    spec_id: str
    sha256: str
    package: str
    api_version: str
    title: str
    surface: SurfaceRules
    operations: tuple[Operation, ...]
    header: str  # first line of every generated file
