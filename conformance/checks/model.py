"""Model awareness: reasoning deployments (seed 002 §changelog 2024-09-01-preview)."""

from __future__ import annotations

from conformance.checks._common import short
from conformance.checks.registry import Verdict, clause, fail, ok, skip
from conformance.context import RunContext

__all__: list[str] = []


@clause(
    "MODEL-001",
    "Reasoning deployment: max_tokens is refused naming it; max_completion_tokens works",
    # max_completion_tokens is not a field of the Foundry inference API (seed 004)
    surfaces=("dated", "v1"),
    cites=(
        (
            "seed 002",
            "Changes between 2024-09-01-preview and 2024-08-01-preview "
            "(max_tokens doesn't work with the o1 series)",
        ),
    ),
)
def reasoning_max_tokens(ctx: RunContext) -> Verdict:
    name = ctx.reasoning_deployment
    if name is None:
        return skip("no reasoning deployment named (pass --reasoning-deployment NAME)")
    refused = ctx.send(
        "POST",
        ctx.chat_path(name),
        json_body=ctx.chat_body(name, max_tokens=8),
        headers=ctx.chat_headers(name),
        expect_status=(400,),
    )
    if refused.status != 400 or "max_tokens" not in refused.text:
        return fail(
            "a reasoning deployment accepted max_tokens",
            expected="400 naming max_tokens",
            observed=f"{refused.status} {short(refused.text, 100)}",
            where="status",
            exchange=refused,
        )
    served = ctx.send(
        "POST",
        ctx.chat_path(name),
        json_body=ctx.chat_body(name, max_completion_tokens=16),
        headers=ctx.chat_headers(name),
    )
    if served.status != 200:
        return fail(
            "a reasoning deployment refused max_completion_tokens",
            expected="200",
            observed=f"{served.status} {short(served.text, 100)}",
            where="status",
            exchange=served,
        )
    return ok("max_tokens refused (400), max_completion_tokens served", served)
