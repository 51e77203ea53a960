"""Error answers: the envelope, x-ms-error-code, Foundry 422 detail, bad requests."""

from __future__ import annotations

from conformance.checks._common import (
    error_exchanges,
    error_object,
    is_int,
    short,
    token_limit,
    unauthenticated_chat,
    unknown_deployment_chat,
)
from conformance.checks.registry import Verdict, clause, fail, inconclusive, ok
from conformance.http.client import Exchange
from conformance.run.context import RunContext

__all__: list[str] = []

UNKNOWN_PARAM = "aoai_conformance_unknown_param"


def _sample_errors(ctx: RunContext) -> list[Exchange]:
    """Error answers to inspect: two provoked on purpose plus any gathered so far."""
    provoked = [unauthenticated_chat(ctx), malformed_chat(ctx)]
    if ctx.surface != "foundry":
        provoked.append(unknown_deployment_chat(ctx))
    seen = {id(e) for e in provoked}
    errors = [e for e in provoked if 400 <= e.status < 500]
    errors += [e for e in error_exchanges(ctx) if id(e) not in seen]
    return errors


def malformed_chat(ctx: RunContext) -> Exchange:
    """A body without the required ``messages`` (seed 004 §Request Body: messages True)."""
    body = {k: v for k, v in ctx.chat_body().items() if k != "messages"}
    body.update(token_limit(ctx, 1))
    return ctx.cached(
        "malformed",
        lambda: ctx.send(
            "POST",
            ctx.chat_path(),
            json_body=body,
            headers=ctx.chat_headers(),
            expect_status=(400, 422),
        ),
    )


@clause(
    "ERR-001",
    'Error bodies are {"error": {"code": str, "message": str, ...}}',
    cites=(("seed 003", "Error Responses"), ("seed 004", "Responses")),
)
def error_envelope(ctx: RunContext) -> Verdict:
    errors = _sample_errors(ctx)
    if not errors:
        return inconclusive("the target answered no request with an error to inspect")
    for exchange in errors:
        inner = error_object(exchange)
        if inner is None:
            return fail(
                f"a {exchange.status} answer has no error object",
                expected='{"error": {"code": "...", "message": "..."}}',
                observed=short(exchange.text),
                where="/error",
                exchange=exchange,
            )
        for key in ("code", "message"):
            if not isinstance(inner.get(key), str) or not inner.get(key):
                return fail(
                    f"a {exchange.status} answer's error.{key} is not a non-empty string",
                    expected=f"error.{key}: non-empty string",
                    observed=short(inner.get(key)),
                    where=f"/error/{key}",
                    exchange=exchange,
                )
    return ok(f"{len(errors)} error answers carry the error envelope")


@clause(
    "ERR-002",
    "Error responses carry the x-ms-error-code header",
    cites=(("seed 004", "Responses (Headers: x-ms-error-code)"),),
)
def error_code_header(ctx: RunContext) -> Verdict:
    errors = _sample_errors(ctx)
    if not errors:
        return inconclusive("the target answered no request with an error to inspect")
    for exchange in errors:
        if not exchange.headers.get("x-ms-error-code"):
            return fail(
                f"a {exchange.status} answer has no x-ms-error-code header",
                expected="x-ms-error-code: <code>",
                observed="header absent",
                where="header:x-ms-error-code",
                exchange=exchange,
            )
    return ok(f"{len(errors)} error answers carry x-ms-error-code")


@clause(
    "ERR-003",
    "Foundry: a 422 body carries detail with loc and value",
    surfaces=("foundry",),
    cites=(("seed 004", "UnprocessableContentError; Detail (loc, value)"),),
)
def foundry_422_detail(ctx: RunContext) -> Verdict:
    exchange = ctx.cached(
        "foundry-extra-error",
        lambda: ctx.chat(
            headers={"extra-parameters": "error"},
            expect_status=(400, 422),
            **{UNKNOWN_PARAM: 1, **token_limit(ctx, 1)},
        ),
    )
    if exchange.status != 422:
        return inconclusive(
            f"no 422 to inspect: the unknown parameter was answered {exchange.status} "
            "(see FOUNDRY-001)",
            exchange,
        )
    body = exchange.json if isinstance(exchange.json, dict) else {}
    detail = body.get("detail")
    if detail is None and isinstance(body.get("error"), dict):
        detail = body["error"].get("detail")
    if isinstance(detail, list) and detail:
        detail = detail[0]
    if detail is None and not isinstance(body.get("error"), dict):
        # no envelope at all is ERR-001's divergence; what the detail would be is unknown
        return inconclusive("the 422 has no error envelope (see ERR-001)", exchange)
    if not isinstance(detail, dict) or "loc" not in detail or "value" not in detail:
        return fail(
            "the 422 answer has no detail with loc and value",
            expected='"detail": {"loc": [...], "value": ...}',
            observed=short(exchange.text),
            where="/detail",
            exchange=exchange,
        )
    return ok(f"422 detail names {short(detail.get('loc'), 60)}", exchange)


@clause(
    "ERR-004",
    "A request without the required messages is refused with 400",
    cites=(
        ("seed 003", "Error Responses: 400 Bad Request"),
        ("seed 004", "Request Body: messages (required)"),
    ),
)
def malformed_request(ctx: RunContext) -> Verdict:
    exchange = malformed_chat(ctx)
    # seed 004: a payload invalid against the API is a 400; 422 is for valid payloads the
    # model cannot handle, so a Foundry 422 is accepted as well.
    wanted = (400, 422) if ctx.surface == "foundry" else (400,)
    if exchange.status in wanted:
        return ok(f"a body without messages: answered {exchange.status}", exchange)
    status = exchange.status if is_int(exchange.status) else "?"
    return fail(
        "a body without the required messages was not refused",
        expected=" or ".join(str(s) for s in wanted),
        observed=f"{status} {short(exchange.text, 120)}",
        where="status",
        exchange=exchange,
    )
