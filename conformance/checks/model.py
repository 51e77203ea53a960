"""Model awareness: reasoning deployments (seed 002 §changelog 2024-09-01-preview) and
the model families of other providers on v1 (seeds 001, 002; conformance.model_families).

A model family's documented limitation (DeepSeek-R1: "Tool calling: No") is answered 400
naming the parameter; a clause whose request met that answer is *skipped* with the
limitation as its reason (:func:`limitation_verdict`, applied by the runner to every
clause), never failed. A 5xx is no limitation: SRV-001 and MODEL-002 report it.
"""

from __future__ import annotations

from dataclasses import replace

from conformance.checks._common import short, token_limit
from conformance.checks.registry import Verdict, clause, fail, ok, skip
from conformance.model import Outcome
from conformance.model_families import (
    FAMILIES,
    FOUNDRY_MODELS,
    ModelFamily,
    detect_family,
    limitation_of,
)
from conformance.run.context import RunContext

__all__ = ["active_family", "detect_model_family", "limitation_verdict", "limitation_notes"]

_LIMITATIONS = "model:limitations"  # ctx.cache: parameter -> (citation, clause ids)


def active_family(ctx: RunContext) -> ModelFamily | None:
    """The family whose rules apply on this surface (hint or detection), if any."""
    return FAMILIES.get(ctx.model_family) if ctx.model_family else None


def detect_model_family(ctx: RunContext, answer: object, hinted: bool) -> str:
    """Settle the surface's model family from a successful answer; the note to report."""
    model = answer.get("model") if isinstance(answer, dict) else None
    shown = f"{short(model, 60)}" if isinstance(model, str) else "no model field"
    if hinted and ctx.model_family:
        family = FAMILIES[ctx.model_family]
        return (
            f"{ctx.surface}: model family {family.describe()} (from --model-family; the "
            f"answer names {shown})"
        )
    found = detect_family(model)
    if found is None or found.name == "openai":
        return ""
    ctx.model_family = found.name
    return (
        f"{ctx.surface}: model family {found.describe()} (detected from the answer's model "
        f"{shown}; pass --model-family to override)"
    )


def limitation_verdict(ctx: RunContext, clause_id: str, verdict: Verdict) -> Verdict:
    """A clause that met its deployment's documented limitation is skipped, with why.

    Only a 400 that names a parameter the request sent and the family documents as
    unsupported qualifies; any other answer (a 5xx included) keeps its verdict.
    """
    family = active_family(ctx)
    exchange = verdict.exchange
    if (
        family is None
        or verdict.outcome is Outcome.PASSED
        or exchange is None
        or exchange.status != 400
    ):
        return verdict
    found = limitation_of(family, exchange.request_body, exchange.text)
    if found is None:
        return verdict
    param, citation = found
    seen: dict[str, tuple[str, list[str]]] = ctx.cache.setdefault(_LIMITATIONS, {})
    seen.setdefault(param, (citation, []))[1].append(clause_id)
    return replace(
        verdict,
        outcome=Outcome.SKIPPED,
        reason=(
            f"model limitation: {family.name} does not support {param} (documented: "
            f"{citation}); the deployment answered 400 naming it"
        ),
        expected="",
        observed="",
        where="",
    )


def limitation_notes(ctx: RunContext) -> list[str]:
    """One note per documented limitation met on this surface, with the skipped clauses."""
    seen: dict[str, tuple[str, list[str]]] = ctx.cache.get(_LIMITATIONS, {})
    return [
        f"{ctx.surface}: deployment {ctx.deployment!r} ({ctx.model_family}) refuses {param} "
        f"with 400 naming it, a documented limitation ({citation}): skipped "
        f"{', '.join(sorted(set(clauses)))}"
        for param, (citation, clauses) in sorted(seen.items())
    ]


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


_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "The current time.",
        "parameters": {"type": "object", "properties": {}},
    },
}


@clause(
    "MODEL-002",
    "A model's documented limitation is refused with a 400 naming the parameter, not a 5xx",
    cites=(
        (FOUNDRY_MODELS, "DeepSeek models / Microsoft models (MAI-DS-R1): Tool calling: No"),
        ("seed 002", "API evolution (models from other providers on v1)"),
        ("seed 004", "Responses (200 OK; 401, 404, 422, 429 and content filter)"),
    ),
)
def documented_limitation(ctx: RunContext) -> Verdict:
    family = active_family(ctx)
    if family is not None and "tools" in family.unsupported:
        name = ctx.deployment
    elif ctx.limited_deployment is not None:
        name = ctx.limited_deployment
    else:
        shown = family.name if family is not None else "openai"
        return skip(
            f"the deployment's model family ({shown}) documents no limitation to check "
            "(pass --model-family, e.g. deepseek-r1, for a deployment without tool support)"
        )
    refused = ctx.chat(
        deployment=name,
        tools=[_TOOL],
        expect_status=(400,),
        **token_limit(ctx),
    )
    if refused.status == 400 and "tools" in refused.text:
        return ok(f"deployment {name!r} refuses tools with 400 naming them", refused)
    if refused.status == 200:
        return ok(f"deployment {name!r} served tools (its documented limitation is lifted)")
    return fail(
        f"deployment {name!r}: tools, documented as unsupported, were not refused naming them",
        expected="400 naming tools (or a 200 answer)",
        observed=f"{refused.status} {short(refused.text, 100)}",
        where="status",
        exchange=refused,
    )
