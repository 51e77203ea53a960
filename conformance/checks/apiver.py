"""api-version rules per surface (seed 000 §API version; seed 002 §Troubleshooting)."""

from __future__ import annotations

from conformance.checks._common import short, token_limit
from conformance.checks.registry import Verdict, clause, fail, ok
from conformance.run.context import RunContext

__all__: list[str] = []

# Not a real api-version: the service must not serve it (seed 000 §Checklist).
UNSUPPORTED_VERSION = "2023-01-01-nope"
# A dated version the v1 surface must refuse (seed 002 §Troubleshooting).
DATED_VERSION_ON_V1 = "2025-04-01-preview"


def _status(ctx: RunContext, params: dict[str, str], wanted: int, what: str) -> Verdict:
    exchange = ctx.send(
        "POST",
        ctx.chat_path(),
        params=params,
        json_body=ctx.chat_body(**token_limit(ctx)),
        headers=ctx.chat_headers(),
        expect_status=(wanted,),
    )
    if exchange.status == wanted:
        return ok(f"{what}: answered {wanted}", exchange)
    return fail(
        f"{what}: answered {exchange.status}",
        expected=str(wanted),
        observed=f"{exchange.status} {short(exchange.text, 120)}",
        where="status",
        exchange=exchange,
    )


@clause(
    "APIVER-001",
    "Dated surface: an unsupported api-version is answered 404",
    surfaces=("dated",),
    cites=(("seed 000", "Checklist to resolve the 404 (API version)"),),
)
def unsupported_version(ctx: RunContext) -> Verdict:
    return _status(
        ctx, {"api-version": UNSUPPORTED_VERSION}, 404, f"api-version={UNSUPPORTED_VERSION}"
    )


@clause(
    "APIVER-002",
    "Dated surface: a request without api-version is answered 404",
    surfaces=("dated",),
    cites=(("seed 000", "Checklist to resolve the 404 (API version)"),),
)
def missing_version(ctx: RunContext) -> Verdict:
    return _status(ctx, {}, 404, "no api-version")


@clause(
    "APIVER-003",
    "v1 surface: a dated api-version query parameter is rejected with 400",
    surfaces=("v1",),
    cites=(
        ("seed 002", "Troubleshooting (api-version parameter rejected)"),
        ("azure-openai-v1 spec", "api-version enum: v1, preview"),
    ),
)
def dated_version_on_v1(ctx: RunContext) -> Verdict:
    return _status(
        ctx, {"api-version": DATED_VERSION_ON_V1}, 400, f"v1 with api-version={DATED_VERSION_ON_V1}"
    )
