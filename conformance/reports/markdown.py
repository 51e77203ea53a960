"""Markdown report, written to be appended to ``$GITHUB_STEP_SUMMARY`` (GitHub-flavoured).

Layout: verdict, a summary table (outcomes, spend), then every new failure with the
same fields in the same order as every other format (expected, observed, where, source)
and its curl reproduction in a code block; baselined failures, inconclusive and skipped
clauses follow in collapsed ``<details>`` blocks, and the full list of clauses last.
"""

from __future__ import annotations

from conformance.model import Finding, Outcome, RunResult
from conformance.reports._render import (
    OUTCOME_LABELS,
    PARTIAL_NOTE,
    TOOL_NAME,
    TOOL_VERSION,
    finding_heading,
    finding_rows,
    grouped,
    spend_line,
    verdict,
)

__all__ = ["render_markdown"]

_ICONS = {"FAIL": "❌", "INCONCLUSIVE": "⚠️", "SKIP": "⏭️", "PASS": "✅"}
# Characters that start Markdown/HTML constructs inside ordinary text and table cells.
_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|#!~"} | {"\n": " ", "\r": " "})


def _text(value: str) -> str:
    """Escape free text for a Markdown paragraph or table cell (one line)."""
    return value.translate(_MD_SPECIAL)


def _code(value: str) -> str:
    """An inline code span that survives any backticks in ``value``; one line."""
    value = " ↵ ".join(value.splitlines())
    fence = "`"
    while fence in value:
        fence += "`"
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    # A pipe would still end a table cell inside a code span (GFM tables are split first).
    value = value.replace("|", "\\|")
    return f"{fence}{pad}{value}{pad}{fence}"


def _block(value: str, lang: str = "") -> str:
    fence = "```"
    while fence in value:
        fence += "`"
    return f"{fence}{lang}\n{value}\n{fence}"


def _finding(finding: Finding, level: str = "####") -> list[str]:
    icon = _ICONS[OUTCOME_LABELS[finding.outcome]]
    lines = [f"{level} {icon} {_text(finding_heading(finding))}", "", "| | |", "|---|---|"]
    repro = ""
    for label, value in finding_rows(finding):
        if label == "Reproduce":
            repro = value
        elif label in ("Expected", "Observed", "Where"):
            lines.append(f"| {label} | {_code(value)} |")
        else:
            lines.append(f"| {label} | {_text(value)} |")
    lines.append("")
    if repro:
        lines += [_block(repro, "bash"), ""]
    return lines


def _details(summary: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "</details>", ""]


def _deployments(result: RunResult) -> list[str]:
    """Outcomes by deployment, when the run checked several (target-wide clauses apart)."""
    names = list(dict.fromkeys(f.deployment for f in result.findings if f.deployment))
    if not names:
        return []
    lines = ["| Deployment | Failed | Inconclusive | Skipped | Passed |", "|---|---|---|---|---|"]
    for name in [*names, ""]:
        counts = {o: 0 for o in Outcome}
        for finding in result.findings:
            if finding.deployment == name:
                counts[finding.outcome] += 1
        lines.append(
            f"| {_text(name) or 'target-wide'} | {counts[Outcome.FAILED]} "
            f"| {counts[Outcome.INCONCLUSIVE]} | {counts[Outcome.SKIPPED]} "
            f"| {counts[Outcome.PASSED]} |"
        )
    return [*lines, ""]


def render_markdown(result: RunResult, *, depth: int = 0, title: str = "") -> str:
    """The report; ``depth`` demotes every heading by that many levels and ``title``
    replaces the run's heading text (a fleet report nests each target's run this way)."""
    h = "#" * depth
    sections = grouped(result.findings)
    counts = result.counts()
    code = result.exit_code()
    icon = "❌" if code == 1 else ("⚠️" if code == 3 else "✅")
    heading = _text(title) if title else f"{TOOL_NAME}: {_text(result.target)}"
    lines = [f"{h}## {icon} {heading}", ""]
    if result.interrupted:
        lines += [f"> [!WARNING]\n> {_text(PARTIAL_NOTE)}", ""]
    lines += [f"**{_text(verdict(result))}**", ""]
    lines += [
        "| | |",
        "|---|---|",
        f"| Target | {_code(result.target)} |",
        f"| Surfaces | {_text(', '.join(result.surfaces) or '-')} |",
        f"| {_ICONS['FAIL']} Failed | {len(sections['failed'])} |",
        f"| Baselined | {len(sections['baselined'])} |",
        f"| {_ICONS['INCONCLUSIVE']} Inconclusive | {counts['inconclusive']} |",
        f"| {_ICONS['SKIP']} Skipped | {counts['skipped']} |",
        f"| {_ICONS['PASS']} Passed | {counts['passed']} |",
        f"| Spend | {_text(spend_line(result.spend))} |",
        f"| Duration | {result.duration_s:.1f} s |",
        "",
    ]
    lines += _deployments(result)
    for note in result.notes:
        lines += [f"> {_text(note)}", ""]
    if sections["failed"]:
        lines += [f"{h}### Failures", ""]
        for finding in sections["failed"]:
            lines += _finding(finding, f"{h}####")
    for key, title in (
        ("baselined", "Accepted divergences (baseline)"),
        ("inconclusive", "Inconclusive"),
    ):
        if sections[key]:
            body: list[str] = []
            for finding in sections[key]:
                body += _finding(finding, f"{h}####")
            lines += _details(f"{title} ({len(sections[key])})", body)
    if result.findings:
        table = ["| Outcome | Clause | Surface | Reason |", "|---|---|---|---|"]
        for finding in result.findings:
            label = OUTCOME_LABELS[finding.outcome]
            if finding.baselined:
                label += " (baselined)"
            table.append(
                f"| {_ICONS[OUTCOME_LABELS[finding.outcome]]} {label} "
                f"| {_text(finding_heading(finding))} | {_text(finding.surface)} "
                f"| {_text(finding.reason)} |"
            )
        lines += _details(f"All clauses ({len(result.findings)})", [*table, ""])
    if not depth:
        lines.append(f"<sub>{TOOL_NAME} {TOOL_VERSION}</sub>")
    return "\n".join(lines) + "\n"
