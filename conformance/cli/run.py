"""``aoai-conformance run``: check a target (or the embedded emulator) against the contract."""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path
from typing import Any

import click

from conformance.http.tls import INSECURE_WARNING
from conformance.model import Finding, Outcome, RunResult
from conformance.model_families import FAMILY_NAMES
from conformance.run.options import (
    AUTH_CHOICES,
    BOUNDARY_CHOICES,
    TARGET_OPTION_NAMES,
    RunOptions,
    split_patterns,
)
from conformance.run.runner import execute, unreachable_result
from conformance.run.target import TargetUnreachable
from conformance.surfaces import SURFACE_CHOICES
from generator.errors import UsageError
from generator.paths import writable_file
from generator.spec.sources import cache_dir

__all__ = ["run"]


def _available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


class _PlainReporter:
    """Console output when conformance.reports is not installed: one line per non-pass."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose

    def start(self, total: int) -> None:
        click.echo(f"checking {total} clause runs ...")

    def advance(self, finding: Finding) -> None:
        if self.verbose or finding.outcome in (Outcome.FAILED, Outcome.INCONCLUSIVE):
            click.echo(
                f"{finding.outcome.value.upper():<13}{finding.surface:<8} {finding.clause_id} "
                f"{finding.title}" + (f"  ({finding.reason})" if finding.reason else "")
            )

    def finish(self, result: RunResult) -> None:
        counts = result.counts()
        click.echo(
            f"{result.target}: {counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['inconclusive']} inconclusive, {counts['skipped']} skipped; "
            f"{result.spend.requests} requests, {result.spend.total_tokens} tokens"
        )


@click.command("run")
@click.option(
    "--target",
    metavar="URL",
    help="Base URL of a live target (default: AZURE_OPENAI_ENDPOINT or OPENAI_BASE_URL, "
    "else the embedded emulator).",
)
@click.option(
    "--surface",
    type=click.Choice(SURFACE_CHOICES),
    default="auto",
    show_default=True,
    help="Surface to check; auto probes a live target (the emulator: all three).",
)
@click.option(
    "--deployment",
    metavar="NAME",
    multiple=True,
    help="Deployment to test (required for a live target); repeatable: the per-deployment "
    "clauses run for each, the target-wide ones once.",
)
@click.option(
    "--api-version",
    metavar="V",
    help="api-version for the dated surface (default: OPENAI_API_VERSION, else the newest "
    "registered GA version).",
)
@click.option(
    "--auth",
    type=click.Choice(AUTH_CHOICES),
    help="How to authenticate (default: api-key when a key is known).",
)
@click.option(
    "--api-key", metavar="KEY", help="API key (default: AZURE_OPENAI_API_KEY, then OPENAI_API_KEY)."
)
@click.option(
    "--profile",
    metavar="seed-003|litellm-gateway|FILE",
    help="Gateway profile whose documented deviations are expected: a shipped name "
    "(seed-003 is seed-003-gateway) or a profile JSON file.",
)
@click.option(
    "--reasoning",
    is_flag=True,
    help="The deployment is a reasoning model: send max_completion_tokens.",
)
@click.option(
    "--reasoning-deployment", metavar="NAME", help="A reasoning deployment for MODEL-001."
)
@click.option(
    "--rate-limited-deployment", metavar="NAME", help="A deployment with a tiny quota for RATE-001."
)
@click.option(
    "--model-family",
    type=click.Choice(FAMILY_NAMES),
    help="The deployment's model family, whose documented limitations are skipped, not "
    "failed (default: detected from the answer's model, e.g. DeepSeek-R1 -> deepseek-r1).",
)
@click.option(
    "--select",
    "select",
    multiple=True,
    metavar="IDS",
    help="Only these clause ids or globs (e.g. STREAM-*); repeatable, comma-separated.",
)
@click.option(
    "--deselect",
    "deselect",
    multiple=True,
    metavar="IDS",
    help="Leave out these clause ids or globs.",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="json|junit|markdown|md|html:PATH",
    help="Write a report in this format to PATH (repeatable; md is markdown).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Accepted divergences; only new ones fail the run.",
)
@click.option(
    "--update-baseline", is_flag=True, help="Write this run's failures to --baseline FILE."
)
@click.option(
    "--max-requests", type=int, default=150, show_default=True, help="Request budget of the run."
)
@click.option("--max-tokens-total", type=int, help="Token budget (prompt + completion) of the run.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per request.")
@click.option(
    "--ca-bundle",
    metavar="PATH",
    help="PEM file of CAs to trust for an https target (default: SSL_CERT_FILE, then "
    "REQUESTS_CA_BUNDLE, then certifi's bundle).",
)
@click.option(
    "--insecure",
    is_flag=True,
    help="Do NOT verify the target's TLS certificate (prints a warning; recorded in reports).",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="NAME",
    help="Emulator only: inject a named fault (see `aoai-conformance emulate --list-faults`).",
)
@click.option(
    "--emulator",
    "force_emulator",
    is_flag=True,
    help="Use the embedded emulator even when AZURE_OPENAI_ENDPOINT is set.",
)
@click.option("--no-schemathesis", is_flag=True, help="Skip the schemathesis phase.")
@click.option(
    "--boundary",
    type=click.Choice(BOUNDARY_CHOICES),
    default="sample",
    show_default=True,
    help="Boundary clauses (BOUND-*, one invalid request per spec constraint): every one, "
    "the default sample, or none.",
)
@click.option(
    "--fleet",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Run every target of this TOML fleet file concurrently, into one report "
    "(see README, Fleets).",
)
@click.option(
    "--workers",
    type=int,
    default=4,
    show_default=True,
    help="--fleet only: targets checked at the same time.",
)
@click.option(
    "--shard",
    metavar="I/N",
    help="--fleet only: check shard I of N (the targets whose index in the sorted names "
    "is I-1 mod N); merge the shards' JSON reports with `aoai-conformance report merge`.",
)
@click.option("-v", "--verbose", is_flag=True, help="Print every clause as it finishes.")
def run(**kw: Any) -> None:
    """Check a target against the documented Azure OpenAI contract.

    Without --target the embedded emulator is checked on all three surfaces (dated, v1,
    Foundry). Exit codes: 0 conforms, 1 divergences outside the baseline, 2 usage error,
    3 unreachable or inconclusive, 130 interrupted (partial reports are written).

    \b
    Examples:
      aoai-conformance run
      aoai-conformance run --fault no-done --report json:report.json
      aoai-conformance run --target https://RES.openai.azure.com --deployment gpt-4o-mini \\
          --surface dated --report junit:conformance.xml
      aoai-conformance run --target https://gw.example.edu --profile seed-003
      aoai-conformance run --deployment gpt-4o-mini --deployment gpt-5.1-mini
      aoai-conformance run --fleet fleet.toml --shard 1/3 --report json:shard-1.json
    """
    from conformance.cli.fleet import fleet_requested, run_fleet_command

    if fleet_requested(kw):
        run_fleet_command(kw)
        return
    # every rule about how the options combine is checked here, once (run/options.py)
    options = RunOptions.from_settings(
        {name: kw[name] for name in TARGET_OPTION_NAMES}
        | {
            "emulator": kw["force_emulator"],
            "deployment": kw["deployment"],
            "select": split_patterns(kw["select"]),
            "deselect": split_patterns(kw["deselect"]),
            "schemathesis": not kw["no_schemathesis"],
            "boundary": kw["boundary"],
        }
    )
    if kw["insecure"]:
        # never a silent disable: say it loudly, before any request (reports record it too)
        click.echo(INSECURE_WARNING, err=True)
    # one vocabulary with `specs diff --format` and `contracts --format`: md is markdown
    reports = [
        "markdown:" + r.split(":", 1)[1] if r.split(":", 1)[0].strip().lower() == "md" else r
        for r in kw["reports"]
    ]
    parsed_reports: list[tuple[str, Path]] = []
    if reports:
        if not _available("conformance.reports"):
            raise UsageError("--report needs conformance.reports, which this build lacks")
        from conformance.reports import parse_report_spec

        parsed_reports = [parse_report_spec(spec) for spec in reports]
        for spec, (_, path) in zip(reports, parsed_reports, strict=True):
            # a real write probe, before the first request (os.access trusts /proc as root)
            writable_file(path, f"--report {spec}: report file")
        paths = [path.resolve() for _, path in parsed_reports]
        twice = next((p for p in paths if paths.count(p) > 1), None)
        if twice is not None:
            raise UsageError(f"two --report options write to {twice}; give each its own file")
    baseline = None
    if kw["update_baseline"] and kw["baseline"] is None:
        raise UsageError("--update-baseline needs --baseline FILE (the file to write)")
    if kw["update_baseline"]:
        writable_file(kw["baseline"], "--baseline", "pick a path in a writable folder")
    if kw["baseline"] is not None:
        if not _available("conformance.run.baseline"):
            raise UsageError("--baseline needs conformance.run.baseline, which this build lacks")
        from conformance.run.baseline import load_baseline

        if not kw["update_baseline"] or Path(kw["baseline"]).exists():
            baseline = load_baseline(kw["baseline"])
    if not kw["verbose"]:
        # azure-identity logs every credential it tried (14 lines) before our one-line
        # error says the same in short; -v shows its full text
        logging.getLogger("azure.identity").setLevel(logging.ERROR)
    # Hypothesis (under schemathesis) keeps caches in ./.hypothesis unless told otherwise:
    # keep them beside the spec cache, never in the user's folder
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(cache_dir().parent / "hypothesis"))
    # which specs are missing, and the surfaces left out for it: said before any request
    options.target.announce = lambda line: click.echo(line, err=True)
    secrets = options.target.secrets  # the run's one set: it grows while the run lasts
    progress: Any
    if _available("conformance.reports"):
        from conformance.reports.console import ConsoleReporter

        progress = ConsoleReporter(verbose=kw["verbose"], secrets=secrets)
    else:
        progress = _PlainReporter(kw["verbose"])
    try:
        result, _ = execute(options, progress, baseline)
    except TargetUnreachable as exc:
        # nothing was checked, but the reports still say what was tried and why it failed
        _write_reports(unreachable_result(options, exc), parsed_reports, secrets.snapshot())
        raise
    except KeyboardInterrupt:
        # Ctrl-C before the first clause (e.g. while probing surfaces): still a report
        early = RunResult(
            target=kw["target"] or "(not chosen yet)",
            surfaces=[],
            interrupted=True,
            notes=["interrupted before the first clause finished (while opening the target)"],
        )
        _write_reports(early, parsed_reports, secrets.snapshot())
        raise click.exceptions.Exit(130) from None
    _write_reports(result, parsed_reports, secrets.snapshot())
    if kw["update_baseline"]:
        from conformance.run.baseline import load_baseline, write_baseline

        write_baseline(result, kw["baseline"])
        load_baseline(kw["baseline"]).apply(result)  # accepted now: the exit code says so
        click.echo(f"wrote baseline {kw['baseline']}", err=True)
    if result.interrupted:
        raise click.exceptions.Exit(130)
    raise click.exceptions.Exit(result.exit_code())


def _write_reports(
    result: RunResult, reports: list[tuple[str, Path]], secrets: tuple[str, ...]
) -> None:
    for fmt, path in reports:
        from conformance.reports import write_report

        write_report(result, fmt, path, secrets=secrets)
        click.echo(f"wrote {fmt} report to {path}", err=True)
