"""Clauses a gateway profile adds: its documented error texts (seed 003)."""

from __future__ import annotations

from conformance.checks._common import error_object, short, unauthenticated_chat
from conformance.checks.registry import Verdict, clause, fail, inconclusive, ok, skip
from conformance.run.context import RunContext

__all__: list[str] = []


@clause(
    "PROFILE-001",
    "Gateway profile: the 401 message is the one the gateway documents",
    cites=(("seed 003", "Error Responses: 401 Unauthorized"),),
)
def documented_401_text(ctx: RunContext) -> Verdict:
    texts = getattr(ctx.profile, "error_texts", None) or {}
    wanted = texts.get("401")
    if ctx.profile is None or wanted is None:
        return skip("no gateway profile with a documented 401 text (--profile)")
    exchange = unauthenticated_chat(ctx)
    if exchange.status != 401:
        return inconclusive(f"no 401 to inspect (answered {exchange.status}; see AUTH-001)")
    inner = error_object(exchange)
    message = inner.get("message") if inner else None
    if message == wanted:
        return ok("the 401 message matches the profile", exchange)
    return fail(
        "the 401 message differs from the gateway's documentation",
        expected=wanted,
        observed=short(message),
        where="/error/message",
        exchange=exchange,
    )
