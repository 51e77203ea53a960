"""Foundry model inference headers: extra-parameters, azureml-model-deployment (seed 004)."""

from __future__ import annotations

from conformance.checks._common import short, token_limit
from conformance.checks.errors import UNKNOWN_PARAM
from conformance.checks.registry import Verdict, clause, fail, ok
from conformance.run.context import RunContext

__all__: list[str] = []

_EXTRA = ("seed 004", "Request Header: extra-parameters")


@clause(
    "FOUNDRY-001",
    "Foundry: an unknown body parameter is refused (extra-parameters error and default)",
    surfaces=("foundry",),
    cites=(_EXTRA,),
)
def extra_parameters_error(ctx: RunContext) -> Verdict:
    variants = {
        "extra-parameters: error": ctx.cached(
            "foundry-extra-error",
            lambda: ctx.chat(
                headers={"extra-parameters": "error"},
                expect_status=(400, 422),
                **{UNKNOWN_PARAM: 1, **token_limit(ctx, 1)},
            ),
        ),
        "no extra-parameters header": ctx.chat(
            expect_status=(400, 422), **{UNKNOWN_PARAM: 1, **token_limit(ctx, 1)}
        ),
    }
    for label, exchange in variants.items():
        if exchange.status not in (400, 422):
            return fail(
                f"an unknown parameter was accepted ({label})",
                expected="422 (or 400) naming the parameter",
                observed=f"{exchange.status} {short(exchange.text, 100)}",
                where="status",
                exchange=exchange,
            )
        if UNKNOWN_PARAM not in exchange.text:
            return fail(
                f"the refusal does not name the unknown parameter ({label})",
                expected=f"the error names {UNKNOWN_PARAM!r}",
                observed=short(exchange.text, 120),
                where="/",
                exchange=exchange,
            )
    return ok("unknown parameters refused with the parameter named")


@clause(
    "FOUNDRY-002",
    "Foundry: extra-parameters drop ignores an unknown parameter (200)",
    surfaces=("foundry",),
    cites=(_EXTRA,),
)
def extra_parameters_drop(ctx: RunContext) -> Verdict:
    exchange = ctx.chat(
        headers={"extra-parameters": "drop"}, **{UNKNOWN_PARAM: 1, **token_limit(ctx)}
    )
    if exchange.status == 200:
        return ok("extra-parameters: drop served the request", exchange)
    return fail(
        "extra-parameters: drop did not drop the unknown parameter",
        expected="200",
        observed=f"{exchange.status} {short(exchange.text, 100)}",
        where="status",
        exchange=exchange,
    )


@clause(
    "FOUNDRY-003",
    "Foundry: an unknown azureml-model-deployment is refused (404 or 400)",
    surfaces=("foundry",),
    cites=(("seed 004", "Request Header: azureml-model-deployment"), ("seed 004", "NotFoundError")),
)
def unknown_model_deployment(ctx: RunContext) -> Verdict:
    from conformance.checks._common import unknown_deployment_chat

    exchange = unknown_deployment_chat(ctx)
    if exchange.status in (404, 400):
        return ok(f"unknown deployment answered {exchange.status}", exchange)
    return fail(
        "an unknown azureml-model-deployment was served",
        expected="404 (or 400) with the error envelope",
        observed=f"{exchange.status} {short(exchange.text, 100)}",
        where="status",
        exchange=exchange,
    )
