"""Profiles, budget, model awareness, unserved versions, infrastructure and redaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.emulator import DEFAULT_API_KEY
from conformance.http.redact import curl_command, redact_text
from conformance.model import Finding, Outcome, RunResult
from conformance.run.options import RunOptions, TargetOptions
from conformance.run.runner import run_suite
from tests.suite.helpers import Answer, Seen, ids, mutating, run_emulator
from tests.support import requires_mirror

DEVIATIONS = {"APIVER-001", "APIVER-002", "AUTH-004"}


@requires_mirror
def test_seed_003_profile_conforms_with_its_documented_deviations() -> None:
    result = run_emulator(profile="seed-003")
    assert result.exit_code() == 0, [
        (f.clause_id, f.reason) for f in result.findings if f.outcome is Outcome.FAILED
    ]
    assert result.surfaces == ["dated"]
    skipped = {f.clause_id: f.reason for f in result.findings if f.outcome is Outcome.SKIPPED}
    assert DEVIATIONS <= set(skipped)
    assert all("seed-003-gateway" in skipped[c] for c in DEVIATIONS)
    assert "PROFILE-001" in ids(result, Outcome.PASSED)


@requires_mirror
def test_seed_003_profile_still_reports_undocumented_divergences() -> None:
    result = run_emulator(profile="seed-003", faults=("stream-no-role",))
    assert ids(result, Outcome.FAILED) == {"STREAM-004"}
    # a documented deviation stays skipped even when the emulator shows it
    result = run_emulator(profile="seed-003", faults=("missing-key-accepted",))
    assert ids(result, Outcome.FAILED) == {"AUTH-001"}


@requires_mirror
def test_profile_401_text_is_checked() -> None:
    def other_text(seen: Seen, answer: Answer) -> None:
        if answer.status == 401:
            answer.set_json({"error": {"code": "Unauthorized", "message": "Go away"}})

    result = run_emulator(
        profile="seed-003", select=("PROFILE-001",), wrap_app=mutating(other_text)
    )
    assert ids(result, Outcome.FAILED) == {"PROFILE-001"}


@requires_mirror
def test_request_budget_makes_the_rest_inconclusive() -> None:
    result = run_emulator(max_requests=10)
    assert result.spend.requests == 10
    budget = [f for f in result.findings if "budget exhausted" in f.reason]
    assert budget and all(f.outcome is Outcome.INCONCLUSIVE for f in budget)
    assert result.exit_code() == 3


@requires_mirror
def test_token_budget_is_enforced() -> None:
    result = run_emulator(max_tokens_total=100)
    assert result.spend.total_tokens < 100 + 60  # the request that crossed the line finishes
    assert any("token budget exhausted" in f.reason for f in result.findings)
    assert result.exit_code() == 3


@requires_mirror
def test_reasoning_deployment_is_adapted_to_not_reported() -> None:
    result = run_emulator(deployment="gpt-5.1-mini")
    assert any("max_completion_tokens" in note for note in result.notes)
    assert ids(result, Outcome.FAILED) == set(), [
        (f.surface, f.clause_id, f.reason) for f in result.findings if f.outcome is Outcome.FAILED
    ]


def _refuse_version(version: str):  # type: ignore[no-untyped-def]
    def mutate(seen: Seen, answer: Answer) -> None:
        if f"api-version={version}" in seen.query:
            answer.status = 404
            answer.set_json({"error": {"code": "404", "message": "Resource not found"}})

    return mutating(mutate)


@requires_mirror
def test_default_api_version_not_served_is_skipped_not_failed() -> None:
    result = run_emulator(surface="dated", wrap_app=_refuse_version("2024-10-21"))
    assert result.exit_code() == 0
    assert ids(result, Outcome.FAILED) == set()
    assert any("not served" in f.reason for f in result.findings if f.outcome is Outcome.SKIPPED)


@requires_mirror
def test_explicit_api_version_not_served_is_a_divergence() -> None:
    result = run_emulator(
        surface="dated", api_version="2024-10-21", wrap_app=_refuse_version("2024-10-21")
    )
    assert result.exit_code() == 1
    assert "RESP-001" in ids(result, Outcome.FAILED) or "STREAM-001" in ids(
        result, Outcome.INCONCLUSIVE
    )


@requires_mirror
def test_server_errors_are_inconclusive_never_pass_or_fail() -> None:
    def outage(seen: Seen, answer: Answer) -> None:
        if seen.path.endswith("/chat/completions") and answer.status == 200:
            answer.status = 503
            answer.set_json({"error": {"code": "ServiceUnavailable", "message": "busy"}})

    result = run_emulator(surface="dated", select=("RESP-*", "STREAM-*"), wrap_app=mutating(outage))
    assert {f.outcome for f in result.findings} == {Outcome.INCONCLUSIVE}
    assert result.exit_code() == 3


@requires_mirror
def test_retry_after_is_respected_once() -> None:
    state = {"limited": False}

    def once(seen: Seen, answer: Answer) -> None:
        if not state["limited"] and answer.status == 200:
            state["limited"] = True
            answer.status = 429
            answer.headers["retry-after"] = "0"
            answer.set_json({"error": {"code": "429", "message": "slow down"}})

    result = run_emulator(surface="dated", select=("RESP-001",), wrap_app=mutating(once))
    assert ids(result, Outcome.PASSED) == {"RESP-001"}
    assert result.spend.requests == 2


def test_curl_reproduction_redacts_secrets() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl"
    command = curl_command(
        "POST",
        "http://h/openai/v1/chat/completions?key=sekret-value-1",
        {"api-key": "sekret-value-1", "Authorization": f"Bearer {token}", "x-other": "keep"},
        {"messages": [{"role": "user", "content": "my key is sekret-value-1"}]},
        secrets=["sekret-value-1"],
    )
    assert "sekret-value-1" not in command and token not in command
    assert "'api-key: ***'" in command and "'Authorization: Bearer ***'" in command
    assert "x-other: keep" in command
    assert redact_text("bearer tokens are documented") == "bearer tokens are documented"


@requires_mirror
def test_no_secret_reaches_any_finding() -> None:
    result = run_emulator(faults=("key-echoed-in-401",))
    text = json.dumps([f.to_json() for f in result.findings])
    assert DEFAULT_API_KEY not in text
    assert "***" in text


@requires_mirror
def test_ctrl_c_returns_the_partial_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class StopAfterFive:
        seen = 0

        def start(self, total: int) -> None:
            self.total = total

        def advance(self, finding: Finding) -> None:
            self.seen += 1
            if self.seen == 5:
                raise KeyboardInterrupt

        def finish(self, result: RunResult) -> None:
            pass

    options = RunOptions(target=TargetOptions(env={}), schemathesis=False)
    result = run_suite(options, StopAfterFive())
    assert result.interrupted and len(result.findings) == 5
    assert result.exit_code() == 3

    # the CLI writes the partial report and exits 130
    for name in ("AZURE_OPENAI_ENDPOINT", "OPENAI_BASE_URL", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    from conformance.reports import console

    monkeypatch.setattr(console, "ConsoleReporter", lambda **kw: StopAfterFive())
    report = tmp_path / "partial.json"
    assert main(["run", "--no-schemathesis", "--report", f"json:{report}"]) == 130
    data = json.loads(report.read_text())
    assert data["interrupted"] is True and len(data["findings"]) == 5


def test_profile_files_are_validated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "gw.json"
    bad.write_text('{"id": "gw", "source": "x", "surfaces": ["graphql"]}')
    assert main(["run", "--profile", str(bad)]) == 2
    assert "surfaces must be a non-empty subset" in capsys.readouterr().err
    bad.write_text("{not json")
    assert main(["run", "--profile", str(bad)]) == 2
    assert "is not readable JSON" in capsys.readouterr().err


@requires_mirror
def test_profile_by_path_works_like_by_name(tmp_path: Path) -> None:
    from conformance.run.profiles import PROFILES_DIR

    result = run_emulator(profile=str(PROFILES_DIR / "seed-003-gateway.json"))
    assert result.exit_code() == 0 and result.surfaces == ["dated"]


@requires_mirror
def test_schema_clauses_are_selectable_and_run_only_the_phase() -> None:
    from conformance.run.options import RunOptions, TargetOptions
    from conformance.run.runner import run_suite

    options = RunOptions(
        target=TargetOptions(env={}, surface="dated"),
        select=("SCHEMA-00[12]",),
        schemathesis=True,
    )
    result = run_suite(options)
    assert [f.clause_id for f in result.findings] == ["SCHEMA-001", "SCHEMA-002"]
    assert ids(result, Outcome.PASSED) == {"SCHEMA-001", "SCHEMA-002"}


@requires_mirror
def test_schema_clauses_are_skipped_on_a_surface_that_is_not_served() -> None:
    from conformance.run.options import RunOptions, TargetOptions
    from conformance.run.runner import run_suite

    options = RunOptions(
        target=TargetOptions(env={}, surface="dated", wrap_app=_refuse_version("2024-10-21")),
        select=("SCHEMA-*",),
        schemathesis=True,
    )
    result = run_suite(options)
    assert len(result.findings) == 6
    assert all(
        f.outcome is Outcome.SKIPPED and f.reason.startswith("not served") for f in result.findings
    )
    assert result.spend.requests == 1  # the probe that found the version refused
