"""Rate limiting (seed 004 §429 Too Many Requests)."""

from __future__ import annotations

from conformance.checks._common import token_limit
from conformance.checks.registry import Verdict, clause, fail, inconclusive, ok, skip
from conformance.http.client import retry_after_seconds
from conformance.run.context import RunContext

__all__: list[str] = []


@clause(
    "RATE-001",
    "A 429 carries Retry-After (or retry-after-ms)",
    cites=(("seed 004", "Responses: 429 Too Many Requests"), ("DESIGN", "respects Retry-After")),
)
def retry_after(ctx: RunContext) -> Verdict:
    name = ctx.rate_limited_deployment
    if name is None:
        return skip(
            "no rate-limited deployment to provoke a 429 without spending quota "
            "(pass --rate-limited-deployment NAME)"
        )
    for _attempt in range(4):
        exchange = ctx.send(
            "POST",
            ctx.chat_path(name),
            json_body=ctx.chat_body(name, **token_limit(ctx, 1)),
            headers=ctx.chat_headers(name),
            expect_status=(429,),
            retry_on_429=False,
        )
        if exchange.status == 429:
            wait = retry_after_seconds(exchange.headers)
            if wait is not None:
                return ok(f"429 with a retry hint of {wait:g}s", exchange)
            return fail(
                "a 429 carries no retry hint",
                expected="Retry-After or retry-after-ms header",
                observed="neither header present",
                where="header:retry-after",
                exchange=exchange,
            )
        if exchange.status != 200:
            return inconclusive(f"the rate-limited deployment answered {exchange.status}", exchange)
    return inconclusive(f"deployment {name!r} was never rate limited in 4 requests")
