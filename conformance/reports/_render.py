"""What every report format shows, in one place, so a Finding reads the same everywhere.

Each writer (console, JSON, JUnit, Markdown, HTML) takes its labels, field order, verdict
wording and outcome names from here; only the markup differs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from conformance import __version__
from conformance.http.redact import Redactor
from conformance.model import Finding, Outcome, RunResult, Spend

__all__ = [
    "TOOL_NAME",
    "TOOL_VERSION",
    "FINDING_FIELDS",
    "OUTCOME_LABELS",
    "BASELINED_NOTE",
    "PARTIAL_NOTE",
    "finding_heading",
    "finding_rows",
    "finding_text",
    "verdict",
    "spend_line",
    "grouped",
    "redacted_result",
]

TOOL_NAME = "aoai-conformance"
TOOL_VERSION = __version__

#: (attribute of Finding, label) in the order every format shows them. The curl
#: reproduction is last and rendered as code by formats that have code blocks.
FINDING_FIELDS: tuple[tuple[str, str], ...] = (
    ("severity", "Severity"),
    ("surface", "Surface"),
    ("deployment", "Deployment"),
    ("target", "Target"),
    ("reason", "Reason"),
    ("expected", "Expected"),
    ("observed", "Observed"),
    ("where", "Where"),
    ("source", "Source"),
    ("reproduction", "Reproduce"),
)

OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.FAILED: "FAIL",
    Outcome.INCONCLUSIVE: "INCONCLUSIVE",
    Outcome.SKIPPED: "SKIP",
    Outcome.PASSED: "PASS",
}

BASELINED_NOTE = "accepted divergence (listed in the baseline); does not fail the run"
PARTIAL_NOTE = (
    "PARTIAL RESULTS: the run was interrupted before every check ran; "
    "clauses not listed were not checked"
)


def finding_heading(finding: Finding) -> str:
    """``RESP-002 choices[].finish_reason is a documented value``."""
    return f"{finding.clause_id} {finding.title}".strip()


def finding_rows(finding: Finding) -> list[tuple[str, str]]:
    """The non-empty (label, value) pairs of a finding, in :data:`FINDING_FIELDS` order."""
    rows: list[tuple[str, str]] = [("Outcome", OUTCOME_LABELS[finding.outcome])]
    if finding.baselined:
        rows.append(("Baseline", BASELINED_NOTE))
    for attr, label in FINDING_FIELDS:
        value = str(getattr(finding, attr) or "")
        if value:
            rows.append((label, value))
    return rows


def finding_text(finding: Finding) -> str:
    """Plain-text block (JUnit bodies, console): ``Label: value``, continuation lines indented."""
    lines = [finding_heading(finding)]
    for label, value in finding_rows(finding):
        first, *rest = value.splitlines() or [""]
        lines.append(f"  {label}: {first}")
        lines.extend(f"    {line}" for line in rest)
    return "\n".join(lines)


def verdict(result: RunResult) -> str:
    """One line, the same in every format: what the exit code means for this run."""
    new = len(result.new_failures())
    baselined = sum(1 for f in result.findings if f.outcome is Outcome.FAILED and f.baselined)
    inconclusive = sum(1 for f in result.findings if f.outcome is Outcome.INCONCLUSIVE)
    code = result.exit_code()
    if code == 1:
        text = f"{new} divergence{'s' if new != 1 else ''} from the documented contract"
    elif code == 3:
        text = (
            "interrupted before completion"
            if result.interrupted and not inconclusive
            else f"inconclusive ({inconclusive} clause{'s' if inconclusive != 1 else ''} "
            "could not be decided)"
        )
    else:
        text = "conforms: no divergence outside the baseline"
    if baselined:
        text += f"; {baselined} accepted in the baseline"
    if result.interrupted:
        text = "PARTIAL (interrupted): " + text
    return f"{text} (exit code {code})"


def spend_line(spend: Spend) -> str:
    return (
        f"{spend.requests} requests, {spend.prompt_tokens} prompt + "
        f"{spend.completion_tokens} completion = {spend.total_tokens} tokens"
    )


def grouped(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings by section, in the order reports show them; run order kept inside a section."""
    sections: dict[str, list[Finding]] = {
        "failed": [],
        "baselined": [],
        "inconclusive": [],
        "skipped": [],
        "passed": [],
    }
    for finding in findings:
        if finding.outcome is Outcome.FAILED:
            sections["baselined" if finding.baselined else "failed"].append(finding)
        else:
            sections[finding.outcome.value].append(finding)
    return sections


def _redact_value(value: Any, clean: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_redact_value(v, clean) for v in value]
    return value


def redacted_result(result: RunResult, secrets: Iterable[str] = ()) -> RunResult:
    """A copy of ``result`` whose every string has been through the redaction function."""
    clean = Redactor(secrets)
    findings = []
    for finding in result.findings:
        strings: dict[str, Any] = {
            fld.name: clean(getattr(finding, fld.name))
            for fld in dataclasses.fields(finding)
            if isinstance(getattr(finding, fld.name), str) and fld.name != "outcome"
        }
        findings.append(dataclasses.replace(finding, **strings))
    return dataclasses.replace(
        result,
        target=clean(result.target),
        surfaces=_redact_value(list(result.surfaces), clean),
        findings=findings,
        spend=dataclasses.replace(result.spend),
        notes=_redact_value(list(result.notes), clean),
    )
