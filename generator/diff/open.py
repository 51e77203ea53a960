"""Turn a command-line argument (spec id, api-version or file path) into a loaded spec."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from generator.diff.compare import diff_documents
from generator.diff.model import SpecDiff, SpecRef
from generator.errors import UsageError
from generator.spec import LoadedSpec, Registry, load_spec, load_spec_file

__all__ = ["open_spec", "spec_ref", "diff_specs"]

_SPEC_SUFFIXES = (".json", ".yaml", ".yml")


def open_spec(argument: str, registry: Registry) -> LoadedSpec:
    """A registered id, a registered api-version (dated surface first), or a spec file."""
    path = Path(argument).expanduser()
    if path.is_file():
        loaded = load_spec_file(path)
        loaded.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        return loaded
    if argument in registry.ids():
        return load_spec(argument, registry)
    entry = registry.find_version(argument, "dated") or registry.find_version(argument)
    if entry is not None:
        return load_spec(entry.id, registry)
    if argument.endswith(_SPEC_SUFFIXES) or "/" in argument or "\\" in argument:
        raise UsageError(
            f"spec file '{argument}' not found; give an existing OpenAPI file, a registered "
            "spec id, or an api-version (see `aoai-conformance specs list`)"
        )
    registry.get(argument)  # raises UnknownSpecError with a did-you-mean hint
    raise AssertionError("unreachable")  # pragma: no cover


def spec_ref(loaded: LoadedSpec) -> SpecRef:
    entry = loaded.entry
    if entry is not None:
        version: str | None = entry.api_version
    else:
        info = loaded.document.get("info") or {}
        version = str(info["version"]) if isinstance(info, dict) and "version" in info else None
    return SpecRef(
        id=loaded.spec_id, api_version=version, sha256=loaded.sha256, origin=loaded.origin
    )


def diff_specs(old: LoadedSpec, new: LoadedSpec, operations: Sequence[str] = ()) -> SpecDiff:
    """Everything a client of ``old`` can notice in ``new``."""
    return diff_documents(
        old.document,
        new.document,
        old_ref=spec_ref(old),
        new_ref=spec_ref(new),
        operations=operations,
    )
