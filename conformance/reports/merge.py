"""Merge JSON reports (shards of a fleet, or single runs) into one fleet result.

``aoai-conformance report merge a.json b.json ...`` reads each file with
:func:`load_report`, joins them with :func:`merge_reports` and writes every requested
format. The merged result is the fleet's: sections in the fleet file's order (recorded in
every shard's report), one exit code, the worst of the targets'. A target of the fleet
that no report covers is listed as missing and makes the merge inconclusive (exit 3) —
a shard whose job did not run is not a pass.
"""

from __future__ import annotations

import json
from pathlib import Path

from conformance.reports.fleet import fleet_from_json
from conformance.run.fleet import FleetResult
from generator.errors import UsageError

__all__ = ["load_report", "merge_reports"]


def load_report(path: Path) -> FleetResult:
    """A JSON report file as a fleet result (a single run is a fleet of one, named by
    the file's stem); a missing or foreign file is a one-line :class:`UsageError`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"report {path} does not exist; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"report {path} is not readable ({exc})") from None
    except ValueError as exc:
        raise UsageError(
            f"report {path} is not JSON ({exc}); merge the json reports of runs "
            "(--report json:PATH)"
        ) from None
    try:
        return fleet_from_json(data, path.stem)
    except (ValueError, TypeError, KeyError) as exc:
        raise UsageError(f"report {path}: {exc}; merge the json reports of runs") from None


def merge_reports(parts: list[tuple[Path, FleetResult]]) -> FleetResult:
    """One fleet result from several; a target in two reports is a :class:`UsageError`."""
    if not parts:
        raise UsageError("report merge needs at least one JSON report")
    owner: dict[str, Path] = {}
    sections = {}
    order: list[str] = []
    fleet_order: list[str] | None = None
    fleet_from: Path | None = None
    for path, fleet in parts:
        recorded = fleet.fleet_targets if len(fleet.fleet_targets) > 1 or fleet.shard else None
        if recorded is not None:
            if fleet_order is not None and recorded != fleet_order:
                raise UsageError(
                    f"{fleet_from} and {path} come from different fleet files (their target "
                    "lists differ); merge the shards of one fleet"
                )
            fleet_order, fleet_from = list(recorded), path
        for section in fleet.sections:
            if section.name in owner:
                raise UsageError(
                    f"target {section.name!r} is in both {owner[section.name]} and {path}; "
                    "merge each shard's report once"
                )
            owner[section.name] = path
            sections[section.name] = section
            order.append(section.name)
    names = list(fleet_order or [])
    names += [n for n in order if n not in names]
    merged = FleetResult(
        sections=[sections[n] for n in names if n in sections],
        fleet_targets=names,
        workers=max(f.workers for _, f in parts),
        started_at=min((f.started_at for _, f in parts if f.started_at), default=""),
        duration_s=max(f.duration_s for _, f in parts),
        interrupted=any(f.interrupted for _, f in parts),
        missing=[n for n in names if n not in sections],
    )
    for _, fleet in parts:
        for note in fleet.notes:
            if note not in merged.notes and not note.startswith("shard "):
                merged.notes.append(note)
    return merged
