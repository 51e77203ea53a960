"""Boundary clauses: generated from the specs, committed, selectable, cheap by default."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.checks import REGISTRY
from conformance.checks.boundary import CASES
from conformance.model import Outcome
from generator import boundary
from tests.suite.helpers import ids, run_emulator
from tests.support import requires_mirror

CATALOG = Path(__file__).parents[2] / "conformance" / "checks" / "boundary_cases.json"


@requires_mirror
def test_committed_cases_match_a_fresh_walk_of_every_registered_spec() -> None:
    committed = CATALOG.read_text(encoding="utf-8")
    assert committed == boundary.render(json.loads(committed)), (
        "stale: python -m generator.boundary --write conformance/checks/boundary_cases.json"
    )


def test_each_case_is_a_cited_clause_with_its_spec_paths() -> None:
    for clause_id, item in CASES.items():
        check = REGISTRY.get(clause_id)
        pointers = {v["pointer"] for v in item["specs"].values()}
        assert {c.section for c in check.clause.citations} == pointers
        assert all(p.startswith("#/components/schemas/") for p in pointers)
    kinds = {item["kind"] for item in CASES.values()}
    assert {"maximum", "minimum", "minItems", "required", "enum", "type"} <= kinds


@requires_mirror
def test_walk_finds_the_declared_temperature_limit_and_verifies_cases() -> None:
    cases = boundary.cases_for("azure-openai-2024-10-21", "dated")
    temperature = {c["kind"]: c for c in cases if c["field"] == "temperature"}
    assert temperature["maximum"]["limit"] == 2 and temperature["maximum"]["value"] > 2
    assert temperature["maximum"]["pointer"].endswith("/properties/temperature/maximum")
    # model is required on v1 only
    assert any(
        c["field"] == "model" and c["kind"] == "required"
        for c in boundary.cases_for("azure-openai-v1", "v1")
    )


@requires_mirror
def test_modes_and_the_count_in_the_report() -> None:
    from conformance.run.options import RunOptions, TargetOptions
    from conformance.run.runner import run_suite

    def run(mode: str) -> tuple[set[str], list[str], int]:
        result = run_suite(
            RunOptions(
                target=TargetOptions(env={}, max_requests=400),
                select=("BOUND-*",),
                schemathesis=False,
                boundary=mode,
            )
        )
        assert ids(result, Outcome.FAILED) == set()
        return ids(result, Outcome.PASSED), result.notes, result.spend.requests

    everything, notes, requests = run("all")
    assert everything == set(CASES)
    assert any(f"boundary: {requests - 3} boundary cases sent" in n for n in notes)
    none, notes, _ = run("none")
    assert none == set() and not any(n.startswith("boundary:") for n in notes)
    # a default run sends the sample only, and says how many
    result = run_emulator()
    sampled = {c for c, item in CASES.items() if item["sample"]}
    assert {f.clause_id for f in result.findings if f.clause_id.startswith("BOUND-")} == sampled
    assert any(n.startswith("boundary: ") for n in result.notes)
    assert result.spend.requests <= 150


def test_catalog_is_json_with_a_regenerate_hint() -> None:
    data = json.loads(CATALOG.read_text(encoding="utf-8"))
    assert "generator.boundary --write" in data["$comment"]
