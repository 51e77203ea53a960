"""SRV-001: a valid request is answered, not failed with a server error.

The run decides it after a surface's other clauses, from what
:meth:`~conformance.run.context.RunContext.send` recorded: every valid request that the
target answered 500/501 (or another 5xx that is not a gateway's 502/503/504) on every
attempt. One finding per operation, so that a target failing its chat route is one
divergence, not one per clause that needed a completion (those are inconclusive and
name this clause).
"""

from __future__ import annotations

from conformance.checks._common import basic_chat, short
from conformance.checks.registry import ALL_SURFACES, Verdict, fail, inconclusive, ok, phase_clause
from conformance.http.budget import BudgetExhausted
from conformance.http.client import SERVER_ERROR_CLAUSE, InfrastructureError
from conformance.model import Citation, Clause
from conformance.run.context import RunContext

__all__ = ["PHASE", "SERVER_ERRORS", "server_error_verdicts"]

PHASE = "server-errors"

SERVER_ERRORS = phase_clause(
    Clause(
        SERVER_ERROR_CLAUSE,
        "A valid request is not answered with a server error (500/501)",
        "must",
        ALL_SURFACES,
        (
            # the documented answers of a chat completion are 200 and 4xx errors only
            Citation("seed 004", "Responses (200 OK; 401, 404, 422, 429 and content filter)"),
            Citation("seed 003", "Error Responses (400, 401)"),
        ),
    ),
    phase=PHASE,
)


def server_error_verdicts(ctx: RunContext) -> list[Verdict]:
    """The verdicts of SRV-001 on one surface: a failure per failing operation.

    The basic completion (shared with the answer clauses) is made here when no clause
    before made it, so the clause decides on its own when selected alone.
    """
    try:
        basic_chat(ctx)
    except (InfrastructureError, BudgetExhausted):
        pass  # a server error is in ctx.http.server_errors; an outage leaves nothing to judge
    if ctx.http.server_errors:
        return [
            fail(
                f"{operation}: a valid request was answered {exchange.status} on every attempt",
                expected="a 200 answer (or a documented 4xx error)",
                observed=f"{exchange.status} {short(exchange.text, 160)}",
                where="status",
                exchange=exchange,
            )
            for operation, exchange in ctx.http.server_errors.items()
        ]
    answered = sum(1 for e in ctx.http.exchanges if e.status < 500 and e.status != 429)
    if answered:
        return [ok(f"{answered} answers on this surface, none a server error to a valid request")]
    return [inconclusive("no request on this surface was answered (see the other clauses)")]
