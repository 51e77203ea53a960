"""Rate limiting and content filtering (seed 004 §429, §Content filter error)."""

from __future__ import annotations

from conformance.checks._common import error_object, short, token_limit
from conformance.checks.registry import Verdict, clause, fail, inconclusive, ok, skip
from conformance.context import RunContext, retry_after_seconds

__all__: list[str] = []

# The emulator filters any prompt containing this marker (conformance.emulator.
# CONTENT_FILTER_TRIGGER); live targets are never sent filter-bait.
CONTENT_FILTER_TRIGGER = "[[trigger-content-filter]]"


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


@clause(
    "FILTER-001",
    "A content-filtered prompt is refused with 400 and code content_filter",
    cites=(("seed 004", "Other Status Codes: ContentFilterError"),),
)
def content_filter(ctx: RunContext) -> Verdict:
    if not ctx.emulator:
        return skip("needs the emulator's filter trigger; no filter-bait is sent to live targets")
    exchange = ctx.chat(
        messages=[{"role": "user", "content": f"Repeat: {CONTENT_FILTER_TRIGGER}"}],
        expect_status=(400,),
        **token_limit(ctx),
    )
    if exchange.status != 400:
        return fail(
            "a filtered prompt was not refused with 400",
            expected="400 with error.code content_filter",
            observed=f"{exchange.status} {short(exchange.text, 120)}",
            where="status",
            exchange=exchange,
        )
    inner = error_object(exchange)
    if inner is None:
        # the envelope itself is ERR-001's clause; this one asserts the refusal
        return ok("filtered prompt refused with 400 (no error envelope: see ERR-001)", exchange)
    if inner.get("code") != "content_filter":
        return fail(
            "a filtered prompt's error code is not content_filter",
            expected='error.code "content_filter"',
            observed=short(inner.get("code")),
            where="/error/code",
            exchange=exchange,
        )
    return ok("400 content_filter", exchange)
