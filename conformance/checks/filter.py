"""Content filtering (seed 004 §Other Status Codes: ContentFilterError; FILTER-*)."""

from __future__ import annotations

from conformance.checks._common import error_object, short, token_limit
from conformance.checks.registry import Verdict, clause, fail, ok, skip
from conformance.run.context import RunContext

__all__: list[str] = []

# The emulator filters any prompt containing this marker (conformance.emulator.
# CONTENT_FILTER_TRIGGER); live targets are never sent filter-bait.
CONTENT_FILTER_TRIGGER = "[[trigger-content-filter]]"


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
