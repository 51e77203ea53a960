"""Fleet reports: one document with a section per target, in every report format.

Each target's section is that target's run rendered by the ordinary writer (the same
finding fields in the same order), under a fleet header that lists every target with its
verdict and the fleet's one exit code (the worst of the targets').

JSON layout (``"kind": "fleet"``)::

    {"schema_version", "kind": "fleet", "tool", "fleet": {"targets": [every name of the
     fleet file, in order], "shard": "2/3" | null, "workers"}, "started_at", "duration_s",
     "interrupted", "complete", "exit_code", "verdict", "counts", "spend", "notes",
     "missing": [names no section covers], "targets": [{"name", "url", "error",
     ...the single-run report of that target (exit_code: the target's)}]}

:func:`fleet_from_json` reads it back (and reads a single-run report as a fleet of one),
which is what ``aoai-conformance report merge`` builds on (:mod:`conformance.reports.merge`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

from conformance.http.redact import Redactor
from conformance.model import FINDINGS_SCHEMA_VERSION, Outcome, RunResult, Spend
from conformance.reports._render import (
    TOOL_NAME,
    TOOL_VERSION,
    redacted_result,
    spend_line,
    verdict,
)
from conformance.reports.html_report import html_page, html_run_parts
from conformance.reports.json_report import report_data
from conformance.reports.junit import junit_document, junit_suites
from conformance.reports.markdown import render_markdown
from conformance.run.findings import finding_from_json
from conformance.run.fleet import FleetResult, FleetSection
from generator.errors import UsageError

__all__ = [
    "FLEET_FORMATS",
    "fleet_verdict",
    "fleet_data",
    "render_fleet",
    "redacted_fleet",
    "fleet_from_json",
]

_WORDS = {
    0: "conform",
    1: "with divergences",
    2: "with a configuration error",
    3: "inconclusive",
    130: "interrupted",
}


def _section_verdict(section: FleetSection) -> str:
    if section.error:
        return f"error: {section.error} (exit code {section.exit_code()})"
    return verdict(section.result)


def fleet_verdict(fleet: FleetResult) -> str:
    """One line: how many targets ended how, and the fleet's exit code."""
    by_code: dict[int, int] = {}
    for section in fleet.sections:
        by_code[section.exit_code()] = by_code.get(section.exit_code(), 0) + 1
    parts = [
        f"{n} {_WORDS.get(code, f'exit {code}')}"
        for code, n in sorted(by_code.items(), key=lambda kv: kv[0])
    ]
    total = len(fleet.sections)
    text = f"{total} target{'s' if total != 1 else ''}" + (f": {', '.join(parts)}" if parts else "")
    if fleet.missing:
        text += f"; {len(fleet.missing)} not in any report ({', '.join(fleet.missing)})"
    if fleet.interrupted:
        text = "PARTIAL (interrupted): " + text
    return f"{text} (exit code {fleet.exit_code()})"


def redacted_fleet(fleet: FleetResult, secrets: Iterable[str] = ()) -> FleetResult:
    secrets = list(secrets)
    clean = Redactor(secrets)
    return dataclasses.replace(
        fleet,
        sections=[
            dataclasses.replace(
                s,
                url=clean(s.url),
                error=clean(s.error),
                result=redacted_result(s.result, secrets),
            )
            for s in fleet.sections
        ],
        notes=[clean(n) for n in fleet.notes],
    )


def fleet_data(fleet: FleetResult) -> dict[str, Any]:
    counts = fleet.counts()
    spend = fleet.spend()
    findings = fleet.findings()
    targets = []
    for section in fleet.sections:
        data = report_data(section.result)
        targets.append(
            {
                "name": section.name,
                "url": section.url,
                "error": section.error,
                **data,
                "exit_code": section.exit_code(),
                "verdict": _section_verdict(section),
            }
        )
    return {
        "schema_version": FINDINGS_SCHEMA_VERSION,
        "kind": "fleet",
        "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
        "fleet": {
            "targets": list(fleet.fleet_targets),
            "shard": fleet.shard or None,
            "workers": fleet.workers,
        },
        "started_at": fleet.started_at,
        "duration_s": round(fleet.duration_s, 3),
        "interrupted": fleet.interrupted,
        "complete": not fleet.interrupted and not fleet.missing,
        "exit_code": fleet.exit_code(),
        "verdict": fleet_verdict(fleet),
        "counts": {
            **counts,
            "total": len(findings),
            "new_failures": sum(len(s.result.new_failures()) for s in fleet.sections),
            "baselined": sum(1 for f in findings if f.outcome is Outcome.FAILED and f.baselined),
        },
        "spend": {
            "requests": spend.requests,
            "prompt_tokens": spend.prompt_tokens,
            "completion_tokens": spend.completion_tokens,
            "total_tokens": spend.total_tokens,
        },
        "notes": list(fleet.notes),
        "missing": list(fleet.missing),
        "targets": targets,
    }


