"""Network faults: the affected clauses are inconclusive (never passed or failed), retries
back off within the budget, the run exits 3 and the report holds every clause.

Every server is on 127.0.0.1 (tests/resilience/faultserver.py). DNS failure is simulated
by patching ``socket.getaddrinfo``: this machine's resolver is not on loopback, so really
resolving a ``.invalid`` name would send a query off the machine.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.resilience.faultserver import (
    FaultPlan,
    blackhole_server,
    faulty_emulator,
    resetting_server,
    self_signed,
    tls_emulator,
)
from tests.resilience.helpers import CREDENTIAL_ENV, Outcome, dated_clause_count, run_cli
from tests.support import requires_mirror

pytestmark = [requires_mirror, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


def _assert_inconclusive_run(run: Outcome, *, budget: int = 150) -> None:
    """Exit 3, no clause failed, some inconclusive, every clause reported, budget kept."""
    assert run.code == 3, run.report["notes"]
    assert run.count("failed") == 0, run.ids("failed")
    assert run.count("inconclusive") >= 1
    assert len(run.report["findings"]) == dated_clause_count()
    assert run.requests <= budget
    for finding in run.report["findings"]:
        if finding["outcome"] == "inconclusive":
            assert finding["reason"], finding


def test_connection_refused_everywhere(tmp_path: Path) -> None:
    with faulty_emulator(FaultPlan()) as url:
        pass  # closed again: nothing listens on the port
    run = run_cli(url, tmp_path)
    _assert_inconclusive_run(run)
    assert run.count("passed") == 0
    # the breaker stops after 3 failed requests (3 attempts each): no hammering
    assert run.requests <= 9
    assert any("stopped contacting the target" in n for n in run.report["notes"])
    reasons = {f["reason"] for f in run.report["findings"] if f["outcome"] == "inconclusive"}
    assert any("connection refused" in r for r in reasons)


def test_connect_timeout(tmp_path: Path) -> None:
    with blackhole_server() as url:
        run = run_cli(url, tmp_path, timeout="0.5")
    _assert_inconclusive_run(run)
    assert run.count("passed") == 0 and run.requests <= 9
    assert any("connect timeout" in f["reason"] for f in run.report["findings"])
    assert run.seconds < 30


def test_read_timeout_in_the_middle_of_a_stream(tmp_path: Path) -> None:
    plan = FaultPlan(mode="stall-stream")
    with faulty_emulator(plan) as url:
        run = run_cli(url, tmp_path, timeout="1")
    _assert_inconclusive_run(run)
    assert plan.faulted >= 1  # a stream really stalled after its first chunk
    stream = {i for i in run.ids("inconclusive") if i.startswith("STREAM-")}
    assert stream, run.ids("inconclusive")
    # the non-stream clauses were still decided: the report says what was done
    assert {"RESP-001", "AUTH-001", "ROUTE-002"} <= run.ids("passed")
    assert any("read timeout" in f["reason"] for f in run.report["findings"])


def test_connection_reset(tmp_path: Path) -> None:
    with resetting_server() as url:
        run = run_cli(url, tmp_path)
    _assert_inconclusive_run(run)
    assert run.count("passed") == 0 and run.requests <= 9


def test_5xx_storm_mid_run(tmp_path: Path) -> None:
    plan = FaultPlan(mode="503", after=12)
    with faulty_emulator(plan) as url:
        run = run_cli(url, tmp_path)
    _assert_inconclusive_run(run)
    assert run.count("passed") >= 3  # what ran before the storm stands
    # 503 is retried with back-off (3 attempts per request) and the breaker ends it
    assert plan.faulted <= 9 and run.requests <= 11 + 9
    assert any("retries" in n for n in run.report["notes"])
    assert any("unavailable: 503" in f["reason"] for f in run.report["findings"])


def test_429_storm_honours_retry_after(tmp_path: Path) -> None:
    plan = FaultPlan(mode="429", after=1, retry_after="1")
    with faulty_emulator(plan) as url:
        run = run_cli(url, tmp_path)
    _assert_inconclusive_run(run)
    assert run.count("passed") == 0
    # each request: 3 attempts, 1 s apart as Retry-After says; 3 requests before the breaker
    assert plan.faulted == 9 and run.requests == 9
    assert 6.0 <= run.seconds < 30
    note = next(n for n in run.report["notes"] if n.startswith("network: 6 retries"))
    assert "6.0s of back-off" in note


def test_dns_failure_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo
    asked: list[str] = []

    def resolver(host: object, *args: object, **kwargs: object) -> object:
        if isinstance(host, str) and host.endswith(".invalid"):
            asked.append(host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    run = run_cli("http://aoai-conformance-test.invalid", tmp_path)
    _assert_inconclusive_run(run)
    assert asked and run.seconds < 10
    # DNS failures are not retried: one attempt per request, then the breaker
    assert run.requests == 3
    assert any("cannot resolve host" in f["reason"] for f in run.report["findings"])


def test_tls_failure_is_inconclusive_and_says_what_to_do(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with tls_emulator(cert, key) as url:
        run = run_cli(url, tmp_path)
    _assert_inconclusive_run(run)
    assert run.requests == 3  # not retried
    reason = next(f["reason"] for f in run.report["findings"] if f["outcome"] == "inconclusive")
    assert "TLS certificate verification failed" in reason and "--ca-bundle" in reason


def test_target_killed_mid_run(tmp_path: Path) -> None:
    plan = FaultPlan(mode="kill", after=6)
    with faulty_emulator(plan) as url:
        run = run_cli(url, tmp_path)
    _assert_inconclusive_run(run)
    assert plan.faulted >= 1 and run.count("passed") >= 3
    reasons = " ".join(f["reason"] for f in run.report["findings"])
    assert "connection refused" in reasons
    assert any("stopped contacting the target" in n for n in run.report["notes"])


def test_retries_stay_inside_the_request_budget(tmp_path: Path) -> None:
    plan = FaultPlan(mode="503", after=1)
    with faulty_emulator(plan) as url:
        run = run_cli(url, tmp_path, "--max-requests", "4")
    _assert_inconclusive_run(run, budget=4)
    assert run.requests == 4 and plan.faulted == 4  # the 5th attempt was never sent
    reasons = " ".join(f["reason"] for f in run.report["findings"])
    assert "request budget exhausted" in reasons


def test_undetectable_target_still_gets_a_complete_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Auto-detection finds no surface (nothing answers): one error line, exit 3, and the
    report lists every clause as inconclusive with the reason."""
    with faulty_emulator(FaultPlan()) as url:
        pass
    run = run_cli(url, tmp_path, surface="auto")
    assert run.code == 3
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if line.startswith("error: ")] == [
        f"error: {url} did not answer the detection probes (connection error: connection "
        "refused by 127.0.0.1: is the target running?: POST "
        "/openai/deployments/gpt-4o-mini/chat/completions); check --target"
    ]
    assert {f["outcome"] for f in run.report["findings"]} == {"inconclusive"}
    assert len(run.report["findings"]) >= 40
    assert any(n.startswith("unreachable: ") for n in run.report["notes"])
