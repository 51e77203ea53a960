"""Each fault breaks exactly its own clause; the default emulator keeps every clause."""

from __future__ import annotations

import pytest

from conformance.emulator import DEFAULT_JWT_SECRET, FAULTS, EmulatorConfig
from tests.emulator.clauses import CLAUSE_PROBES, evaluate
from tests.emulator.conftest import client_for


def _run(faults: tuple[str, ...]) -> dict[str, bool]:
    client = client_for(EmulatorConfig(faults=faults))
    try:
        verdicts = evaluate(client, DEFAULT_JWT_SECRET)
        assert client.app.state.emulator.internal_errors == 0  # type: ignore[attr-defined]
        return verdicts
    finally:
        client.close()


def test_default_emulator_keeps_every_clause() -> None:
    verdicts = _run(())
    assert [c for c, ok in verdicts.items() if not ok] == []
    assert set(CLAUSE_PROBES) == {f.clause for f in FAULTS.values()}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_breaks_exactly_its_clause(name: str) -> None:
    verdicts = _run((name,))
    broken = sorted(c for c, ok in verdicts.items() if not ok)
    assert broken == [FAULTS[name].clause]
