"""Contract corrections kept in ``specs/overlays/*.json``.

An overlay is a JSON file with an ``id``, a ``reason``, a ``source`` (the document and
section that states the contract), ``applies_to`` (spec ``ids`` as glob patterns and/or
``surfaces``) and a list of ``patches``. A patch is an RFC 6902-style operation —
``add``, ``replace``, ``remove`` or ``merge`` (deep-merge a mapping) — on a JSON pointer
into the normalised document. A pointer that does not exist is an error, never a
silent skip: an overlay that stops applying must be noticed.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import OverlayError
from generator.paths import OVERLAYS_DIR

__all__ = ["Overlay", "AppliedOverlay", "load_overlays", "apply_overlays", "apply_overlay"]


@dataclass(frozen=True)
class Overlay:
    id: str
    reason: str
    source: str
    ids: tuple[str, ...]
    surfaces: tuple[str, ...]
    patches: tuple[dict[str, Any], ...]
    file: str

    def applies(self, spec_id: str, surface: str | None) -> bool:
        if any(fnmatch.fnmatchcase(spec_id, pattern) for pattern in self.ids):
            return True
        return surface is not None and surface in self.surfaces


@dataclass(frozen=True)
class AppliedOverlay:
    id: str
    reason: str
    source: str
    patches: int


def _split(path: str) -> list[str]:
    if path in ("", "/"):
        return []
    if not path.startswith("/"):
        raise ValueError(path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _deep_merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = value


def apply_overlay(doc: dict[str, Any], overlay: Overlay, spec_id: str) -> AppliedOverlay:
    for index, patch in enumerate(overlay.patches):
        op, path = patch.get("op"), patch.get("path", "")

        def fail(why: str, op: Any = op, path: Any = path, index: int = index) -> OverlayError:
            return OverlayError(
                f"overlay '{overlay.id}' ({overlay.file}) patch {index} ({op} {path}) "
                f"does not apply to spec '{spec_id}': {why}; fix the overlay's path or applies_to"
            )

        try:
            parts = _split(path)
        except ValueError:
            raise fail("the path must be a JSON pointer starting with '/'") from None
        if not parts:
            raise fail("the path must not be the document root")
        parent: Any = doc
        for part in parts[:-1]:
            if isinstance(parent, dict) and part in parent:
                parent = parent[part]
            elif isinstance(parent, list) and part.isdigit() and int(part) < len(parent):
                parent = parent[int(part)]
            else:
                raise fail(f"'{part}' not found")
        leaf = parts[-1]
        if not isinstance(parent, dict):
            raise fail("patches address mappings only")
        if op == "add":
            parent[leaf] = patch["value"]
        elif op == "replace":
            if leaf not in parent:
                raise fail(f"'{leaf}' not found")
            parent[leaf] = patch["value"]
        elif op == "remove":
            if leaf not in parent:
                raise fail(f"'{leaf}' not found")
            del parent[leaf]
        elif op == "merge":
            if not isinstance(parent.get(leaf), dict) or not isinstance(patch.get("value"), dict):
                raise fail("merge needs an existing mapping and a mapping value")
            _deep_merge(parent[leaf], patch["value"])
        else:
            raise fail("op must be add, replace, remove or merge")
    return AppliedOverlay(overlay.id, overlay.reason, overlay.source, len(overlay.patches))


def load_overlays(folder: Path | None = None) -> list[Overlay]:
    root = folder or OVERLAYS_DIR
    overlays: list[Overlay] = []
    for file in sorted(root.glob("*.json")):
        try:
            raw = json.loads(file.read_text(encoding="utf-8"))
            applies = raw.get("applies_to", {})
            overlays.append(
                Overlay(
                    id=raw["id"],
                    reason=raw["reason"],
                    source=raw["source"],
                    ids=tuple(applies.get("ids", [])),
                    surfaces=tuple(applies.get("surfaces", [])),
                    patches=tuple(raw["patches"]),
                    file=file.name,
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise OverlayError(
                f"overlay file {file} is malformed ({type(exc).__name__}: {exc}); it needs "
                "id, reason, source, applies_to and patches"
            ) from None
    return overlays


def apply_overlays(
    doc: dict[str, Any], *, spec_id: str, surface: str | None, folder: Path | None = None
) -> list[AppliedOverlay]:
    return [
        apply_overlay(doc, overlay, spec_id)
        for overlay in load_overlays(folder)
        if overlay.applies(spec_id, surface)
    ]
