"""Authentication: missing, wrong, echoed keys; Entra bearer tokens."""

from __future__ import annotations

from conformance.checks._common import (
    BOGUS_KEY,
    basic_chat,
    short,
    token_limit,
    unauthenticated_chat,
    wrong_key_chat,
)
from conformance.checks.registry import Verdict, clause, fail, ok, skip
from conformance.run.context import RunContext

__all__: list[str] = []


@clause(
    "AUTH-001",
    "A request without credentials is answered 401",
    cites=(("seed 003", "Error Responses: 401 Unauthorized"), ("seed 004", "Responses: 401")),
)
def missing_credentials(ctx: RunContext) -> Verdict:
    exchange = unauthenticated_chat(ctx)
    if exchange.status == 401:
        return ok("no credentials: answered 401", exchange)
    return fail(
        "a request without credentials was not refused with 401",
        expected="401",
        observed=f"{exchange.status} {short(exchange.text, 120)}",
        where="status",
        exchange=exchange,
    )


@clause(
    "AUTH-002",
    "A wrong api-key is answered 401",
    cites=(("seed 003", "Error Responses: 401 Unauthorized"), ("seed 004", "Responses: 401")),
)
def wrong_key(ctx: RunContext) -> Verdict:
    exchange = wrong_key_chat(ctx)
    if exchange.status == 401:
        return ok("wrong api-key: answered 401", exchange)
    return fail(
        "a wrong api-key was not refused with 401",
        expected="401",
        observed=f"{exchange.status} {short(exchange.text, 120)}",
        where="status",
        exchange=exchange,
    )


@clause(
    "AUTH-003",
    "An authentication failure does not echo the presented key",
    cites=(
        ("DESIGN", "Secrets never leak"),
        ("seed 003", "Error Responses: 401 Unauthorized (the example names no key)"),
    ),
)
def key_not_echoed(ctx: RunContext) -> Verdict:
    exchange = wrong_key_chat(ctx)
    if BOGUS_KEY in exchange.text:
        return fail(
            "the response body repeats the api-key the client presented",
            expected="no trace of the presented api-key",
            observed="the presented api-key appears in the body",
            where="/",
            exchange=exchange,
        )
    for name, value in exchange.headers.items():
        if BOGUS_KEY in value:
            return fail(
                "a response header repeats the api-key the client presented",
                expected="no trace of the presented api-key",
                observed=f"the presented api-key appears in header {name}",
                where=f"header:{name}",
                exchange=exchange,
            )
    return ok(f"the {exchange.status} answer does not repeat the presented key", exchange)


@clause(
    "AUTH-004",
    "A valid Entra ID bearer token is accepted",
    cites=(("seed 000", "Authentication"), ("seed 002", "Code changes: Microsoft Entra ID")),
)
def bearer_accepted(ctx: RunContext) -> Verdict:
    if ctx.bearer_token is None:
        return skip("no Entra ID token available: run with --auth entra to check bearer auth")
    if "authorization" in {k.lower() for k in ctx.http.auth_headers}:
        exchange = basic_chat(ctx)  # the whole run already authenticates with the token
    else:
        exchange = ctx.send(
            "POST",
            ctx.chat_path(),
            json_body=ctx.chat_body(**token_limit(ctx)),
            headers={**ctx.chat_headers(), "authorization": f"Bearer {ctx.bearer_token}"},
            auth=False,
        )
    if exchange.status == 200:
        return ok("Authorization: Bearer <token> accepted", exchange)
    return fail(
        "a valid Entra ID bearer token was refused",
        expected="200",
        observed=f"{exchange.status} {short(exchange.text, 120)}",
        where="status",
        exchange=exchange,
    )


@clause(
    "AUTH-005",
    "v1: the API key is accepted as a bearer token (the OpenAI client's form)",
    surfaces=("v1",),
    cites=(
        ("seed 001", "Use the chat completions API (OpenAI client with api_key)"),
        ("seed 002", "Code changes: v1 API, API Key"),
    ),
)
def key_as_bearer_on_v1(ctx: RunContext) -> Verdict:
    key = ctx.http.auth_headers.get("api-key")
    if key is None:
        return skip("the run does not authenticate with an api-key (--auth api-key)")
    exchange = ctx.send(
        "POST",
        ctx.chat_path(),
        json_body=ctx.chat_body(**token_limit(ctx)),
        headers={"authorization": f"Bearer {key}"},
        auth=False,
    )
    if exchange.status == 200:
        return ok("Authorization: Bearer <api-key> accepted on v1", exchange)
    return fail(
        "the OpenAI client's form (api key as bearer token) was refused on v1",
        expected="200",
        observed=f"{exchange.status} {short(exchange.text, 120)}",
        where="status",
        exchange=exchange,
    )
