"""Boundary clauses: each declared request constraint, violated once, must be refused.

The cases come from the specs (``generator.boundary``, committed as
``boundary_cases.json``): per constraint on a chat-completions request field, a valid tiny
request with exactly one violation (a value past its minimum or maximum, an empty array
where ``minItems`` >= 1, a value outside an enum, a required field missing, a wrong
type). The target must refuse it with 400 (Foundry: 400 or 422, seed 004 §Responses), and
where its error names a ``param`` (or Foundry ``detail.loc``), that must be the field.
A refused request spends no tokens; one that is accepted spends at most the tiny cap.

``--boundary sample`` (the default) runs the clauses marked ``sample`` (the common
parameters' value limits; a default run stays within its request budget), ``all`` runs
every one, ``none`` none; a boundary clause named by ``--select`` runs in any mode but
``none``.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from conformance.checks._common import error_object, short, token_limit
from conformance.checks.registry import ALL_SURFACES, Check, Verdict, clause, fail, ok, skip
from conformance.model import SurfaceName
from conformance.run.context import RunContext

__all__ = ["BOUNDARY_MODES", "CASES", "filter_checks", "sent"]

BOUNDARY_MODES = ("all", "sample", "none")
CASES: dict[str, Any] = json.loads(
    (Path(__file__).with_name("boundary_cases.json")).read_text(encoding="utf-8")
)["clauses"]
_SENT = "boundary-sent"
_WORDS = {
    "maximum": "above its maximum ({limit})",
    "minimum": "below its minimum ({limit})",
    "minItems": "as an empty array (minItems {limit})",
    "maxItems": "with more items than maxItems ({limit})",
    "maxLength": "longer than maxLength ({limit})",
    "enum": "with a value outside its enum",
    "type": "with a value of the wrong type (not {limit})",
    "required": "missing (required)",
}


def sent(ctx: RunContext) -> int:
    """How many boundary requests this surface sent."""
    return int(ctx.cache.get(_SENT, 0))


def _citations(item: dict[str, Any]) -> list[tuple[str, str]]:
    by_pointer: dict[str, list[str]] = {}
    for spec_id, variant in item["specs"].items():
        by_pointer.setdefault(variant["pointer"], []).append(spec_id)
    return [(", ".join(ids), pointer) for pointer, ids in by_pointer.items()]


def _mutated(ctx: RunContext, field: str, kind: str, value: Any) -> dict[str, Any]:
    body = ctx.chat_body(**token_limit(ctx))
    if kind == "required":
        body.pop(field, None)
    else:
        body[field] = value
    return body


def _names_field(error: dict[str, Any] | None, body: Any, field: str) -> str | None:
    """What the answer names instead of ``field``, or None when it names it (or nothing)."""
    named: list[str] = []
    if isinstance(error, dict) and isinstance(error.get("param"), str) and error["param"]:
        named.append(error["param"])
    detail = (body.get("detail") if isinstance(body, dict) else None) or (error or {}).get("detail")
    loc = detail.get("loc") if isinstance(detail, dict) else None
    if isinstance(loc, list) and loc:
        parts = [str(p) for p in loc if p != "body"]
        if parts:
            named.append(".".join(parts))
    for name in named:
        if name != field and not name.startswith((field + ".", field + "[")):
            return name
    return None


def _register(clause_id: str, item: dict[str, Any]) -> None:
    field, kind = item["field"], item["kind"]
    surfaces: tuple[SurfaceName, ...] = tuple(
        s for s in ALL_SURFACES if any(v["surface"] == s for v in item["specs"].values())
    )
    limits = {json.dumps(v["limit"]) for v in item["specs"].values()}
    limit = next(iter(item["specs"].values()))["limit"] if len(limits) == 1 else "per spec"
    words = _WORDS[kind].format(limit=limit if not isinstance(limit, list) else "...")
    title = f"Boundary: {field} {words} is refused with 400"

    def check(ctx: RunContext) -> Verdict:
        spec_id = ctx.spec_ids.get(ctx.surface)
        variant = item["specs"].get(spec_id or "")
        if variant is None:
            return skip(f"the spec of this surface ({spec_id}) declares no {kind} on {field}")
        body = _mutated(ctx, field, kind, variant["value"])
        ctx.cache[_SENT] = sent(ctx) + 1
        exchange = ctx.send("POST", ctx.chat_path(), json_body=body, headers=ctx.chat_headers())
        allowed = (400, 422) if ctx.surface == "foundry" else (400,)
        change = "without it" if kind == "required" else f"{field}={short(variant['value'], 60)}"
        if exchange.status not in allowed:
            return fail(
                f"a request {change} ({variant['pointer']}) was answered {exchange.status}",
                expected=" or ".join(map(str, allowed)) + " with the error envelope",
                observed=f"{exchange.status} {short(exchange.text, 100)}",
                where="status",
                exchange=exchange,
            )
        other = _names_field(error_object(exchange), exchange.json, field)
        if other is not None:
            return fail(
                f"the refusal of {change} names another field",
                expected=f"param {field!r}",
                observed=f"param {other!r}",
                where="/error/param",
                exchange=exchange,
            )
        return ok(f"{change} refused with {exchange.status}", exchange)

    clause(clause_id, title, surfaces=surfaces, cites=_citations(item))(check)


for _clause_id, _item in CASES.items():
    _register(_clause_id, _item)


def filter_checks(checks: list[Check], mode: str, select: Iterable[str] = ()) -> list[Check]:
    """The checks a ``--boundary`` mode keeps (non-boundary checks are kept as they are)."""
    patterns = [p.upper() for p in select]
    out = []
    for check in checks:
        item = CASES.get(check.id)
        if item is None or mode == "all":
            out.append(check)
        elif mode == "sample" and (
            item["sample"] or any(fnmatch.fnmatchcase(check.id, p) for p in patterns)
        ):
            out.append(check)
    return out
