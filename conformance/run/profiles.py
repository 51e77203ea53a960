"""Gateway profiles: a documented variant of a surface and its expected deviations.

A profile (``specs/profiles/<name>.json``) says which surfaces and deployments a gateway
serves, how it authenticates, and which clauses it deviates from *by documentation* (for
seed 003's gateway: no api-version, api-key only). An expected deviation is reported as
skipped with the profile's reason; every other clause is checked as usual, so anything
undocumented is still a divergence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.surfaces import SURFACES
from generator.errors import UsageError
from generator.paths import PROFILES_DIR

__all__ = ["Profile", "Deviation", "PROFILES_DIR", "load_profile", "list_profiles"]

_SURFACES = SURFACES


@dataclass(frozen=True)
class Deviation:
    clause: str
    reason: str
    source: str


@dataclass(frozen=True)
class Profile:
    id: str
    description: str
    source: str
    surfaces: tuple[str, ...]
    deployment: str | None = None
    auth: tuple[str, ...] = ("api-key",)
    send_api_version: bool = True
    deviations: dict[str, Deviation] = field(default_factory=dict)
    error_texts: dict[str, str] = field(default_factory=dict)
    # the embedded emulator's matching mode (EmulatorConfig(profile=...)), if it has one
    emulator_profile: str | None = None
    path: Path | None = None

    def deviation(self, clause_id: str) -> Deviation | None:
        return self.deviations.get(clause_id)


def list_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.json"))


def _resolve(name_or_path: str) -> Path:
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        raise UsageError(f"profile {name_or_path} is a folder; pass a profile JSON file in it")
    if path.is_file():
        return path
    if path.suffix == ".json" or len(path.parts) > 1:
        raise UsageError(f"profile file {name_or_path} does not exist; check the path")
    for candidate in (
        PROFILES_DIR / f"{name_or_path}.json",
        PROFILES_DIR / f"{name_or_path}-gateway.json",
    ):
        if candidate.is_file():
            return candidate
    # the short names first: seed-003 is seed-003-gateway (also `emulate --profile seed-003`)
    known = (
        ", ".join(
            f"{n.removesuffix('-gateway')} ({n})" if n.startswith("seed-") else n
            for n in list_profiles()
        )
        or "none"
    )
    raise UsageError(
        f"profile {name_or_path!r} not found: pass a profile JSON file or one of: {known}"
    )


def load_profile(name_or_path: str) -> Profile:
    """Read a profile by shipped name (``seed-003``) or by path; bad files are usage errors."""
    path = _resolve(name_or_path)
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"profile {path} is not readable JSON ({exc}); fix the file") from None
    try:
        surfaces = tuple(raw["surfaces"])
        bad = [s for s in surfaces if s not in _SURFACES]
        if bad or not surfaces:
            raise UsageError(
                f"profile {path}: surfaces must be a non-empty subset of {', '.join(_SURFACES)}"
            )
        deviations = {
            d["clause"]: Deviation(d["clause"], d["reason"], d["source"])
            for d in raw.get("expected_deviations", [])
        }
        return Profile(
            id=str(raw["id"]),
            description=str(raw.get("description", "")),
            source=str(raw["source"]),
            surfaces=surfaces,
            deployment=raw.get("deployment"),
            auth=tuple(raw.get("auth", ["api-key"])),
            send_api_version=bool(raw.get("send_api_version", True)),
            deviations=deviations,
            error_texts={str(k): str(v) for k, v in raw.get("error_texts", {}).items()},
            emulator_profile=raw.get("emulator_profile"),
            path=path,
        )
    except (KeyError, TypeError) as exc:
        raise UsageError(
            f"profile {path} lacks the field {exc}: a profile needs id, source, surfaces "
            "and expected_deviations [{clause, reason, source}]"
        ) from None
