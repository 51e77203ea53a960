"""The bar: the emulator conforms, and every single-clause fault fails exactly its clause."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import conformance.emulator as emulator_pkg
from conformance.emulator import FAULTS, Fault
from conformance.model import Outcome
from conformance.reports import render_report
from conformance.run.runner import schemathesis_available
from tests.suite.helpers import ids, run_emulator
from tests.support import requires_mirror

pytestmark = requires_mirror

_EMULATOR_SOURCES = "\n".join(
    p.read_text(encoding="utf-8")
    for p in Path(emulator_pkg.__file__).parent.glob("*.py")
    if p.name != "faults.py"
)


def _implemented(fault: str) -> bool:
    """Does the emulator have code for ``fault`` beyond its entry in the fault table?

    The emulator checks a fault as ``config.has(Fault.MEMBER)``: look for the member.
    """
    return f"Fault.{Fault(fault).name}" in _EMULATOR_SOURCES


def test_clean_run_conforms() -> None:
    result = run_emulator()
    assert result.exit_code() == 0, [
        (f.surface, f.clause_id, f.reason)
        for f in result.findings
        if f.outcome is not Outcome.PASSED
    ]
    assert ids(result, Outcome.FAILED) == set()
    assert ids(result, Outcome.INCONCLUSIVE) == set()
    assert result.surfaces == ["dated", "v1", "foundry"]
    # the bar: at most 150 requests per target against the emulator
    assert 0 < result.spend.requests <= 150
    assert result.spend.prompt_tokens > 0 and result.spend.completion_tokens > 0


def test_every_contract_clause_has_a_fault_and_a_check() -> None:
    from conformance.checks import REGISTRY

    assert {f.clause for f in FAULTS.values()} <= set(REGISTRY.ids())


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_fails_exactly_its_clause(fault: str) -> None:
    if not _implemented(fault):
        pytest.skip(f"the emulator has no code for fault {fault!r} yet (only its table entry)")
    clause = FAULTS[fault].clause
    result = run_emulator(faults=(fault,))
    assert result.exit_code() == 1
    assert ids(result, Outcome.FAILED) == {clause}, [
        (f.surface, f.clause_id, f.reason) for f in result.findings if f.outcome is Outcome.FAILED
    ]
    report = json.loads(render_report(result, "json"))
    failed = {f["clause_id"] for f in report["findings"] if f["outcome"] == "failed"}
    assert failed == {clause}
    finding = next(f for f in report["findings"] if f["outcome"] == "failed")
    assert finding["source"] and finding["expected"] and finding["observed"]
    assert finding["reproduction"].startswith("curl ")


@pytest.mark.skipif(
    not schemathesis_available(), reason="conformance.phases.schemathesis (issue 5 part B) missing"
)
@pytest.mark.parametrize("fault", [None, "wrong-object", "stream-no-role"])
def test_default_run_with_schemathesis_phase(fault: str | None) -> None:
    from conformance.run.options import RunOptions, TargetOptions
    from conformance.run.runner import run_suite

    faults = (fault,) if fault else ()
    result = run_suite(RunOptions(target=TargetOptions(env={}, faults=faults)))
    expected = {FAULTS[fault].clause} if fault else set()
    assert ids(result, Outcome.FAILED) == expected, [
        (f.surface, f.clause_id, f.reason) for f in result.findings if f.outcome is Outcome.FAILED
    ]
    assert result.spend.requests <= 150
