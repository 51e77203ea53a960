"""Reports of a real run (the emulator with one fault): schema-valid, parseable, no secrets."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema_rs
import junitparser
import pytest

pytest.importorskip("conformance.emulator", reason="the emulator (issue 4) is not in this tree")

from conformance.emulator import DEFAULT_API_KEY  # noqa: E402
from conformance.reports import FORMATS, write_report  # noqa: E402
from conformance.run.options import (
    RunOptions,
    TargetOptions,  # noqa: E402
)
from conformance.run.runner import execute  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_reports_of_a_real_run(tmp_path: Path) -> None:
    options = RunOptions(
        target=TargetOptions(faults=("usage-total-wrong",), env={}), schemathesis=False
    )
    result, secrets = execute(options)
    assert result.exit_code() == 1
    paths = {fmt: tmp_path / f"report.{fmt}" for fmt in FORMATS}
    for fmt, path in paths.items():
        write_report(result, fmt, path, secrets=secrets)
        assert DEFAULT_API_KEY.encode() not in path.read_bytes(), fmt
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "docs" / "report-schema.json").read_text(encoding="utf-8"))
    assert [e.message for e in jsonschema_rs.Draft202012Validator(schema).iter_errors(data)] == []
    assert {f["clause_id"] for f in data["findings"] if f["outcome"] == "failed"} == {"RESP-003"}
    junit = junitparser.JUnitXml.fromfile(str(paths["junit"]))
    failed = [
        case.name
        for suite in junit
        for case in suite
        if case.result and type(case.result[0]).__name__ == "Failure"
    ]
    assert failed and all(name.startswith("RESP-003 ") for name in failed)
    assert "RESP-003" in paths["markdown"].read_text(encoding="utf-8")
    HTMLParser().feed(paths["html"].read_text(encoding="utf-8"))
