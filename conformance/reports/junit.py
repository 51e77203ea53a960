"""JUnit XML report, for CI systems that show test results (GitHub, GitLab, Jenkins, Azure DevOps).

Mapping (one ``<testcase>`` per finding; ``classname`` is the surface, ``name`` is
``<clause id> <title>``):

=================  ======================================================================
outcome            element
=================  ======================================================================
passed             (no child)
failed             ``<failure type="<severity>" message="...">`` with the finding as text
failed, baselined  ``<skipped message="accepted divergence ...">`` with the finding as text:
                   it is known and accepted, so it must not turn the CI test view red,
                   but it stays visible
inconclusive       ``<error type="inconclusive" message="<reason>">``: the clause could not
                   be decided (target unreachable, budget spent, 5xx); JUnit's *error*
                   means "the test did not complete", which is exactly that — and it keeps
                   an inconclusive run from looking green (its exit code is 3)
skipped            ``<skipped message="<reason>">``
=================  ======================================================================

The document has a ``<testsuites>`` root with one ``<testsuite>`` per surface, each with
the usual ``tests``/``failures``/``errors``/``skipped``/``time`` counts and the run-level
``<properties>`` (target, spend, verdict, partial) — properties sit in each suite because
the common JUnit XSD allows them only there. Characters XML 1.0 cannot carry (a server
may send any byte) are replaced by U+FFFD so the file always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from conformance.model import Finding, Outcome, RunResult
from conformance.reports._render import (
    BASELINED_NOTE,
    PARTIAL_NOTE,
    TOOL_NAME,
    TOOL_VERSION,
    finding_heading,
    finding_text,
    spend_line,
    verdict,
)

__all__ = ["render_junit", "junit_suites", "junit_document"]

# XML 1.0 §2.2 Char: tab, newline, carriage return and U+0020 upwards (minus surrogates,
# U+FFFE/U+FFFF); anything else makes the document unparseable.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: str) -> str:
    return _NOT_XML_CHAR.sub("\ufffd", text)


def _message(finding: Finding) -> str:
    parts = [finding.reason or finding.title]
    if finding.expected or finding.observed:
        parts.append(f"expected {finding.expected or '?'}, observed {finding.observed or '?'}")
    if finding.where:
        parts.append(f"at {finding.where}")
    return "; ".join(p for p in parts if p)


def _testcase(finding: Finding) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "classname": ".".join(p for p in (finding.surface or "all", finding.deployment) if p),
            "name": finding_heading(finding),
            "time": "0",
        },
    )
    if finding.outcome is Outcome.FAILED and finding.baselined:
        child = ET.SubElement(case, "skipped", {"message": BASELINED_NOTE})
        child.text = finding_text(finding)
    elif finding.outcome is Outcome.FAILED:
        child = ET.SubElement(
            case, "failure", {"type": finding.severity, "message": _message(finding)}
        )
        child.text = finding_text(finding)
    elif finding.outcome is Outcome.INCONCLUSIVE:
        child = ET.SubElement(
            case, "error", {"type": "inconclusive", "message": finding.reason or "inconclusive"}
        )
        child.text = finding_text(finding)
    elif finding.outcome is Outcome.SKIPPED:
        ET.SubElement(case, "skipped", {"message": finding.reason or "does not apply"})
    return case


def _properties(result: RunResult) -> ET.Element:
    props = ET.Element("properties")
    for name, value in (
        ("tool", f"{TOOL_NAME} {TOOL_VERSION}"),
        ("target", result.target),
        ("surfaces", ",".join(result.surfaces)),
        ("verdict", verdict(result)),
        ("exit_code", str(result.exit_code())),
        ("partial", "true" if result.interrupted else "false"),
        ("spend", spend_line(result.spend)),
    ):
        ET.SubElement(props, "property", {"name": name, "value": value})
    if result.interrupted:
        ET.SubElement(props, "property", {"name": "note", "value": PARTIAL_NOTE})
    for note in result.notes:
        ET.SubElement(props, "property", {"name": "note", "value": note})
    return props


def _suite(
    name: str, findings: list[Finding], result: RunResult, classname: str = ""
) -> ET.Element:
    failures = sum(1 for f in findings if f.outcome is Outcome.FAILED and not f.baselined)
    errors = sum(1 for f in findings if f.outcome is Outcome.INCONCLUSIVE)
    skipped = sum(
        1
        for f in findings
        if f.outcome is Outcome.SKIPPED or (f.outcome is Outcome.FAILED and f.baselined)
    )
    suite = ET.Element(
        "testsuite",
        {
            "name": f"{TOOL_NAME}.{name}",
            "tests": str(len(findings)),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": str(skipped),
            "time": "0",
        },
    )
    if result.started_at:
        suite.set("timestamp", result.started_at)
    suite.append(_properties(result))
    for finding in findings:
        case = _testcase(finding)
        if classname:
            case.set("classname", f"{classname}.{case.get('classname')}")
        suite.append(case)
    return suite


def junit_suites(result: RunResult, prefix: str = "") -> list[ET.Element]:
    """One ``<testsuite>`` per surface; ``prefix`` (a fleet target's name) goes in front
    of every suite name and test class name."""
    by_surface: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_surface.setdefault(finding.surface or "all", []).append(finding)
    if not by_surface:
        by_surface["all"] = []  # an empty run still carries its properties (partial, target)
    return [
        _suite(f"{prefix}.{surface}" if prefix else surface, findings, result, prefix)
        for surface, findings in by_surface.items()
    ]


def junit_document(suites: list[ET.Element], duration_s: float) -> str:
    """The ``<testsuites>`` document around ``suites``, totals summed, text made XML-safe."""
    root = ET.Element("testsuites", {"name": TOOL_NAME, "time": f"{duration_s:.3f}"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, total in totals.items():
        root.set(key, str(total))
    for element in root.iter():
        if element.text:
            element.text = _x(element.text)
        for name, value in element.attrib.items():
            element.set(name, _x(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_junit(result: RunResult) -> str:
    return junit_document(junit_suites(result), result.duration_s)
