"""Several deployments in one run: per-deployment clauses for each, target clauses once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.checks import REGISTRY
from conformance.checks.scope import DEPLOYMENT, TARGET, scope_of
from conformance.cli import main
from conformance.http.budget import Budget, BudgetExhausted
from conformance.model import Outcome
from conformance.run.deployments import ShareBudget
from conformance.run.options import RunOptions, TargetOptions
from conformance.run.runner import run_suite
from tests.support import requires_mirror

TWO = ("gpt-4o-mini", "gpt-5.1-mini")


def _run(deployments: tuple[str, ...], **target: object):  # type: ignore[no-untyped-def]
    options = RunOptions(
        target=TargetOptions(env={}, surface="dated", deployment=deployments[0], **target),  # type: ignore[arg-type]
        schemathesis=False,
        deployments=deployments,
    )
    return run_suite(options)


def test_every_clause_has_an_explicit_scope() -> None:
    missing = [c.id for c in REGISTRY if scope_of(c.id) is None]
    assert missing == [], f"add these clauses to conformance/checks/scope.py: {missing}"
    assert scope_of("RESP-001") == DEPLOYMENT and scope_of("AUTH-001") == TARGET
    assert scope_of("BOUND-001") == TARGET


@requires_mirror
def test_per_deployment_clauses_run_for_each_target_clauses_once() -> None:
    result = _run(TWO)
    by_clause: dict[str, list[str]] = {}
    for finding in result.findings:
        by_clause.setdefault(finding.clause_id, []).append(finding.deployment)
    for clause_id, labels in by_clause.items():
        if clause_id == "SRV-001":  # also once for the target clauses' requests
            assert sorted(labels) == sorted(("", *TWO))
        elif scope_of(clause_id) == DEPLOYMENT:
            assert sorted(labels) == sorted(TWO), clause_id
        else:
            assert labels == [""], clause_id
    assert "RESP-001" in by_clause and "AUTH-001" in by_clause
    # the reasoning deployment is probed on its own and switched to max_completion_tokens
    assert any("'gpt-5.1-mini' rejects max_tokens" in n for n in result.notes)
    assert not any("'gpt-4o-mini' rejects" in n for n in result.notes)
    passed = {(f.clause_id, f.deployment) for f in result.findings if f.outcome is Outcome.PASSED}
    assert {("RESP-001", d) for d in TWO} <= passed


@requires_mirror
def test_a_deployment_fault_fails_for_every_deployment() -> None:
    result = _run(TWO, faults=("no-done",))
    failed = {(f.clause_id, f.deployment) for f in result.findings if f.outcome is Outcome.FAILED}
    assert failed == {("STREAM-007", d) for d in TWO}


@requires_mirror
def test_the_budget_is_split_fairly_between_deployments() -> None:
    """With a small budget the first deployment cannot starve the second: each spends at
    most its share of what the target-wide clauses left, and both get clauses decided."""
    # the target clauses take about 24 requests; 8 are left for the two deployments
    result = _run(TWO, max_requests=32)
    assert result.spend.requests <= 32
    decided = {
        d: sum(1 for f in result.findings if f.deployment == d and f.outcome is Outcome.PASSED)
        for d in TWO
    }
    assert all(n > 0 for n in decided.values()), decided
    share = [f for f in result.findings if "spent its share of the request budget" in f.reason]
    # the first deployment stopped at its share, leaving the second its own (which it may
    # spend in full too: the target-wide clauses' cost moves with the catalog)
    assert share and TWO[0] in {f.deployment for f in share}


def test_a_share_caps_its_deployment_and_counts_into_the_run() -> None:
    run = Budget(max_requests=10)
    run.spend.requests = 4
    share = ShareBudget(parent=run, name="d1", share_requests=3)
    for _ in range(3):
        share.check()
        share.spend.requests += 1
    assert run.spend.requests == 7  # the run's spend is the share's
    with pytest.raises(BudgetExhausted, match=r"'d1' spent its share .*\(3 requests"):
        share.check()
    other = ShareBudget(parent=run, name="d2", share_requests=5)
    other.check()
    run.spend.requests = 10
    with pytest.raises(BudgetExhausted, match="request budget exhausted"):
        other.check()  # the run's own limit still holds


@requires_mirror
def test_cli_repeatable_deployment_groups_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.json"
    md = tmp_path / "r.md"
    argv = [
        "run",
        "--surface",
        "dated",
        "--no-schemathesis",
        "--select",
        "RESP-001,RESP-002,AUTH-001",
    ]
    argv += ["--deployment", TWO[0], "--deployment", TWO[1], f"--report=json:{out}"]
    assert main([*argv, f"--report=markdown:{md}"]) == 0
    report = json.loads(out.read_text())
    labels = {(f["clause_id"], f.get("deployment")) for f in report["findings"]}
    assert ("AUTH-001", None) in labels and ("RESP-001", TWO[1]) in labels
    text = md.read_text()
    assert "| Deployment | Failed | Inconclusive | Skipped | Passed |" in text
    assert "| gpt-5.1-mini | 0 | 0 | 0 | 2 |" in text  # RESP-001, RESP-002
    assert "| target-wide | 0 | 0 | 0 | 1 |" in text  # AUTH-001
    assert main(["run", "--deployment", "a", "--deployment", "a"]) == 2
    assert "names a deployment twice" in capsys.readouterr().err
