"""report merge: the shards of a fleet merge into the unsharded fleet's report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fleet.helpers import emulators, run_cli, server_target, write_fleet
from tests.resilience.helpers import CREDENTIAL_ENV
from tests.support import requires_mirror

pytestmark = requires_mirror

SPECS = [
    ("alpha", ()),
    ("bravo", ("no-done",)),
    ("charlie", ("usage-total-wrong",)),
    ("delta", ()),
    ("echo", ("finish-reason-invalid",)),
]
# fields of a finding that do not depend on when the run happened
STABLE = (
    "clause_id",
    "title",
    "outcome",
    "severity",
    "surface",
    "source",
    "expected",
    "where",
    "baselined",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "exit_code": report["exit_code"],
        "verdict": report["verdict"],
        "counts": report["counts"],
        "fleet_targets": report["fleet"]["targets"],
        "missing": report["missing"],
        "targets": [
            (
                t["name"],
                t["url"],
                t["exit_code"],
                t["counts"],
                [tuple(f[k] for k in STABLE) for f in t["findings"]],
            )
            for t in report["targets"]
        ],
    }


@pytest.mark.slow
def test_three_shards_merge_into_the_unsharded_fleet_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with emulators(SPECS) as servers:
        for server in servers:
            monkeypatch.setenv(server.key_env, server.key)
        # file order is not name order: the merge must restore the file's order
        path = write_fleet(tmp_path / "fleet.toml", [server_target(s) for s in servers[::-1]])
        common = ("--no-schemathesis", "--fleet", str(path))
        whole = tmp_path / "whole.json"
        code = run_cli("run", *common, f"--report=json:{whole}")
        shard_codes = []
        for i in (1, 2, 3):
            shard_codes.append(
                run_cli(
                    "run", *common, "--shard", f"{i}/3", f"--report=json:{tmp_path / f's{i}.json'}"
                )
            )
    shards = [json.loads((tmp_path / f"s{i}.json").read_text()) for i in (1, 2, 3)]
    # a real split: every target in exactly one shard
    names = [t["name"] for s in shards for t in s["targets"]]
    assert sorted(names) == sorted(n for n, _ in SPECS) and all(s["targets"] for s in shards)
    assert [s["fleet"]["shard"] for s in shards] == ["1/3", "2/3", "3/3"]
    capsys.readouterr()
    merged_paths = {
        fmt: tmp_path / f"merged.{fmt}" for fmt in ("json", "junit", "markdown", "html")
    }
    merge_code = run_cli(
        "report",
        "merge",
        *(str(tmp_path / f"s{i}.json") for i in (1, 2, 3)),
        *(f"--report={fmt}:{p}" for fmt, p in merged_paths.items()),
    )
    merged = json.loads(merged_paths["json"].read_text())
    unsharded = json.loads(whole.read_text())
    assert code == 1 and merge_code == 1 == merged["exit_code"] == unsharded["exit_code"]
    assert max(shard_codes) == 1 and 0 in shard_codes  # one shard holds only clean targets
    assert _comparable(merged) == _comparable(unsharded)
    assert [t["name"] for t in merged["targets"]] == [n for n, _ in SPECS[::-1]]
    out = capsys.readouterr().out
    assert out.startswith(
        "merged 3 reports: 5 targets: 2 conform, 3 with divergences (exit code 1)"
    )
    for name, _ in SPECS:
        assert f"## target {name}" in merged_paths["markdown"].read_text()
        assert f"aoai-conformance.{name}.dated" in merged_paths["junit"].read_text()


def _fleet_report(tmp_path: Path) -> Path:
    path = write_fleet(
        tmp_path / "fleet.toml",
        [
            {"name": "a", "emulator": True, "surface": "dated"},
            {"name": "b", "emulator": True, "surface": "dated", "faults": ["no-done"]},
            {"name": "c", "emulator": True, "surface": "dated", "faults": ["usage-total-wrong"]},
        ],
    )
    out = tmp_path / "fleet.json"
    run_cli(
        "run",
        "--fleet",
        str(path),
        "--no-schemathesis",
        "--select",
        "RESP-*,STREAM-*",
        f"--report=json:{out}",
    )
    return out


def _split(report: Path, tmp_path: Path) -> list[Path]:
    """The report's sections written as three one-target shard reports."""
    data = json.loads(report.read_text())
    paths = []
    for i, target in enumerate(data["targets"], 1):
        shard = dict(data, targets=[target], fleet=dict(data["fleet"], shard=f"{i}/3"))
        paths.append(tmp_path / f"part{i}.json")
        paths[-1].write_text(json.dumps(shard))
    return paths


def test_merging_a_split_report_gives_the_same_report(tmp_path: Path) -> None:
    report = _fleet_report(tmp_path)
    parts = _split(report, tmp_path)
    out = tmp_path / "merged.json"
    assert run_cli("report", "merge", *map(str, parts[::-1]), f"--report=json:{out}") == 1
    original, merged = json.loads(report.read_text()), json.loads(out.read_text())
    original["notes"] = merged["notes"] = []
    assert merged == original


def test_a_missing_shard_is_inconclusive_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parts = _split(_fleet_report(tmp_path), tmp_path)
    out = tmp_path / "merged.json"
    # only the clean target's shard: no divergence, but 'b' and 'c' were never checked
    assert run_cli("report", "merge", str(parts[0]), f"--report=json:{out}") == 3
    merged = json.loads(out.read_text())
    assert merged["missing"] == ["b", "c"] and merged["complete"] is False
    assert "2 not in any report (b, c)" in capsys.readouterr().out


def test_a_single_run_report_merges_as_a_target_named_by_its_file(tmp_path: Path) -> None:
    single = tmp_path / "dated-run.json"
    assert (
        run_cli(
            "run",
            "--surface",
            "dated",
            "--no-schemathesis",
            "--select",
            "RESP-001",
            f"--report=json:{single}",
        )
        == 0
    )
    parts = _split(_fleet_report(tmp_path), tmp_path)
    out = tmp_path / "merged.md"
    assert (
        run_cli("report", "merge", str(single), *map(str, parts), f"--report=markdown:{out}") == 1
    )
    text = out.read_text()
    assert "## target dated-run" in text and "## target b" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        ("{not json", "is not JSON"),
        ('{"hello": 1}', "not an aoai-conformance JSON report"),
    ],
)
def test_bad_inputs_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    path = tmp_path / "in.json"
    if content is not None:
        path.write_text(content)
    assert run_cli("report", "merge", str(path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err and err.count("\n") == 1


def test_the_same_target_twice_and_no_input_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parts = _split(_fleet_report(tmp_path), tmp_path)
    capsys.readouterr()
    assert run_cli("report", "merge", str(parts[0]), str(parts[0])) == 2
    assert "target 'a' is in both" in capsys.readouterr().err
    assert run_cli("report", "merge") == 2
    assert "report merge needs JSON reports" in capsys.readouterr().err
    assert run_cli("report", "merge", str(parts[0]), f"--report=json:{parts[0]}") == 2
    assert "would overwrite the input" in capsys.readouterr().err
