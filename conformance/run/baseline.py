"""Baseline: divergences a team has accepted, so CI fails only on new ones.

A baseline file is JSON::

    {
      "version": 1,
      "accepted": [
        {"clause": "ERR-002", "target": "https://gw.example.com", "surface": "dated",
         "reason": "APIM policy strips x-ms-error-code; ticket OPS-123"}
      ]
    }

``clause`` is required. ``target`` is the run's target (compared without scheme/host case
or trailing slash); ``"*"`` or leaving it out accepts the divergence on every target.
``surface`` is optional (leave it out to accept on every surface); ``reason`` is free text
shown in reports. A failure matching an entry is marked ``baselined``: reported, but it
does not fail the run (exit code 0 if nothing else fails).

``write_baseline`` (``--update-baseline``) records the current failures. Only a *pass*
removes an accepted divergence: entries whose clause was not decided in this run
(inconclusive, skipped, interrupted before it ran) are kept, and the reasons of entries
that are still failing are carried over.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from conformance.model import Outcome, RunResult
from generator.errors import UsageError
from generator.paths import write_text_atomically

__all__ = [
    "BASELINE_VERSION",
    "Baseline",
    "BaselineEntry",
    "load_baseline",
    "normalise_target",
    "write_baseline",
]

BASELINE_VERSION = 1
_ANY = "*"


def normalise_target(target: str) -> str:
    """Targets compare without case of scheme/host and without a trailing slash."""
    target = target.strip()
    if target in ("", _ANY):
        return _ANY
    parts = urlsplit(target)
    if parts.scheme and parts.hostname:
        # user-info (user:password@) never goes into a baseline file
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        target = urlunsplit((parts.scheme.lower(), host, parts.path, parts.query, ""))
    return target.rstrip("/")


@dataclass(frozen=True)
class BaselineEntry:
    clause: str
    target: str = _ANY
    surface: str | None = None
    reason: str = ""

    def matches(self, clause: str, target: str, surface: str) -> bool:
        return (
            self.clause == clause
            and (self.target == _ANY or self.target == normalise_target(target))
            and (self.surface is None or self.surface == surface)
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"clause": self.clause, "target": self.target}
        if self.surface is not None:
            data["surface"] = self.surface
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass
class Baseline:
    entries: list[BaselineEntry] = field(default_factory=list)
    path: Path | None = None

    def find(self, clause: str, target: str, surface: str) -> BaselineEntry | None:
        for entry in self.entries:
            if entry.matches(clause, target, surface):
                return entry
        return None

    def apply(self, result: RunResult) -> None:
        """Mark failures listed in the baseline; note entries that now pass (stale)."""
        used: set[BaselineEntry] = set()
        for finding in result.findings:
            if finding.outcome is not Outcome.FAILED:
                continue
            entry = self.find(finding.clause_id, finding.target or result.target, finding.surface)
            if entry is not None:
                finding.baselined = True
                if entry.reason and "baseline:" not in finding.reason:
                    finding.reason = (
                        f"{finding.reason} (baseline: {entry.reason})"
                        if finding.reason
                        else f"baseline: {entry.reason}"
                    )
                used.add(entry)
        passed = {
            (f.clause_id, f.surface, f.target or result.target)
            for f in result.findings
            if f.outcome is Outcome.PASSED
        }
        for entry in self.entries:
            if entry in used:
                continue
            if any(entry.matches(c, t, s) for c, s, t in passed):
                where = f" on {entry.surface}" if entry.surface else ""
                result.notes.append(
                    f"baseline entry {entry.clause}{where} now passes; remove it "
                    "(or run with --update-baseline)"
                )


def _entry(raw: Any, index: int, path: Path) -> BaselineEntry:
    if not isinstance(raw, dict) or not isinstance(raw.get("clause"), str) or not raw["clause"]:
        raise UsageError(
            f'baseline {path}: entry {index} needs a "clause" string (e.g. '
            '{"clause": "ERR-002", "target": "https://gw.example.com"}); fix or remove it'
        )
    for key in ("target", "surface", "reason"):
        if key in raw and raw[key] is not None and not isinstance(raw[key], str):
            raise UsageError(f'baseline {path}: entry {index} field "{key}" must be a string')
    unknown = set(raw) - {"clause", "target", "surface", "reason"}
    if unknown:
        raise UsageError(
            f"baseline {path}: entry {index} has unknown field(s) {', '.join(sorted(unknown))}; "
            "allowed: clause, target, surface, reason"
        )
    return BaselineEntry(
        clause=raw["clause"].strip(),
        target=normalise_target(raw.get("target") or _ANY),
        surface=raw.get("surface") or None,
        reason=(raw.get("reason") or "").strip(),
    )


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read a baseline file; an unreadable or invalid one is a one-line :class:`UsageError`."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"baseline file {file} does not exist; create it with --update-baseline or fix the path"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise UsageError(f"baseline file {file} cannot be read ({reason}); fix the path") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"baseline file {file} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}); fix it or regenerate it with --update-baseline"
        ) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("accepted"), list):
        raise UsageError(
            f'baseline file {file} must be an object with an "accepted" list '
            '({"version": 1, "accepted": [...]}); regenerate it with --update-baseline'
        )
    if raw.get("version", BASELINE_VERSION) != BASELINE_VERSION:
        raise UsageError(
            f"baseline file {file} has version {raw.get('version')!r}; this tool reads "
            f"version {BASELINE_VERSION}"
        )
    entries = [_entry(item, i, file) for i, item in enumerate(raw["accepted"])]
    return Baseline(entries=entries, path=file)


def write_baseline(result: RunResult, path: str | os.PathLike[str]) -> None:
    """Write the current failures as the accepted divergences (``--update-baseline``).

    An existing, readable baseline at ``path`` is merged: reasons are kept for entries
    still failing, and entries whose clause did not pass in this run are kept as well.
    """
    file = Path(path)
    previous = load_baseline(file) if file.exists() else Baseline()
    entries: dict[tuple[str, str, str | None], BaselineEntry] = {}
    for finding in result.findings:
        if finding.outcome is not Outcome.FAILED:
            continue
        target = normalise_target(finding.target or result.target)
        old = previous.find(finding.clause_id, target, finding.surface)
        if old is not None:
            key = (old.clause, old.target, old.surface)
            entries[key] = old  # keep its scope (maybe "*") and its reason
        else:
            entries[(finding.clause_id, target, finding.surface)] = BaselineEntry(
                clause=finding.clause_id, target=target, surface=finding.surface
            )
    decided = [f for f in result.findings if f.outcome in (Outcome.PASSED, Outcome.FAILED)]
    for old in previous.entries:
        if (old.clause, old.target, old.surface) in entries:
            continue
        if not any(old.matches(f.clause_id, f.target or result.target, f.surface) for f in decided):
            entries[(old.clause, old.target, old.surface)] = old  # not decided: keep
    data = {
        "version": BASELINE_VERSION,
        "$comment": "Accepted divergences for aoai-conformance --baseline; regenerate with "
        "--update-baseline. Add a reason to each entry.",
        "accepted": [
            e.to_json()
            for e in sorted(entries.values(), key=lambda e: (e.clause, e.target, e.surface or ""))
        ],
    }
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        write_text_atomically(file, text)
    except OSError as exc:
        raise UsageError(
            f"cannot write baseline {file}: {exc.strerror or exc}; pick a writable path"
        ) from None
