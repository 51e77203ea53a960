"""``aoai-conformance run --fleet FILE``: many targets, concurrently, into one report.

The command line stays thin: it checks which options combine with ``--fleet``, reads the
file (:func:`conformance.run.fleet.load_fleet`), runs it (:func:`conformance.run.fleet.run_fleet`),
prints one line per target as it finishes (and per failing clause, every clause with -v),
writes the reports and exits with the fleet's exit code.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from conformance.http.redact import Redactor
from conformance.model import Finding, Outcome, RunResult
from conformance.run.fleet import (
    FleetOptions,
    FleetResult,
    FleetTarget,
    fleet_secrets,
    load_fleet,
    parse_shard,
    run_fleet,
)
from generator.errors import UsageError

__all__ = ["fleet_requested", "run_fleet_command", "FleetConsole"]

# `run` options that a fleet file sets per target (so they do not combine with --fleet)
_PER_TARGET = {
    "target": "url",
    "surface": "surface",
    "deployment": "deployments",
    "api_version": "api_version",
    "auth": "auth",
    "api_key": "api_key_env",
    "profile": "profile",
    "reasoning": "reasoning",
    "reasoning_deployment": "reasoning_deployment",
    "rate_limited_deployment": "rate_limited_deployment",
    "baseline": "baseline",
    "faults": "faults",
    "force_emulator": "emulator",
}
_NOT_IN_FLEETS = ("update_baseline", "ca_bundle", "insecure")


def _flag(name: str) -> str:
    return {"force_emulator": "emulator", "faults": "fault"}.get(name, name).replace("_", "-")


class FleetConsole:
    """Console lines of a fleet run; targets report from several threads at once."""

    def __init__(self, verbose: bool, secrets: list[str]) -> None:
        self.verbose = verbose
        self.redact = Redactor(secrets)
        self.lock = threading.Lock()

    def echo(self, line: str) -> None:
        with self.lock:
            click.echo(self.redact(line))

    def __call__(self, target: FleetTarget) -> _TargetProgress:
        return _TargetProgress(self, target.name)


class _TargetProgress:
    def __init__(self, console: FleetConsole, name: str) -> None:
        self.console = console
        self.name = name

    def start(self, total: int) -> None:
        if self.console.verbose:
            self.console.echo(f"[{self.name}] checking {total} clause runs ...")

    def advance(self, finding: Finding) -> None:
        if self.console.verbose or finding.outcome in (Outcome.FAILED, Outcome.INCONCLUSIVE):
            self.console.echo(
                f"[{self.name}] {finding.outcome.value.upper():<13}{finding.surface:<8} "
                f"{finding.clause_id} {finding.title}"
                + (f"  ({finding.reason})" if finding.reason else "")
            )

    def finish(self, result: RunResult) -> None:
        counts = result.counts()
        self.console.echo(
            f"[{self.name}] {result.target}: {counts['passed']} passed, {counts['failed']} "
            f"failed, {counts['inconclusive']} inconclusive, {counts['skipped']} skipped; "
            f"{result.spend.requests} requests, {result.spend.total_tokens} tokens "
            f"(exit code {result.exit_code()})"
        )


def _given(name: str) -> bool:
    source = click.get_current_context().get_parameter_source(name)
    return source not in (ParameterSource.DEFAULT, None)


def fleet_requested(kw: dict[str, Any]) -> bool:
    """Whether ``run`` was asked for a fleet run (--fleet, or a fleet-only option)."""
    return kw["fleet"] is not None or kw["shard"] is not None or _given("workers")


def _check_options(kw: dict[str, Any]) -> None:
    given = _given
    if kw["fleet"] is None:
        option = "--shard" if kw["shard"] is not None else "--workers"
        raise UsageError(f"{option} only applies to a fleet run; add --fleet FILE")
    for name, key in _PER_TARGET.items():
        if given(name):
            raise UsageError(
                f"--{_flag(name)} does not combine with --fleet; set {key} per target "
                "in the fleet file"
            )
    for name in _NOT_IN_FLEETS:
        if given(name):
            raise UsageError(f"--{_flag(name)} is not supported with --fleet")


def run_fleet_command(kw: dict[str, Any]) -> None:
    """The body of ``run --fleet``; raises click's Exit with the fleet's exit code."""
    from conformance.run.options import split_patterns

    _check_options(kw)
    shard = parse_shard(kw["shard"]) if kw["shard"] is not None else None
    if kw["workers"] < 1:
        raise UsageError("--workers must be at least 1, e.g. --workers 4")
    parsed: list[tuple[str, Path]] = []
    if kw["reports"]:
        from conformance.reports import parse_report_spec

        parsed = [parse_report_spec(spec) for spec in kw["reports"]]
        paths = [path.resolve() for _, path in parsed]
        twice = next((p for p in paths if paths.count(p) > 1), None)
        if twice is not None:
            raise UsageError(f"two --report options write to {twice}; give each its own file")
    select, deselect = split_patterns(kw["select"]), split_patterns(kw["deselect"])
    if select or deselect:
        from conformance.checks import REGISTRY

        if not REGISTRY.select(select, deselect):
            raise UsageError(
                "--select/--deselect leave no clause to run; "
                "run `aoai-conformance contracts` to list the clause ids"
            )
    fleet = load_fleet(kw["fleet"])
    options = FleetOptions(
        shard=shard,
        workers=kw["workers"],
        select=select,
        deselect=deselect,
        schemathesis=not kw["no_schemathesis"],
        boundary=kw["boundary"],
        max_requests=kw["max_requests"],
        max_tokens_total=kw["max_tokens_total"],
        timeout=kw["timeout"],
    )
    console = FleetConsole(kw["verbose"], fleet_secrets(fleet, os.environ))
    result, secrets = run_fleet(fleet, options, console)
    for section in result.sections:
        if section.error:
            console.echo(f"[{section.name}] error: {section.error}")
    write_fleet_reports(result, parsed, secrets)
    from conformance.reports.fleet import fleet_verdict

    console.redact = Redactor(secrets)
    console.echo(f"fleet: {fleet_verdict(result)}")
    raise click.exceptions.Exit(result.exit_code())


def write_fleet_reports(
    result: FleetResult, reports: list[tuple[str, Path]], secrets: tuple[str, ...] | list[str]
) -> None:
    from conformance.reports import write_report

    for fmt, path in reports:
        write_report(result, fmt, path, secrets=secrets)
        click.echo(f"wrote {fmt} report to {path}", err=True)
