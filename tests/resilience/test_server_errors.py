"""A 500 is an answer (issue 11): judged by the clause that asked, never an outage.

- a gateway that answers 500 where the backend documents 404 fails the ROUTE/APIVER
  clauses (exit 1), and the circuit breaker stays closed;
- a valid chat request answered 500 on every attempt is one SRV-001 finding per
  operation; the clauses that needed the completion are inconclusive and name SRV-001;
- connections: after a 500 the connection is not reused, and a reset on a reused
  keep-alive connection is sent again once on a fresh one.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from conformance.http.budget import Budget
from conformance.http.client import HttpClient, ServerErrorAnswer
from conformance.http.policy import RetryPolicy, TransportPolicy
from conformance.run.context import RunContext
from tests.resilience.faultserver import FaultPlan, KeepAliveLog, faulty_emulator, keepalive_server
from tests.resilience.helpers import run_cli
from tests.support import requires_mirror

pytestmark = [pytest.mark.slow]


def _findings(report: dict, outcome: str, clause: str) -> list[dict]:
    return [f for f in report["findings"] if f["outcome"] == outcome and f["clause_id"] == clause]


@requires_mirror
def test_500_where_404_is_documented_fails_the_route_clauses(tmp_path: Path) -> None:
    plan = FaultPlan(mode="404-as-500")
    with faulty_emulator(plan) as url:
        run = run_cli(url, tmp_path)
    assert run.code == 1, run.report["notes"]
    failed = run.ids("failed")
    # every clause whose documented answer is a 404 (seed 000 §Checklist to resolve the 404)
    assert {"ROUTE-001", "ROUTE-002", "ROUTE-003", "APIVER-001", "APIVER-002"} <= failed
    reason = _findings(run.report, "failed", "ROUTE-003")[0]["reason"]
    assert "answered 500 where the contract documents 404" in reason
    assert _findings(run.report, "failed", "ROUTE-003")[0]["reproduction"].startswith("curl ")
    # the gateway answered: nothing is inconclusive, the breaker never opened
    assert run.count("inconclusive") == 0, run.ids("inconclusive")
    assert not any("stopped contacting" in n for n in run.report["notes"])
    assert run.count("passed") >= 20
    assert failed <= {"ROUTE-001", "ROUTE-002", "ROUTE-003", "APIVER-001", "APIVER-002"}


@requires_mirror
def test_valid_request_answered_500_is_one_srv_finding(tmp_path: Path) -> None:
    plan = FaultPlan(mode="chat-500")
    with faulty_emulator(plan) as url:
        run = run_cli(url, tmp_path)
    assert run.code == 1
    srv = _findings(run.report, "failed", "SRV-001")
    assert len(srv) == 1, srv  # one operation failed: POST .../chat/completions
    assert "POST /openai/deployments/gpt-4o-mini/chat/completions" in srv[0]["reason"]
    assert srv[0]["observed"].startswith("500")
    # the clauses that needed a completion say why they could not decide
    needing = _findings(run.report, "inconclusive", "RESP-001")
    assert needing and "SRV-001" in needing[0]["reason"]
    # the target is alive: no breaker, and the error clauses still decided
    assert not any("stopped contacting" in n for n in run.report["notes"])
    assert {"AUTH-001", "AUTH-002", "ROUTE-002"} <= run.ids("passed")
    assert run.ids("failed") == {"SRV-001"}


def _context(url: str, transport: TransportPolicy) -> RunContext:
    client = httpx.Client(timeout=5)
    http = HttpClient(
        base_url=url,
        client=client,
        budget=Budget(max_requests=20),
        transport=transport,
        sleep=lambda _s: None,
    )
    return RunContext(http=http, surface="v1", deployment="gpt-4o-mini")


@pytest.mark.parametrize("close_after_500", [True, False], ids=["closed", "kept-open"])
def test_no_connection_is_reused_after_a_500(close_after_500: bool) -> None:
    log = KeepAliveLog()
    transport = TransportPolicy(retry=RetryPolicy(attempts=2, random=lambda: 0.0))
    with keepalive_server(
        log, fail_path="/fail", reset_reused=False, close_after_500=close_after_500
    ) as url:
        ctx = _context(url, transport)
        try:
            assert ctx.send("GET", "/ok", params={}).status == 200
            assert ctx.send("GET", "/ok", params={}).status == 200
            with pytest.raises(ServerErrorAnswer):
                ctx.send("GET", "/fail", params={})  # 500, retried once: two answers
            assert ctx.send("GET", "/ok", params={}).status == 200
        finally:
            ctx.http.client.close()
    # keep-alive served the first three requests on one connection; after each 500 the
    # request came on a new connection, whether or not the server closed the old one
    assert [c for c, _ in log.requests] == [1, 1, 1, 2, 3]
    assert transport.breaker.failures == 0
    assert list(ctx.http.server_errors) == ["GET /fail"]


def test_reset_on_a_reused_connection_is_sent_again_on_a_fresh_one() -> None:
    log = KeepAliveLog()
    transport = TransportPolicy(retry=RetryPolicy(attempts=1))
    with keepalive_server(log, fail_path="/fail", reset_reused=True) as url:
        ctx = _context(url, transport)
        try:
            assert ctx.send("GET", "/one", params={}).status == 200
            # the server resets the reused connection: sent again on a new connection
            assert ctx.send("GET", "/two", params={}).status == 200
        finally:
            ctx.http.client.close()
    assert log.requests == [(1, "/one"), (1, "/two"), (2, "/two")]
    assert transport.fresh_retries == 1
    assert transport.breaker.failures == 0
    assert ctx.http.budget.spend.requests == 3  # the resent request is a request of the budget