def _json(fleet: FleetResult) -> str:
    return json.dumps(fleet_data(fleet), indent=2, ensure_ascii=False) + "\n"


def _summary_rows(fleet: FleetResult) -> list[tuple[str, str, str, dict[str, int], str]]:
    return [
        (s.name, s.url, str(s.exit_code()), s.result.counts(), spend_line(s.result.spend))
        for s in fleet.sections
    ]


def _markdown(fleet: FleetResult) -> str:
    from conformance.reports.markdown import _text  # the one escaping rule of that format

    code = fleet.exit_code()
    icon = "❌" if code in (1, 2) else ("⚠️" if code in (3, 130) else "✅")
    lines = [f"## {icon} {TOOL_NAME} fleet", "", f"**{_text(fleet_verdict(fleet))}**", ""]
    lines += [
        "| Target | URL | Exit | Failed | Inconclusive | Skipped | Passed | Spend |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, url, exit_code, counts, spend in _summary_rows(fleet):
        lines.append(
            f"| [{_text(name)}](#target-{name.lower()}) | {_text(url)} | {exit_code} "
            f"| {counts['failed']} | {counts['inconclusive']} | {counts['skipped']} "
            f"| {counts['passed']} | {_text(spend)} |"
        )
    lines.append("")
    if fleet.shard:
        lines += [f"> shard {_text(fleet.shard)} of the fleet", ""]
    for note in fleet.notes:
        lines += [f"> {_text(note)}", ""]
    if fleet.missing:
        lines += [f"> not in any report: {_text(', '.join(fleet.missing))}", ""]
    for section in fleet.sections:
        lines += [f"## target {_text(section.name)}", ""]
        if section.error:
            lines += [f"> error: {_text(section.error)}", ""]
        lines.append(
            render_markdown(section.result, depth=1, title=f"{section.name}: {section.url}").rstrip(
                "\n"
            )
        )
        lines.append("")
    lines.append(f"<sub>{TOOL_NAME} {TOOL_VERSION}</sub>")
    return "\n".join(lines) + "\n"


def _html(fleet: FleetResult) -> str:
    from html import escape

    def e(value: str) -> str:
        return escape(value, quote=True)

    code = fleet.exit_code()
    css = 1 if code in (1, 2) else (3 if code in (3, 130) else 0)
    body = [
        f"<h1>{e(TOOL_NAME)} fleet report</h1>",
        f'<p class="verdict v{css}">{e(fleet_verdict(fleet))}</p>',
        "<table><tr><th>Target</th><th>URL</th><th>Exit</th><th>Failed</th>"
        "<th>Inconclusive</th><th>Skipped</th><th>Passed</th><th>Spend</th></tr>",
    ]
    for name, url, exit_code, counts, spend in _summary_rows(fleet):
        body.append(
            f'<tr><td><a href="#target-{e(name)}">{e(name)}</a></td><td>{e(url)}</td>'
            f"<td>{exit_code}</td><td>{counts['failed']}</td><td>{counts['inconclusive']}</td>"
            f"<td>{counts['skipped']}</td><td>{counts['passed']}</td><td>{e(spend)}</td></tr>"
        )
    body.append("</table>")
    notes = list(fleet.notes)
    if fleet.shard:
        notes.insert(0, f"shard {fleet.shard} of the fleet")
    if fleet.missing:
        notes.append(f"not in any report: {', '.join(fleet.missing)}")
    if notes:
        body.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    for section in fleet.sections:
        body.append(f'<section id="target-{e(section.name)}">')
        body.append(f"<h2>target {e(section.name)}: {e(section.url)}</h2>")
        if section.error:
            body.append(f'<p class="partial">error: {e(section.error)}</p>')
        body.extend(html_run_parts(section.result, h=3))
        body.append("</section>")
    return html_page(f"{TOOL_NAME} fleet", body)


def _junit(fleet: FleetResult) -> str:
    import xml.etree.ElementTree as ET

    suites: list[ET.Element] = []
    for section in fleet.sections:
        for suite in junit_suites(section.result, section.name):
            props = suite.find("properties")
            if props is not None:
                ET.SubElement(props, "property", {"name": "fleet_target", "value": section.name})
                ET.SubElement(
                    props,
                    "property",
                    {"name": "target_exit_code", "value": str(section.exit_code())},
                )
                if section.error:
                    ET.SubElement(props, "property", {"name": "error", "value": section.error})
                ET.SubElement(
                    props, "property", {"name": "fleet_verdict", "value": fleet_verdict(fleet)}
                )
            suites.append(suite)
    return junit_document(suites, fleet.duration_s)


FLEET_FORMATS = {"json": _json, "junit": _junit, "markdown": _markdown, "html": _html}


def render_fleet(fleet: FleetResult, fmt: str, *, secrets: Iterable[str] = ()) -> str:
    """The fleet report as ``fmt`` text, redacted twice (values, then the rendered text)."""
    secrets = list(secrets)
    try:
        renderer = FLEET_FORMATS[fmt]
    except KeyError:
        raise UsageError(
            f"report format '{fmt}' is unknown; use one of {', '.join(FLEET_FORMATS)}"
        ) from None
    return Redactor(secrets)(renderer(redacted_fleet(fleet, secrets)))


# -- reading JSON reports back ------------------------------------------------------------


def _run(raw: dict[str, Any], where: str) -> RunResult:
    spend = raw.get("spend") or {}
    findings = raw.get("findings")
    if not isinstance(findings, list):
        raise ValueError(f"{where}: 'findings' must be a list")
    return RunResult(
        target=str(raw.get("target", "")),
        surfaces=[str(s) for s in raw.get("surfaces", [])],
        findings=[finding_from_json(f, f"{where}, finding {i}") for i, f in enumerate(findings, 1)],
        spend=Spend(
            requests=int(spend.get("requests", 0)),
            prompt_tokens=int(spend.get("prompt_tokens", 0)),
            completion_tokens=int(spend.get("completion_tokens", 0)),
        ),
        started_at=str(raw.get("started_at", "")),
        duration_s=float(raw.get("duration_s", 0.0)),
        interrupted=bool(raw.get("interrupted", False)),
        notes=[str(n) for n in raw.get("notes", [])],
    )


def fleet_from_json(data: Any, default_name: str) -> FleetResult:
    """A fleet report's data back as a :class:`FleetResult`; a single-run report becomes
    a fleet of one target named ``default_name``. Raises ValueError on a foreign shape."""
    if not isinstance(data, dict) or "findings" not in data and data.get("kind") != "fleet":
        raise ValueError("not an aoai-conformance JSON report (no findings, no fleet targets)")
    if data.get("kind") != "fleet":
        run = _run(data, "report")
        section = FleetSection(default_name, run.target, run)
        return FleetResult(
            sections=[section],
            fleet_targets=[default_name],
            started_at=run.started_at,
            duration_s=run.duration_s,
            interrupted=run.interrupted,
        )
    info = data.get("fleet") or {}
    targets = data.get("targets")
    if not isinstance(targets, list):
        raise ValueError("a fleet report's 'targets' must be a list")
    sections = []
    for i, raw in enumerate(targets, 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise ValueError(f"target {i} of the fleet report has no name")
        error = str(raw.get("error") or "")
        sections.append(
            FleetSection(
                name=raw["name"],
                url=str(raw.get("url", "")),
                result=_run(raw, f"target {raw['name']!r}"),
                error=error,
                error_code=int(raw.get("exit_code", 2)) if error else 0,
            )
        )
    return FleetResult(
        sections=sections,
        fleet_targets=[str(n) for n in info.get("targets", [s.name for s in sections])],
        shard=str(info.get("shard") or ""),
        workers=int(info.get("workers", 1)),
        started_at=str(data.get("started_at", "")),
        duration_s=float(data.get("duration_s", 0.0)),
        interrupted=bool(data.get("interrupted", False)),
        notes=[str(n) for n in data.get("notes", [])],
        missing=[str(n) for n in data.get("missing", [])],
    )
