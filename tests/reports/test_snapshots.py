"""Snapshot tests of the rendering of every format (and the console's end-of-run output).

Refresh after an intended change of the rendering (then review the diff)::

    AOAI_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/reports/test_snapshots.py -q
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console

from conformance.reports import render_report
from conformance.reports.console import ConsoleReporter, render_console
from tests.reports.sample import sample_result

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("AOAI_UPDATE_SNAPSHOTS") == "1"
CASES = {
    "json": "report.json",
    "junit": "report.xml",
    "markdown": "report.md",
    "html": "report.html",
    "console": "console.txt",
}


def _render(fmt: str, interrupted: bool) -> str:
    result = sample_result(interrupted=interrupted, with_secrets=True)
    if fmt == "console":
        return render_console(result, width=100)
    return render_report(result, fmt)


def _check(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"snapshot {path} is missing; create it with AOAI_UPDATE_SNAPSHOTS=1")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{name} differs from its snapshot; if the change is intended, refresh with "
        "AOAI_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/reports/test_snapshots.py"
    )


@pytest.mark.parametrize("fmt", list(CASES))
def test_snapshot(fmt: str) -> None:
    _check(CASES[fmt], _render(fmt, interrupted=False))


@pytest.mark.parametrize("fmt", ["markdown", "console"])
def test_snapshot_partial(fmt: str) -> None:
    _check("partial-" + CASES[fmt], _render(fmt, interrupted=True))


def test_console_reporter_progress_then_summary() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, force_terminal=True, color_system=None)
    reporter = ConsoleReporter(console, verbose=True)
    result = sample_result()
    reporter.start(len(result.findings) - 2)  # more findings than announced: the bar grows
    for finding in result.findings:
        reporter.advance(finding)
    assert reporter._total == len(result.findings)
    reporter.finish(result)
    out = buffer.getvalue()
    # verbose: one live line per finding, then the summary and failures with curl
    assert "FAIL         dated    RESP-002" in out
    assert "SKIP         foundry  FOUNDRY-001" in out
    assert "checking" in out  # the progress bar was drawn on the terminal
    assert "Reproduce: curl -sS -X POST" in out
    assert out.rstrip().endswith(
        "1 divergence from the documented contract; 1 accepted in the baseline (exit code 1)"
    )


def test_console_reporter_without_start_still_summarises() -> None:
    buffer = io.StringIO()
    reporter = ConsoleReporter(Console(file=buffer, width=100))
    result = sample_result()
    for finding in result.findings:
        reporter.advance(finding)
    reporter.finish(result)
    assert "Failures (1)" in buffer.getvalue()
