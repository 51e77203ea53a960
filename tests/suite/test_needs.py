"""`needs`: a check's precondition decides the clause when the answer cannot be judged."""

from __future__ import annotations

from typing import Any

from conformance.checks import REGISTRY
from conformance.checks.registry import Verdict, inconclusive, needs, ok
from conformance.model import Outcome

CTX: Any = object()  # the checks below never read the context


def test_the_check_gets_what_the_precondition_made() -> None:
    seen: list[tuple[Any, ...]] = []

    @needs(lambda ctx: ("exchange", {"id": "x"}))
    def check(ctx: Any, exchange: str, body: dict[str, Any]) -> Verdict:
        seen.append((ctx, exchange, body))
        return ok("fine")

    assert check(CTX).outcome is Outcome.PASSED
    assert seen == [(CTX, "exchange", {"id": "x"})]


def test_a_precondition_verdict_is_the_clause_verdict() -> None:
    called = []

    @needs(lambda ctx: inconclusive("answered 503"))
    def check(ctx: Any, exchange: Any, body: Any) -> Verdict:
        called.append(1)
        return ok("never")

    verdict = check(CTX)
    assert (verdict.outcome, verdict.reason) == (Outcome.INCONCLUSIVE, "answered 503")
    assert called == []


def test_the_decorated_checks_keep_their_names() -> None:
    # contracts and the docs list check functions by name (functools.wraps)
    names = {c.func.__name__ for c in REGISTRY if c.func is not None}
    assert {"completion_object", "chunks_parse", "tool_call_shape", "n_choices"} <= names
    assert "run" not in names
