"""The schemathesis phase against the emulator: quiet on a conforming server, loud on breaks.

Generation is deterministic and cached per process, so only the first test per surface
pays for it (~1-3 s); the rest only send requests in process.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app
from conformance.emulator.server import serve
from conformance.http.budget import Budget
from conformance.http.client import HttpClient
from conformance.http.secrets import Secrets
from conformance.model import Outcome
from conformance.phases.schemathesis import SCHEMA_CLAUSES, TOKEN_CAP, run_schemathesis_phase
from conformance.run.context import RunContext
from tests.schemathesis_phase.conftest import (
    Recorder,
    api_version,
    json_body,
    make_ctx,
    spec_ids,
)

SURFACES = ("dated", "v1", "foundry")


def _outcomes(findings: list[Any]) -> dict[str, str]:
    return {f.clause_id: f.outcome.value for f in findings}


def _failed(findings: list[Any]) -> dict[str, Any]:
    return {f.clause_id: f for f in findings if f.outcome is Outcome.FAILED}


@pytest.mark.parametrize("surface", SURFACES)
def test_conforming_emulator_reports_nothing(surface: str, recorder: Recorder) -> None:
    ctx = make_ctx(recorder, surface)
    findings = run_schemathesis_phase(ctx)
    assert [f.clause_id for f in findings] == list(SCHEMA_CLAUSES)
    expected = {cid: "passed" for cid in SCHEMA_CLAUSES}
    # the specs document only optional string headers: nothing SCHEMA-006 could fail on
    expected["SCHEMA-006"] = "skipped"
    assert _outcomes(findings) == expected, [(f.clause_id, f.reason) for f in findings]
    # every request was counted into the run's budget, and the phase stayed small
    assert ctx.http.budget.spend.requests == len(recorder.requests)
    assert 4 <= len(recorder.requests) <= 16
    # real responses were validated: some requests were accepted (200) and answered
    assert ctx.http.budget.spend.completion_tokens > 0 or surface == "v1"


@pytest.mark.parametrize("surface", SURFACES)
def test_requests_are_live_safe(surface: str, recorder: Recorder) -> None:
    run_schemathesis_phase(make_ctx(recorder, surface))
    assert recorder.requests
    for record in recorder.requests:
        # the run's credentials, never a generated one
        assert record["headers"].get("api-key") == DEFAULT_API_KEY
        assert "authorization" not in record["headers"]
        body = json_body(record)
        if not isinstance(body, dict):
            continue
        assert body.get("stream") in (None, False)
        assert "store" not in body or body["store"] is False
        for key in ("max_tokens", "max_completion_tokens", "max_output_tokens"):
            value = body.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                assert value <= TOKEN_CAP, (key, value)
        n = body.get("n")
        if isinstance(n, int) and not isinstance(n, bool):
            assert n <= 1
        if record["path"].endswith("/chat/completions") and isinstance(body.get("messages"), list):
            # a positive chat request always carries the clamp
            assert "max_tokens" in body or "max_completion_tokens" in body
        if record["path"].endswith("/responses"):
            assert body.get("store") is False and "tools" not in body
            assert "background" not in body


@pytest.mark.parametrize("fault", ["wrong-object", "finish-reason-invalid"])
def test_schema_break_owned_by_a_catalog_clause_is_seen_but_left_to_it(fault: str) -> None:
    """One divergence, one finding: the catalog clause (RESP-00x) reports it, not SCHEMA-001."""
    app = create_app(EmulatorConfig(faults=(fault,)))
    findings = run_schemathesis_phase(make_ctx(app, "v1"))
    schema = next(f for f in findings if f.clause_id == "SCHEMA-001")
    owner = {"wrong-object": "RESP-001", "finish-reason-invalid": "RESP-002"}[fault]
    assert schema.outcome is Outcome.PASSED
    assert f"violations owned by catalog clauses were left to them: {owner} (" in schema.reason
    assert not _failed(findings)


def _break_created(
    record: dict[str, Any], status: int, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    """A gateway that rewrites `created` (a unix timestamp) as an ISO string."""
    if status == 200 and record["path"].endswith("/chat/completions"):
        data = json.loads(body)
        data["created"] = "2026-11-22T00:00:00Z"
        body = json.dumps(data).encode()
    return status, headers, body


@pytest.mark.parametrize("surface", SURFACES)
def test_response_schema_break_is_schema_001(surface: str, emulator_app: Any) -> None:
    findings = run_schemathesis_phase(make_ctx(Recorder(emulator_app, _break_created), surface))
    failed = _failed(findings)
    assert set(failed) == {"SCHEMA-001"}, [(f.clause_id, f.reason) for f in findings]
    finding = failed["SCHEMA-001"]
    assert finding.where == "/created"
    assert finding.observed == '"2026-11-22T00:00:00Z"'
    assert '"type": "integer"' in finding.expected
    assert finding.reproduction.startswith("curl -sS -X POST ")
    assert "api-key: ***" in finding.reproduction and DEFAULT_API_KEY not in finding.reproduction
    assert finding.source.endswith("/chat/completions responses")
    assert finding.severity == "must" and finding.surface == surface


def _created_201(
    record: dict[str, Any], status: int, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    return (201 if status == 200 else status), headers, body


def test_undocumented_success_status_is_schema_002(emulator_app: Any) -> None:
    failed = _failed(
        run_schemathesis_phase(make_ctx(Recorder(emulator_app, _created_201), "dated"))
    )
    assert set(failed) == {"SCHEMA-002"}
    assert failed["SCHEMA-002"].observed == "201"
    assert failed["SCHEMA-002"].expected == "one of 200, default"


def _errors_as_text(
    record: dict[str, Any], status: int, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    if status >= 400:
        headers["content-type"] = "text/plain; charset=utf-8"
        body = b"Bad request"
    return status, headers, body


def test_undocumented_content_type_is_schema_003(emulator_app: Any) -> None:
    failed = _failed(
        run_schemathesis_phase(make_ctx(Recorder(emulator_app, _errors_as_text), "foundry"))
    )
    assert "SCHEMA-003" in failed
    assert failed["SCHEMA-003"].where == "header:content-type"
    assert failed["SCHEMA-003"].observed.startswith("text/plain")


def test_accepting_invalid_requests_is_schema_004(emulator_app: Any) -> None:
    """A gateway that answers every rejected request with a (valid) completion."""
    from starlette.testclient import TestClient

    with TestClient(emulator_app) as client:
        good = client.post(
            "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
            headers={"api-key": DEFAULT_API_KEY},
            json={"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4},
        )
    assert good.status_code == 200

    def swallow_errors(
        record: dict[str, Any], status: int, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if 400 <= status < 500:
            return 200, {"content-type": "application/json"}, good.content
        return status, headers, body

    failed = _failed(
        run_schemathesis_phase(make_ctx(Recorder(emulator_app, swallow_errors), "dated"))
    )
    assert set(failed) == {"SCHEMA-004"}, [(f.clause_id, f.reason) for f in failed.values()]
    # the violation the independent validator confirmed is named with the expectation
    assert failed["SCHEMA-004"].expected.startswith("a 4xx rejection of schema-invalid input (")
    assert failed["SCHEMA-004"].observed == "200"


def _errors_as_500(
    record: dict[str, Any], status: int, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    return (500 if status == 400 else status), headers, body


def test_server_error_is_schema_005(emulator_app: Any) -> None:
    failed = _failed(run_schemathesis_phase(make_ctx(Recorder(emulator_app, _errors_as_500), "v1")))
    assert "SCHEMA-005" in failed
    assert failed["SCHEMA-005"].observed == "500"


@pytest.fixture
def spec_with_required_header() -> Iterator[str]:
    """The dated spec, but apim-request-id required on 200 (as a stricter spec might say)."""
    import conformance.phases.schemathesis.plan as phase
    from generator.spec import load_spec

    spec_id = spec_ids("dated")["dated"]
    document = load_spec(spec_id).copy_document()
    path = document["paths"]["/deployments/{deployment-id}/chat/completions"]["post"]
    path["responses"]["200"]["headers"]["apim-request-id"]["required"] = True
    name = "test-dated-required-header"
    phase._SCHEMAS[name] = phase.build_schema(document)
    yield name
    del phase._SCHEMAS[name]


def _strip_request_id(
    record: dict[str, Any], status: int, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    headers.pop("apim-request-id", None)
    return status, headers, body


def test_missing_required_header_is_schema_006(
    emulator_app: Any, spec_with_required_header: str
) -> None:
    ctx = make_ctx(emulator_app, "dated")
    ctx.spec_ids = {"dated": spec_with_required_header}
    assert _outcomes(run_schemathesis_phase(ctx))["SCHEMA-006"] == "passed"
    ctx = make_ctx(Recorder(emulator_app, _strip_request_id), "dated")
    ctx.spec_ids = {"dated": spec_with_required_header}
    failed = _failed(run_schemathesis_phase(ctx))
    assert set(failed) == {"SCHEMA-006"}
    assert failed["SCHEMA-006"].where == "header:apim-request-id"


def _gateway_down(
    record: dict[str, Any], status: int, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    return 503, {"content-type": "text/plain"}, b"upstream unavailable"


def test_gateway_outage_is_inconclusive_never_pass_or_fail(emulator_app: Any) -> None:
    findings = run_schemathesis_phase(make_ctx(Recorder(emulator_app, _gateway_down), "dated"))
    decidable = [f for f in findings if f.clause_id != "SCHEMA-006"]  # skipped: see above
    assert {f.outcome for f in decidable} == {Outcome.INCONCLUSIVE}
    assert "503" in findings[0].reason


def test_budget_is_respected(recorder: Recorder) -> None:
    ctx = make_ctx(recorder, "v1", max_requests=3)
    findings = run_schemathesis_phase(ctx)
    assert ctx.http.budget.spend.requests == 3 == len(recorder.requests)
    reasons = " ".join(f.reason for f in findings)
    assert "request budget exhausted" in reasons
    assert Outcome.FAILED not in {f.outcome for f in findings}


def test_no_spec_for_surface_is_skipped(recorder: Recorder) -> None:
    ctx = make_ctx(recorder, "dated")
    ctx.spec_ids = {}
    findings = run_schemathesis_phase(ctx)
    assert {f.outcome for f in findings} == {Outcome.SKIPPED}
    assert not recorder.requests


def test_real_sockets_under_uvicorn() -> None:
    app = create_app(EmulatorConfig())
    with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=10) as client:
        http = HttpClient(
            base_url=base_url,
            client=client,
            budget=Budget(max_requests=50),
            auth_headers={"api-key": DEFAULT_API_KEY},
            secrets=Secrets([DEFAULT_API_KEY]),
        )
        ctx = RunContext(
            http=http,
            surface="v1",
            deployment="gpt-4o-mini",
            api_version=api_version("v1"),
            spec_ids=spec_ids("v1"),
        )
        findings = run_schemathesis_phase(ctx)
    assert _outcomes(findings) == {
        **{cid: "passed" for cid in SCHEMA_CLAUSES},
        "SCHEMA-006": "skipped",
    }
    assert ctx.http.budget.spend.requests > 0 and ctx.http.budget.spend.total_tokens > 0
    assert {f.target for f in findings} == {base_url}


def test_a_request_that_cannot_be_sent_decides_nothing_and_crashes_nothing(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import conformance.phases.schemathesis.phase as phase

    real = phase.send
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise UnicodeEncodeError("ascii", "é", 0, 1, "header values are latin-1")
        return real(*args, **kwargs)

    monkeypatch.setattr(phase, "send", flaky)
    findings = run_schemathesis_phase(make_ctx(recorder, "dated"))
    schema = next(f for f in findings if f.clause_id == "SCHEMA-001")
    assert schema.outcome is Outcome.PASSED
    assert "1 more decided nothing: a generated request could not be sent: UnicodeEncodeError" in (
        schema.reason
    )
