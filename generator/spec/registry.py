"""The spec registry: every upstream spec the product knows, pinned by sha256.

The registry lives in ``specs/registry.json`` and is shipped inside the wheel.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from generator.errors import SpecError, UnknownSpecError
from generator.paths import REGISTRY_FILE

__all__ = ["Surface", "PackageRef", "SpecEntry", "Registry", "load_registry", "SURFACES"]

Surface = Literal["dated", "v1", "foundry"]
SURFACES: tuple[Surface, ...] = ("dated", "v1", "foundry")


@dataclass(frozen=True)
class PackageRef:
    """Where an installed Python distribution ships the spec file."""

    distribution: str
    module: str
    path: str


@dataclass(frozen=True)
class SpecEntry:
    id: str
    surface: Surface
    api_version: str
    stability: Literal["ga", "preview"]
    repo: str
    path: str
    commit: str | None
    url: str
    sha256: str
    bytes: int
    format: str
    package: PackageRef | None = None
    note: str | None = None

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        return "." + self.filename.rsplit(".", 1)[-1]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        # ``commit`` stays even when unknown (null): its absence is information.
        return {k: v for k, v in data.items() if v is not None or k == "commit"}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> SpecEntry:
        pkg = raw.get("package")
        return cls(
            id=raw["id"],
            surface=raw["surface"],
            api_version=raw["api_version"],
            stability=raw.get("stability", "preview" if "preview" in raw["api_version"] else "ga"),
            repo=raw["repo"],
            path=raw["path"],
            commit=raw.get("commit"),
            url=raw["url"],
            sha256=raw["sha256"],
            bytes=int(raw.get("bytes", 0)),
            format=raw.get("format", ""),
            package=PackageRef(**pkg) if pkg else None,
            note=raw.get("note"),
        )


@dataclass
class Registry:
    entries: list[SpecEntry]
    path: Path | None = None
    comment: str = field(default="")

    def __iter__(self) -> Iterator[SpecEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def get(self, spec_id: str) -> SpecEntry:
        for entry in self.entries:
            if entry.id == spec_id:
                return entry
        close = difflib.get_close_matches(spec_id, self.ids(), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise UnknownSpecError(
            f"unknown spec id '{spec_id}': {hint}run `aoai-conformance specs list` "
            f"to see the {len(self.entries)} registered ids"
        )

    def find_version(self, api_version: str, surface: Surface | None = None) -> SpecEntry | None:
        for entry in self.entries:
            if entry.api_version == api_version and (surface is None or entry.surface == surface):
                return entry
        return None

    def by_surface(self, surface: Surface) -> list[SpecEntry]:
        return sorted(
            (e for e in self.entries if e.surface == surface), key=lambda e: e.api_version
        )

    def latest(self, surface: Surface, *, ga_only: bool = False) -> SpecEntry | None:
        candidates = [e for e in self.by_surface(surface) if not ga_only or e.stability == "ga"]
        return candidates[-1] if candidates else None

    def previous(self, entry: SpecEntry) -> SpecEntry | None:
        """The registered spec of the same surface with the next-older api-version."""
        older = [e for e in self.by_surface(entry.surface) if e.api_version < entry.api_version]
        return older[-1] if older else None

    def to_json(self) -> dict[str, Any]:
        return {"$comment": self.comment, "specs": [e.to_json() for e in self.entries]}

    def save(self, path: Path | None = None) -> Path:
        target = path or self.path or REGISTRY_FILE
        target.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        return target


def load_registry(path: Path | None = None) -> Registry:
    """Read the registry (default: the shipped ``specs/registry.json``)."""
    target = path or REGISTRY_FILE
    try:
        raw = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(
            f"spec registry not found at {target}: reinstall aoai-conformance "
            "or restore specs/registry.json"
        ) from None
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"spec registry {target} is not valid JSON (line {exc.lineno}: {exc.msg}): "
            "fix the file or restore it from git"
        ) from None
    try:
        entries = [SpecEntry.from_json(item) for item in raw["specs"]]
    except (KeyError, TypeError) as exc:
        raise SpecError(
            f"spec registry {target} has an entry without the field {exc}: "
            "every entry needs id, surface, api_version, repo, path, url and sha256"
        ) from None
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise SpecError(f"spec registry {target} lists '{entry.id}' twice: remove one")
        seen.add(entry.id)
    return Registry(entries=entries, path=target, comment=raw.get("$comment", ""))
