"""Response headers the contract documents (HDR-*)."""

from __future__ import annotations

from conformance.checks._common import basic_chat
from conformance.checks.registry import Verdict, clause, fail, inconclusive, ok
from conformance.run.context import RunContext

__all__: list[str] = []


@clause(
    "HDR-001",
    "Responses carry the apim-request-id header",
    severity="should",
    surfaces=("dated", "v1"),
    cites=(
        ("azure-openai-2024-10-21 spec", "chat/completions responses: headers apim-request-id"),
    ),
)
def apim_request_id(ctx: RunContext) -> Verdict:
    exchange = basic_chat(ctx)
    if exchange.status >= 500:
        return inconclusive(f"answered {exchange.status}", exchange)
    if exchange.headers.get("apim-request-id"):
        return ok("apim-request-id present", exchange)
    return fail(
        "the response has no apim-request-id",
        expected="apim-request-id: <id>",
        observed="header absent",
        where="header:apim-request-id",
        exchange=exchange,
    )
