"""Baseline: accepted divergences by clause and target; loading errors; --update-baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.model import Finding, Outcome, RunResult
from conformance.run.baseline import Baseline, BaselineEntry, load_baseline, write_baseline
from generator.errors import UsageError

TARGET = "https://gw.example.test/openai"


def _finding(clause: str, outcome: Outcome, surface: str = "dated", target: str = "") -> Finding:
    return Finding(
        clause,
        f"title of {clause}",
        outcome,
        "must",
        surface,
        "seed 004 §x",
        reason="why",
        target=target,
    )


def _result(*findings: Finding, target: str = TARGET) -> RunResult:
    return RunResult(target=target, surfaces=["dated", "v1"], findings=list(findings))


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_apply_marks_matching_failures_and_changes_exit_code(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "b.json",
        {
            "version": 1,
            "accepted": [
                {
                    "clause": "ERR-002",
                    "target": "HTTPS://GW.example.test/openai/",
                    "reason": "APIM",
                },
            ],
        },
    )
    result = _result(
        _finding("ERR-002", Outcome.FAILED),
        _finding("ERR-002", Outcome.FAILED, surface="v1"),
        _finding("RESP-001", Outcome.FAILED),
    )
    assert result.exit_code() == 1
    load_baseline(path).apply(result)
    assert [f.baselined for f in result.findings] == [True, True, False]
    assert result.findings[0].reason == "why (baseline: APIM)"
    assert result.exit_code() == 1  # RESP-001 is new
    result.findings.pop()
    assert result.exit_code() == 0


def test_target_and_surface_scope(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "b.json",
        {
            "accepted": [
                {"clause": "ERR-002", "target": "https://other.example.test"},
                {"clause": "RESP-003", "surface": "v1"},
                {"clause": "AUTH-003", "target": "*"},
            ]
        },
    )
    result = _result(
        _finding("ERR-002", Outcome.FAILED),
        _finding("RESP-003", Outcome.FAILED, surface="dated"),
        _finding("RESP-003", Outcome.FAILED, surface="v1"),
        _finding("AUTH-003", Outcome.FAILED),
    )
    load_baseline(path).apply(result)
    assert [f.baselined for f in result.findings] == [False, False, True, True]


def test_only_failures_are_baselined_and_passing_entries_are_noted(tmp_path: Path) -> None:
    path = _write(tmp_path / "b.json", {"accepted": [{"clause": "RESP-001", "target": TARGET}]})
    result = _result(
        _finding("RESP-001", Outcome.PASSED), _finding("RATE-001", Outcome.INCONCLUSIVE)
    )
    load_baseline(path).apply(result)
    assert not any(f.baselined for f in result.findings)
    assert result.notes == [
        "baseline entry RESP-001 now passes; remove it (or run with --update-baseline)"
    ]


def test_finding_target_overrides_run_target() -> None:
    baseline = Baseline([BaselineEntry("ERR-001", target="https://a.example")])
    result = _result(
        _finding("ERR-001", Outcome.FAILED, target="https://a.example/"), target="emulator"
    )
    baseline.apply(result)
    assert result.findings[0].baselined


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "{not json",
            "is not valid JSON (line 1, column 2: Expecting property name enclosed "
            "in double quotes); fix it or regenerate it with --update-baseline",
        ),
        ("[]", 'must be an object with an "accepted" list'),
        ('{"accepted": [{"target": "x"}]}', 'entry 0 needs a "clause" string'),
        (
            '{"accepted": [{"clause": "A-001", "why": "x"}]}',
            "entry 0 has unknown field(s) why; allowed: clause, target, surface, reason",
        ),
        (
            '{"accepted": [{"clause": "A-001", "reason": 5}]}',
            'entry 0 field "reason" must be a string',
        ),
        ('{"version": 9, "accepted": []}', "has version 9; this tool reads version 1"),
    ],
)
def test_invalid_baseline_is_one_line_usage_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "b.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        load_baseline(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value) and info.value.exit_code == 2


def test_missing_and_unreadable_baseline(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist; create it with --update-baseline"):
        load_baseline(tmp_path / "nope.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(UsageError, match="cannot be read"):
        load_baseline(tmp_path / "bin.json")
    with pytest.raises(UsageError, match="cannot be read"):
        load_baseline(tmp_path)  # a folder


def test_write_baseline_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "baseline.json"
    result = _result(
        _finding("RESP-003", Outcome.FAILED),
        _finding("ERR-002", Outcome.FAILED, surface="v1"),
        _finding("RESP-001", Outcome.PASSED),
        target="https://user:hunter2-secret@GW.example.test/openai/",
    )
    write_baseline(result, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["accepted"] == [
        {"clause": "ERR-002", "target": "https://gw.example.test/openai", "surface": "v1"},
        {"clause": "RESP-003", "target": "https://gw.example.test/openai", "surface": "dated"},
    ]
    assert "hunter2" not in path.read_text(encoding="utf-8")
    again = _result(_finding("RESP-003", Outcome.FAILED), _finding("ERR-002", Outcome.FAILED, "v1"))
    load_baseline(path).apply(again)
    assert again.exit_code() == 0


def test_update_keeps_reasons_and_undecided_entries_and_drops_passes(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "b.json",
        {
            "version": 1,
            "accepted": [
                {"clause": "ERR-002", "target": "*", "reason": "APIM strips it"},
                {"clause": "RATE-001", "target": TARGET, "reason": "no 429 on staging"},
                {"clause": "RESP-001", "target": TARGET, "reason": "fixed since"},
                {"clause": "STREAM-007", "target": TARGET},
            ],
        },
    )
    result = _result(
        _finding("ERR-002", Outcome.FAILED),  # still failing: keep scope + reason
        _finding("RATE-001", Outcome.INCONCLUSIVE),  # undecided: keep
        _finding("RESP-001", Outcome.PASSED),  # passes now: drop
        _finding("AUTH-003", Outcome.FAILED),  # new failure: add
        # STREAM-007 did not run at all (interrupted): keep
    )
    result.interrupted = True
    write_baseline(result, path)
    assert json.loads(path.read_text(encoding="utf-8"))["accepted"] == [
        {"clause": "AUTH-003", "target": TARGET, "surface": "dated"},
        {"clause": "ERR-002", "target": "*", "reason": "APIM strips it"},
        {"clause": "RATE-001", "target": TARGET, "reason": "no 429 on staging"},
        {"clause": "STREAM-007", "target": TARGET},
    ]


def test_write_baseline_unwritable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="cannot write baseline"):
        write_baseline(_result(_finding("A-001", Outcome.FAILED)), blocker / "b.json")
