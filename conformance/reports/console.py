"""Console output of a run: a rich progress bar while checks run, then the summary and failures.

Usage (the runner calls these)::

    reporter = ConsoleReporter(verbose=False)
    reporter.start(total=len(plan))
    for finding in run():
        reporter.advance(finding)
    reporter.finish(result)

Everything printed goes through the same redaction as the report files, and every value
from the target is printed as plain text (never interpreted as rich markup).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from conformance.http.redact import Redactor
from conformance.model import Finding, Outcome, RunResult
from conformance.reports._render import (
    OUTCOME_LABELS,
    PARTIAL_NOTE,
    finding_heading,
    finding_rows,
    grouped,
    redacted_result,
    spend_line,
    verdict,
)

__all__ = ["ConsoleReporter", "render_console"]

_STYLES = {"FAIL": "bold red", "INCONCLUSIVE": "bold yellow", "SKIP": "dim", "PASS": "green"}


def _finding_block(finding: Finding) -> Text:
    label = OUTCOME_LABELS[finding.outcome]
    text = Text()
    text.append(f"{label} ", style=_STYLES[label])
    text.append(finding_heading(finding), style="bold")
    for name, value in finding_rows(finding):
        if name == "Outcome":
            continue
        first, *rest = value.splitlines() or [""]
        text.append(f"\n  {name}: ", style="cyan")
        text.append(first, style="bold" if name == "Reproduce" else "")
        for line in rest:
            text.append(f"\n    {line}")
    return text


def _print_result(console: Console, result: RunResult) -> None:
    sections = grouped(result.findings)
    counts = result.counts()
    code = result.exit_code()
    if result.interrupted:
        console.print(Text(PARTIAL_NOTE, style="bold yellow"))
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(style="bold")
    table.add_column()
    for label, value in (
        ("Target", Text(result.target)),
        ("Surfaces", Text(", ".join(result.surfaces) or "-")),
        ("Failed", Text(str(len(sections["failed"])), style=_STYLES["FAIL"])),
        ("Baselined", Text(str(len(sections["baselined"])))),
        ("Inconclusive", Text(str(counts["inconclusive"]), style="yellow")),
        ("Skipped", Text(str(counts["skipped"]), style="dim")),
        ("Passed", Text(str(counts["passed"]), style="green")),
        ("Spend", Text(spend_line(result.spend))),
        ("Duration", Text(f"{result.duration_s:.1f} s")),
    ):
        table.add_row(label, value)
    console.rule(Text("aoai-conformance"))
    console.print(table)
    for note in result.notes:
        console.print(Text(f"note: {note}", style="dim"))
    for key, title in (("failed", "Failures"), ("inconclusive", "Inconclusive")):
        if sections[key]:
            console.rule(Text(f"{title} ({len(sections[key])})"))
            for finding in sections[key]:
                # soft_wrap: the terminal wraps long lines, so a curl line copies whole
                console.print(_finding_block(finding), soft_wrap=True)
                console.print()
    if sections["baselined"]:
        console.print(
            Text(
                "accepted in the baseline: "
                + ", ".join(f"{f.clause_id} ({f.surface})" for f in sections["baselined"]),
                style="dim",
            )
        )
    style = "bold red" if code == 1 else ("bold yellow" if code == 3 else "bold green")
    console.print(Text(verdict(result), style=style))


def render_console(result: RunResult, *, width: int = 100, secrets: Iterable[str] = ()) -> str:
    """The end-of-run console output as plain text (used by snapshot tests)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    _print_result(console, redacted_result(result, secrets))
    return buffer.getvalue()


class ConsoleReporter:
    """Progress while the run goes, then a summary table and the failures with curl lines."""

    def __init__(
        self,
        console: Console | None = None,
        verbose: bool = False,
        *,
        secrets: Iterable[str] = (),
    ) -> None:
        self.console = console or Console(stderr=False)
        self.verbose = verbose
        self._secrets = list(secrets)
        self._redact = Redactor(self._secrets)
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._failed = 0
        self._total = 0
        self._done = 0

    def start(self, total: int) -> None:
        self._progress = Progress(
            TextColumn("[bold]checking[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self._total = max(total, 0)
        self._done = 0
        self._task = self._progress.add_task("run", total=self._total, status="")
        self._progress.start()

    def advance(self, finding: Finding) -> None:
        if finding.outcome is Outcome.FAILED and not finding.baselined:
            self._failed += 1
        if self._progress is None or self._task is None:
            if self.verbose:
                self.console.print(self._line(finding))
            return
        status = Text(f"{self._failed} failed", style="red") if self._failed else Text("")
        self._done += 1
        # more findings than announced (the schemathesis phase adds its own): grow the bar
        self._total = max(self._total, self._done)
        self._progress.update(self._task, advance=1, total=self._total, status=status)
        if self.verbose:
            self._progress.console.print(self._line(finding))

    def _line(self, finding: Finding) -> Text:
        label = OUTCOME_LABELS[finding.outcome]
        line = Text()
        line.append(f"{label:<13}", style=_STYLES[label])
        line.append(f"{finding.surface:<8} ")
        line.append(self._redact(finding_heading(finding)))
        if finding.outcome is not Outcome.PASSED and finding.reason:
            line.append(f"  ({self._redact(finding.reason)})", style="dim")
        return line

    def finish(self, result: RunResult) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        _print_result(self.console, redacted_result(result, self._secrets))
