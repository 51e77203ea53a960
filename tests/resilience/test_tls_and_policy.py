"""TLS trust (verification on, --ca-bundle, SSL_CERT_FILE, a loud --insecure), the retry
policy's arithmetic, and Ctrl-C (a real SIGINT) writing the partial report."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.http.policy import CircuitBreaker, RetryPolicy
from conformance.http.tls import INSECURE_WARNING
from tests.resilience.faultserver import self_signed, tls_emulator
from tests.resilience.helpers import CREDENTIAL_ENV, run_cli
from tests.support import requires_mirror


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def tls_target(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("tls")
    cert, key = self_signed(folder)
    with tls_emulator(cert, key) as url:
        yield url, cert


@requires_mirror
@pytest.mark.slow
def test_ca_bundle_makes_the_self_signed_target_trusted(
    tls_target: tuple[str, Path], tmp_path: Path
) -> None:
    url, cert = tls_target
    run = run_cli(url, tmp_path, "--ca-bundle", str(cert))
    assert run.code == 0, run.report["notes"]
    assert any(f"TLS verified with --ca-bundle {cert}" in n for n in run.report["notes"])


@requires_mirror
@pytest.mark.slow
def test_ssl_cert_file_is_honoured(
    tls_target: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = tls_target
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    run = run_cli(url, tmp_path, "--select", "RESP-001")
    assert run.code == 0 and run.ids("passed") == {"RESP-001"}
    assert any("SSL_CERT_FILE" in n for n in run.report["notes"])


@requires_mirror
@pytest.mark.slow
def test_insecure_is_loud_and_recorded(
    tls_target: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = tls_target
    run = run_cli(url, tmp_path, "--insecure", "--select", "RESP-001")
    assert run.code == 0
    err = capsys.readouterr().err
    assert INSECURE_WARNING in err
    assert "TLS verification DISABLED (--insecure)" in run.report["notes"]


def test_backoff_is_exponential_jittered_and_capped() -> None:
    top = RetryPolicy(attempts=10, base_s=0.5, cap_s=4.0, random=lambda: 0.999999)
    ceilings = [round(top.backoff(n), 3) for n in range(1, 7)]
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    low = RetryPolicy(attempts=10, random=lambda: 0.0)
    assert low.backoff(3) == 0.0  # full jitter: anywhere in [0, ceiling)
    jittered = RetryPolicy(attempts=10)
    samples = {jittered.backoff(4) for _ in range(50)}
    assert len(samples) > 40 and all(0 <= s <= 4.0 for s in samples)


def test_retry_after_is_honoured_and_bounded() -> None:
    policy = RetryPolicy(attempts=3, max_retry_after_s=20.0)
    assert policy.delay(1, 7.0) == 7.0
    assert policy.delay(1, 60.0) is None  # longer than the run should stall: give up
    assert policy.delay(3, 1.0) is None  # attempts used up
    breaker = CircuitBreaker(threshold=2)
    breaker.failure("x")
    assert not breaker.open
    breaker.failure("y")
    assert breaker.open and breaker.reason == "y"
    breaker.success()
    assert not breaker.open


@pytest.fixture
def default_sigint() -> Iterator[None]:
    """Python's own SIGINT handler (KeyboardInterrupt), whatever the test run inherited.

    A test run started as a background job (``pytest &``, some CI runners) inherits SIGINT
    as *ignored*; then Python installs no handler and the real SIGINT these tests send
    would do nothing.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@requires_mirror
@pytest.mark.slow
@pytest.mark.usefixtures("default_sigint")
def test_real_ctrl_c_writes_the_partial_report(tmp_path: Path) -> None:
    """SIGINT to this process mid-run: exit 130, the JSON report holds what was finished."""
    from tests.resilience.faultserver import FaultPlan, faulty_emulator

    report = tmp_path / "partial.json"
    # from the 8th request on, 429 with Retry-After 3: the run sleeps, and is interrupted
    plan = FaultPlan(mode="429", after=8, retry_after="3")
    with faulty_emulator(plan) as url:

        def interrupt_when_slowed() -> None:
            # fire once the run is waiting on Retry-After (deterministic, not a race)
            for _ in range(200):
                if plan.faulted:
                    os.kill(os.getpid(), signal.SIGINT)
                    return
                threading.Event().wait(0.05)

        timer = threading.Thread(target=interrupt_when_slowed, daemon=True)
        timer.start()
        code = main(
            [
                "run",
                "--target",
                url,
                "--deployment",
                "gpt-4o-mini",
                "--api-key",
                "emulator-key-0000",
                "--surface",
                "dated",
                "--no-schemathesis",
                "--report",
                f"json:{report}",
            ]
        )
        timer.join(5)
    assert code == 130
    data = json.loads(report.read_text())
    assert data["interrupted"] is True
    assert 0 < len(data["findings"]) < 40
    assert all(f["outcome"] != "failed" for f in data["findings"])


@requires_mirror
@pytest.mark.slow
@pytest.mark.usefixtures("default_sigint")
def test_ctrl_c_while_probing_still_writes_a_report(tmp_path: Path) -> None:
    """SIGINT while surfaces are being detected (before any clause): exit 130, a report."""
    from tests.resilience.faultserver import blackhole_server

    report = tmp_path / "early.json"
    with blackhole_server() as url:
        timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        try:
            code = main(
                [
                    "run",
                    "--target",
                    url,
                    "--deployment",
                    "gpt-4o-mini",
                    "--api-key",
                    "emulator-key-0000",
                    "--timeout",
                    "5",
                    "--report",
                    f"json:{report}",
                ]
            )
        finally:
            timer.cancel()
    assert code == 130
    data = json.loads(report.read_text())
    assert data["interrupted"] is True and data["findings"] == []
    assert any("interrupted before the first clause" in n for n in data["notes"])
