"""Fleet runs: several targets at once, one report with a section per target, one exit code."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conformance.emulator.faults import FAULTS
from conformance.run.fleet import FleetOptions, load_fleet, run_fleet
from tests.fleet.helpers import (
    closed_port_url,
    emulators,
    outcomes,
    run_cli,
    server_target,
    write_fleet,
)
from tests.resilience.helpers import CREDENTIAL_ENV
from tests.support import requires_mirror

pytestmark = requires_mirror

# one fault per target, each breaking a different clause on the dated surface
TARGET_FAULTS = {
    "clean": (),
    "no-done": ("no-done",),
    "usage": ("usage-total-wrong",),
    "err-code": ("no-x-ms-error-code",),
}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


def _expect_fault_findings(report: dict[str, Any]) -> None:
    found = outcomes(report)
    for name, faults in TARGET_FAULTS.items():
        failed = found[name].get("failed", set())
        assert failed == {FAULTS[f].clause for f in faults}, name
        assert not found[name].get("inconclusive"), name


def test_embedded_fleet_one_report_per_format_worst_exit_code(tmp_path: Path) -> None:
    path = write_fleet(
        tmp_path / "fleet.toml",
        [
            {"name": name, "emulator": True, "surface": "dated", "faults": list(faults)}
            for name, faults in TARGET_FAULTS.items()
        ],
    )
    reports = {fmt: tmp_path / f"fleet.{fmt}" for fmt in ("json", "junit", "markdown", "html")}
    argv = [f"--report={fmt}:{p}" for fmt, p in reports.items()]
    code = run_cli("run", "--fleet", str(path), "--no-schemathesis", "--workers", "2", *argv)
    report = json.loads(reports["json"].read_text())
    assert code == 1 == report["exit_code"]
    assert [t["name"] for t in report["targets"]] == list(TARGET_FAULTS)  # file order
    assert {t["name"]: t["exit_code"] for t in report["targets"]} == {
        "clean": 0,
        "no-done": 1,
        "usage": 1,
        "err-code": 1,
    }
    _expect_fault_findings(report)
    assert report["counts"]["failed"] == 3
    assert report["spend"]["requests"] == sum(t["spend"]["requests"] for t in report["targets"])
    # every format has a section per target
    junit = reports["junit"].read_text()
    markdown = reports["markdown"].read_text()
    html = reports["html"].read_text()
    for name in TARGET_FAULTS:
        assert f'name="aoai-conformance.{name}.dated"' in junit
        assert f"## target {name}" in markdown
        assert f'<section id="target-{name}">' in html
    assert 'classname="no-done.dated" name="STREAM-007' in junit


def test_targets_run_concurrently_within_the_worker_bound(tmp_path: Path) -> None:
    """Each answer is slowed down; at most --workers targets are in flight at once."""
    lock = threading.Lock()
    active: dict[str, int] = {}
    peak = [0]

    def slow(app: Any) -> Any:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                port = str(scope["server"][1])
                with lock:
                    active[port] = active.get(port, 0) + 1
                    peak[0] = max(peak[0], sum(1 for v in active.values() if v))
                try:
                    time.sleep(0.002)  # a blocking pause: overlaps only across servers
                    await app(scope, receive, send)
                finally:
                    with lock:
                        active[port] -= 1
            else:
                await app(scope, receive, send)

        return wrapped

    specs = [(f"t{i}", ()) for i in range(5)]
    with emulators(specs, wrap=slow) as servers:
        path = write_fleet(tmp_path / "fleet.toml", [server_target(s) for s in servers])
        env = {s.key_env: s.key for s in servers}
        options = FleetOptions(
            workers=2, schemathesis=False, select=("RESP-*", "STREAM-00*"), env=env
        )
        result, _ = run_fleet(load_fleet(path), options)
    assert [s.name for s in result.sections] == [n for n, _ in specs]
    assert result.exit_code() == 0
    assert 2 <= peak[0] <= 2  # two targets in flight, never three


@pytest.mark.slow
def test_fleet_of_uvicorn_emulators_with_different_faults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Emulators under uvicorn on 127.0.0.1, each with its own key and fault, plus a
    target nobody listens on: one --fleet run, one report, each target's findings right."""
    with emulators(list(TARGET_FAULTS.items())) as servers:
        targets = [server_target(s) for s in servers]
        targets.append(
            {
                "name": "down",
                "url": closed_port_url(),
                "surface": "dated",
                "deployments": ["gpt-4o-mini"],
                "api_key_env": "FLEET_KEY_DOWN",
            }
        )
        # the v1 surface of one target as well (auto-detected)
        targets[0]["surface"] = "auto"
        path = write_fleet(tmp_path / "fleet.toml", targets, defaults={"max_requests": 200})
        for server in servers:
            monkeypatch.setenv(server.key_env, server.key)
        monkeypatch.setenv("FLEET_KEY_DOWN", "fleet-key-down-unused")
        out = tmp_path / "fleet.json"
        code = run_cli("run", "--fleet", str(path), "--no-schemathesis", f"--report=json:{out}")
    report = json.loads(out.read_text())
    stdout = capsys.readouterr().out
    assert code == 1 == report["exit_code"]  # divergences outrank the unreachable target
    _expect_fault_findings(report)
    sections = {t["name"]: t for t in report["targets"]}
    assert sections["down"]["exit_code"] == 3
    down = outcomes(report)["down"]
    assert down["inconclusive"] and not down.get("passed") and not down.get("failed")
    assert {"dated", "v1", "foundry"} >= set(sections["clean"]["surfaces"]) >= {"dated", "v1"}
    # each target spent from its own budget, and its own breaker opened only for "down"
    assert all(t["spend"]["requests"] <= 200 for t in report["targets"])
    assert any("stopped contacting the target" in n for n in sections["down"]["notes"])
    assert not any("stopped contacting" in n for t in report["targets"][:-1] for n in t["notes"])
    assert "[no-done] FAILED" in stdout and "fleet: 5 targets" in stdout


@pytest.mark.slow
def test_concurrent_targets_with_the_schemathesis_phase_decide_it_like_a_single_run(
    tmp_path: Path,
) -> None:
    """The phase's hypothesis engine is serialised across targets: run side by side,
    every target's SCHEMA-* clauses are decided as in a run of its own (not inconclusive)."""
    from conformance.run.options import RunOptions, TargetOptions
    from conformance.run.runner import run_suite

    single = run_suite(RunOptions(target=TargetOptions(env={}, surface="dated")))
    expected = sorted((f.clause_id, f.outcome.value) for f in single.findings)
    path = write_fleet(
        tmp_path / "fleet.toml",
        [{"name": f"t{i}", "emulator": True, "surface": "dated"} for i in range(3)],
    )
    result, _ = run_fleet(load_fleet(path), FleetOptions(workers=3, env={}))
    assert any(c.startswith("SCHEMA-") for c, _ in expected)
    for section in result.sections:
        found = sorted((f.clause_id, f.outcome.value) for f in section.result.findings)
        assert found == expected, section.name
