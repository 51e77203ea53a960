"""Load a spec into one internal shape: an OpenAPI 3.0.3 document plus what was changed.

JSON and YAML; OpenAPI 3.0, 3.1 and Swagger 2.0 all come out as OpenAPI 3.0.3 after
:mod:`generator.spec.normalize`, so that datamodel-code-generator, schemathesis and our
own generator read every registered spec the same way.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from generator.errors import InvalidSpecError
from generator.spec.normalize import Change, normalize
from generator.spec.overlays import AppliedOverlay, apply_overlays
from generator.spec.registry import Registry, SpecEntry, load_registry
from generator.spec.sources import Resolved, resolve

__all__ = [
    "HTTP_METHODS",
    "Operation",
    "LoadedSpec",
    "parse_bytes",
    "source_format",
    "load_document",
    "load_spec",
    "load_spec_file",
    "resolve_pointer",
    "clear_cache",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass
class LoadedSpec:
    """A normalised OpenAPI 3.0.3 document and the record of how it got that way."""

    spec_id: str
    source_format: str
    document: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    overlays: list[AppliedOverlay] = field(default_factory=list)
    entry: SpecEntry | None = None
    sha256: str | None = None
    origin: str | None = None  # where the bytes came from

    @property
    def schemas(self) -> dict[str, Any]:
        return dict(self.document.get("components", {}).get("schemas", {}))

    def operations(self) -> list[Operation]:
        ops: list[Operation] = []
        for path, item in self.document.get("paths", {}).items():
            for method in HTTP_METHODS:
                op = item.get(method) if isinstance(item, dict) else None
                if isinstance(op, dict):
                    ops.append(
                        Operation(method, path, op.get("operationId", ""), op.get("summary", ""))
                    )
        return ops

    def security_schemes(self) -> dict[str, Any]:
        return dict(self.document.get("components", {}).get("securitySchemes", {}))

    def servers(self) -> list[dict[str, Any]]:
        return list(self.document.get("servers", []))

    def copy_document(self) -> dict[str, Any]:
        """A private deep copy, for consumers that mutate (schemathesis, generators)."""
        return copy.deepcopy(self.document)


def parse_bytes(data: bytes, name: str) -> dict[str, Any]:
    """Parse JSON or YAML bytes into a mapping, or raise a one-line InvalidSpecError."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidSpecError(
            f"{name}: not UTF-8 text (byte {exc.start}); supply the spec as UTF-8 JSON or YAML"
        ) from None
    stripped = text.lstrip()
    try:
        if stripped.startswith("{"):
            doc = json.loads(text)
        else:
            doc = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - safe loader
    except json.JSONDecodeError as exc:
        raise InvalidSpecError(
            f"{name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InvalidSpecError(
            f"{name}: invalid YAML{where}: {getattr(exc, 'problem', exc)}"
        ) from None
    if not isinstance(doc, dict):
        raise InvalidSpecError(
            f"{name}: expected an OpenAPI document (a mapping), found {type(doc).__name__}"
        )
    return doc


def source_format(doc: dict[str, Any], name: str) -> str:
    """``'openapi 3.0.x'``, ``'openapi 3.1.x'`` or ``'swagger 2.0'``; anything else is an error."""
    if str(doc.get("swagger", "")).startswith("2."):
        return f"swagger {doc['swagger']}"
    version = str(doc.get("openapi", ""))
    if version.startswith(("3.0", "3.1")):
        return f"openapi {version}"
    found = doc.get("openapi") or doc.get("swagger")
    raise InvalidSpecError(
        f"{name}: not an OpenAPI 3.0/3.1 or Swagger 2.0 document "
        f"(openapi/swagger field is {found!r}); check that the file is an API spec"
    )


def resolve_pointer(doc: Any, ref: str) -> Any:
    """Follow a local JSON pointer such as ``#/components/schemas/Foo``."""
    if not ref.startswith("#"):
        raise KeyError(ref)
    node = doc
    for raw in ref[1:].lstrip("/").split("/") if ref not in ("#", "#/") else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def load_document(
    doc: dict[str, Any], *, spec_id: str, entry: SpecEntry | None = None, name: str | None = None
) -> LoadedSpec:
    """Normalise an already-parsed document and apply the overlays that name it."""
    fmt = source_format(doc, name or f"spec '{spec_id}'")
    working = copy.deepcopy(doc)
    changes = normalize(working, fmt)
    overlays = apply_overlays(working, spec_id=spec_id, surface=entry.surface if entry else None)
    return LoadedSpec(
        spec_id=spec_id,
        source_format=fmt,
        document=working,
        changes=changes,
        overlays=overlays,
        entry=entry,
    )


def load_spec_file(path: Path, *, spec_id: str | None = None) -> LoadedSpec:
    """Load a spec from a file that is not in the registry (tests, hand-made diffs)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidSpecError(
            f"{path}: cannot read the spec ({exc.strerror}); check the path and permissions"
        ) from None
    loaded = load_document(
        parse_bytes(data, str(path)), spec_id=spec_id or path.stem, name=str(path)
    )
    loaded.origin = str(path)
    return loaded


def load_spec(spec_id: str, registry: Registry | None = None) -> LoadedSpec:
    """Resolve (pinned), parse, normalise and overlay a registered spec.

    The result is shared between callers in one process: treat ``document`` as
    read-only, or take :meth:`LoadedSpec.copy_document`.
    """
    reg = registry or load_registry()
    entry = reg.get(spec_id)
    return _load_entry(entry)


@lru_cache(maxsize=16)
def _load_entry(entry: SpecEntry) -> LoadedSpec:
    resolved: Resolved = resolve(entry)
    doc = parse_bytes(resolved.data, f"spec '{entry.id}' ({resolved.location})")
    loaded = load_document(doc, spec_id=entry.id, entry=entry)
    loaded.sha256 = entry.sha256
    loaded.origin = f"{resolved.source}:{resolved.location}"
    return loaded


def clear_cache() -> None:
    """Forget specs loaded in this process (after the environment or the files changed)."""
    _load_entry.cache_clear()
