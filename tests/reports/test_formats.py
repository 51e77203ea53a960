"""Report formats: JSON schema, JUnit structure, Markdown, HTML, shared rendering, partial runs."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jsonschema_rs
import junitparser
import pytest

from conformance.model import FINDINGS_SCHEMA_VERSION, Finding, Outcome, RunResult
from conformance.reports import FORMATS, render_report, write_report
from conformance.reports._render import FINDING_FIELDS
from conformance.reports.console import render_console
from tests.reports.sample import TARGET, sample_result

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "report-schema.json").read_text(encoding="utf-8"))


def _validator() -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(SCHEMA)


# -- JSON -------------------------------------------------------------------------------


@pytest.mark.parametrize("interrupted", [False, True])
def test_json_report_validates_against_documented_schema(tmp_path: Path, interrupted: bool) -> None:
    path = tmp_path / "report.json"
    write_report(sample_result(interrupted=interrupted), "json", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    errors = [e.message for e in _validator().iter_errors(data)]
    assert errors == []
    assert data["schema_version"] == FINDINGS_SCHEMA_VERSION
    assert data["interrupted"] is interrupted and data["complete"] is not interrupted
    assert data["exit_code"] == 1
    assert data["counts"] == {
        "passed": 1,
        "failed": 2,
        "inconclusive": 1,
        "skipped": 1,
        "total": 5,
        "new_failures": 1,
        "baselined": 1,
    }
    assert data["spend"]["total_tokens"] == 245
    assert [f["clause_id"] for f in data["findings"]] == [
        "RESP-002",
        "ERR-002",
        "RATE-001",
        "FOUNDRY-001",
        "RESP-001",
    ]


def test_json_schema_version_matches_model() -> None:
    assert SCHEMA["properties"]["schema_version"]["const"] == FINDINGS_SCHEMA_VERSION


def test_json_schema_is_not_vacuous() -> None:
    data = json.loads(render_report(sample_result(), "json"))
    data["findings"][0]["outcome"] = "maybe"
    assert not _validator().is_valid(data)
    data = json.loads(render_report(sample_result(), "json"))
    del data["spend"]
    assert not _validator().is_valid(data)
    data = json.loads(render_report(sample_result(), "json"))
    data["findings"][0]["surprise"] = 1
    assert not _validator().is_valid(data)


def test_json_report_of_empty_run_validates() -> None:
    data = json.loads(render_report(RunResult(target="emulator", surfaces=[]), "json"))
    assert _validator().is_valid(data)
    assert data["exit_code"] == 0 and data["findings"] == []


def test_every_finding_field_is_in_the_schema() -> None:
    import dataclasses

    # deployment: present only when the run checked several (conformance/run/deployments.py)
    finding = dataclasses.replace(sample_result().findings[0], deployment="gpt-4o-mini")
    assert set(finding.to_json()) == set(SCHEMA["$defs"]["finding"]["properties"])
    assert "deployment" not in sample_result().findings[0].to_json()


# -- JUnit ------------------------------------------------------------------------------


def test_junit_structure(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_report(sample_result(), "junit", path)
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "aoai-conformance.dated",
        "aoai-conformance.v1",
        "aoai-conformance.foundry",
    ]
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == int(root.get("tests", "-1")) == 5
    by_name = {c.get("name"): c for c in cases}
    for case in cases:
        assert case.get("classname") in {"dated", "v1", "foundry"}
        assert len(list(case)) <= 1  # at most one of failure/error/skipped
    failure = by_name["RESP-002 choices[].finish_reason is a documented value"].find("failure")
    assert failure is not None and failure.get("type") == "must"
    assert "/choices/0/finish_reason" in (failure.get("message") or "")
    assert "curl" in (failure.text or "")
    baselined = by_name["ERR-002 error responses carry x-ms-error-code"].find("skipped")
    assert baselined is not None and "baseline" in (baselined.get("message") or "")
    error = by_name["RATE-001 a 429 carries Retry-After"].find("error")
    assert error is not None and error.get("type") == "inconclusive"
    skipped = by_name[
        "FOUNDRY-001 unknown body parameter with extra-parameters: error is rejected"
    ].find("skipped")
    assert (
        skipped is not None
        and skipped.get("message") == "the target does not serve the foundry surface"
    )
    assert list(by_name["RESP-001 non-stream object is chat.completion"]) == []
    for suite in suites:
        children = list(suite)
        assert children[0].tag == "properties"  # properties first, as the JUnit XSD orders
        kids = [c for c in children if c.tag == "testcase"]
        assert int(suite.get("tests", "-1")) == len(kids)
        assert int(suite.get("failures", "-1")) == sum(c.find("failure") is not None for c in kids)
        assert int(suite.get("errors", "-1")) == sum(c.find("error") is not None for c in kids)
        assert int(suite.get("skipped", "-1")) == sum(c.find("skipped") is not None for c in kids)
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("1", "1", "2")


def test_junit_is_read_by_a_standard_consumer(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_report(sample_result(), "junit", path)
    xml = junitparser.JUnitXml.fromfile(str(path))
    outcomes: dict[str, str] = {}
    for suite in xml:
        for case in suite:
            results = case.result
            outcomes[case.name.split()[0]] = type(results[0]).__name__ if results else "passed"
    assert outcomes == {
        "RESP-002": "Failure",
        "ERR-002": "Skipped",
        "RATE-001": "Error",
        "FOUNDRY-001": "Skipped",
        "RESP-001": "passed",
    }


def test_junit_survives_control_characters_from_a_server() -> None:
    result = sample_result()
    result.findings[0].observed = "bad\x00bytes\x1b[31m and \ud800 surrogate"
    text = render_report(result, "junit")
    root = ET.fromstring(text.encode("utf-8"))
    assert "bad\ufffdbytes" in (root.find("./testsuite/testcase/failure").text or "")  # type: ignore[union-attr]


def test_junit_of_empty_interrupted_run_parses() -> None:
    root = ET.fromstring(render_report(RunResult("x", [], interrupted=True), "junit"))
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["partial"] == "true" and root.get("tests") == "0"


# -- Markdown ---------------------------------------------------------------------------


def test_markdown_summary_and_failure(tmp_path: Path) -> None:
    text = render_report(sample_result(), "markdown")
    assert text.startswith("## ❌ aoai-conformance: https://gw.example.test/openai\n")
    assert (
        "**1 divergence from the documented contract; 1 accepted in the baseline (exit code 1)**"
        in text
    )
    assert "### Failures" in text
    assert "| Where | `/choices/0/finish_reason` |" in text
    assert "```bash\ncurl -sS -X POST" in text
    assert "| Spend | 17 requests, 210 prompt + 35 completion = 245 tokens |" in text
    # every table row keeps its column count: pipes inside values are escaped
    for block in re.findall(r"(?:^\|.*\|\n)+", text, flags=re.M):
        rows = block.strip().splitlines()
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows


def test_markdown_escapes_markup_outside_code() -> None:
    result = sample_result()
    result.findings[0].reason = "<img src=x onerror=alert(1)> **bold** [link](http://x)"
    text = render_report(result, "markdown")
    assert not re.search(r"(?<!\\)<img", text) and "\\<img" in text
    assert "\\*\\*bold\\*\\*" in text


# -- HTML -------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


def test_html_is_self_contained_and_escaped() -> None:
    text = render_report(sample_result(), "html")
    parser = _Collector()
    parser.feed(text)
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert not [v for k, v in parser.attrs if k in ("src", "href")]
    assert "<style>" in text and "Content-Security-Policy" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>" not in text


def test_html_groups_findings() -> None:
    text = render_report(sample_result(), "html")
    assert text.index("<h2>Failures (1)</h2>") < text.index(
        "<h2>Accepted divergences (baseline) (1)</h2>"
    )
    assert '<details class="finding" open id="RESP-002-dated">' in text


# -- the same finding, the same way -----------------------------------------------------


@pytest.mark.parametrize("fmt", ["markdown", "html", "junit", "console"])
def test_same_fields_in_same_order_everywhere(fmt: str) -> None:
    result = sample_result()
    text = render_console(result) if fmt == "console" else render_report(result, fmt)
    start = text.index("RESP-002 choices")
    labels = [label for attr, label in FINDING_FIELDS if getattr(result.findings[0], attr)]
    positions = [text.index(label, start) for label in labels[:-1]]  # Reproduce may be a code block
    assert positions == sorted(positions), fmt
    for value in (
        "/choices/0/finish_reason",
        "seed 004 §CompletionsFinishReason",
        "curl -sS -X POST",
    ):
        assert value in text.replace("&amp;", "&"), (fmt, value)


# -- partial runs -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [*FORMATS, "console"])
def test_interrupted_run_is_clearly_partial(fmt: str) -> None:
    result = sample_result(interrupted=True)
    text = render_console(result) if fmt == "console" else render_report(result, fmt)
    assert "PARTIAL" in text or '"interrupted": true' in text


def test_verdict_wording() -> None:
    passing = RunResult(
        target=TARGET,
        surfaces=["v1"],
        findings=[
            Finding("RESP-001", "t", Outcome.PASSED, "must", "v1", "seed 003 §x"),
        ],
    )
    assert "**conforms: no divergence outside the baseline (exit code 0)**" in render_report(
        passing, "markdown"
    )
    passing.findings.append(
        Finding("RATE-001", "t", Outcome.INCONCLUSIVE, "must", "v1", "s", reason="timeout")
    )
    assert "inconclusive (1 clause could not be decided) (exit code 3)" in render_report(
        passing, "markdown"
    )
