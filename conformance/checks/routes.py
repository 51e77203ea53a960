"""Routing: the 404 matrix of seed 000 §Checklist to resolve the 404."""

from __future__ import annotations

from conformance.checks._common import short, token_limit, unknown_deployment_chat
from conformance.checks.registry import Verdict, clause, fail, ok
from conformance.http.client import Exchange
from conformance.run.context import RunContext

__all__: list[str] = []

_404 = (("seed 000", "Checklist to resolve the 404"),)


def _expect_status(exchange: Exchange, wanted: tuple[int, ...], what: str) -> Verdict:
    if exchange.status in wanted:
        return ok(f"{what}: answered {exchange.status}", exchange)
    documented = " or ".join(str(s) for s in wanted)
    return fail(
        f"{what}: answered {exchange.status} where the contract documents {documented}",
        expected=" or ".join(str(s) for s in wanted),
        observed=f"{exchange.status} {short(exchange.text, 120)}",
        where="status",
        exchange=exchange,
    )


@clause(
    "ROUTE-001",
    "The dated path under the /openai/v1/ base is not served (404)",
    surfaces=("dated",),
    cites=(("seed 000", "Checklist to resolve the 404 (Endpoint: do not append /openai/v1/)"),),
)
def dated_path_under_v1_base(ctx: RunContext) -> Verdict:
    exchange = ctx.send(
        "POST",
        f"/openai/v1/deployments/{ctx.deployment}/chat/completions",
        json_body=ctx.chat_body(**token_limit(ctx)),
        expect_status=(404,),
    )
    return _expect_status(exchange, (404,), "dated path under /openai/v1/")


@clause(
    "ROUTE-002",
    "An unknown deployment name is answered 404",
    surfaces=("dated", "v1"),
    cites=(("seed 000", "Checklist to resolve the 404 (Path: deployment name must match)"),),
)
def unknown_deployment(ctx: RunContext) -> Verdict:
    return _expect_status(unknown_deployment_chat(ctx), (404,), "unknown deployment")


@clause(
    "ROUTE-003",
    "A wrong path (/chat/completion) is answered 404",
    cites=_404
    + (("seed 000", "Path: must be /openai/deployments/{deployment-name}/chat/completions"),),
)
def wrong_path(ctx: RunContext) -> Verdict:
    path = ctx.chat_path().removesuffix("completions") + "completion"
    exchange = ctx.send(
        "POST",
        path,
        json_body=ctx.chat_body(**token_limit(ctx)),
        headers=ctx.chat_headers(),
        expect_status=(404,),
    )
    return _expect_status(exchange, (404,), f"wrong path {path}")
