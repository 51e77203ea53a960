"""Between schemathesis and the run: live-safe cases, the run's send path, typed verdicts.

- :func:`prepare` clamps a generated case so that it is cheap and leaves nothing behind;
- :func:`send` sends it through :meth:`RunContext.send` and turns the exchange into the
  response schemathesis validates;
- :func:`run_checks` runs one schemathesis check per clause (:func:`clause_checks`) and
  returns the clause each failure decides;
- :func:`describe`, :func:`summary` and :func:`owner` read a failure by its schemathesis
  class (``schemathesis.core.failures`` / ``schemathesis.openapi.checks``), never by name.

A clause is the verdict of *one* check, because some failure classes come from several
checks (``JsonSchemaError``: the body or a header; ``MissingContentType``: the body's or
the Content-Type's check). :func:`clause_checks` lists, per clause, the failure classes its
check documents (their ``checks`` attribute); ``tests/schemathesis_phase/test_failures.py``
fails when the installed schemathesis documents one the table does not know.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.http.client import Exchange, ServerErrorAnswer
from conformance.http.redact import SECRET_HEADERS
from conformance.phases.schemathesis.plan import OperationPlan
from conformance.run.context import RunContext
from conformance.surfaces import name_deployment_in_body, spec_root

__all__ = [
    "TOKEN_CAP",
    "ClauseCheck",
    "Sent",
    "UndocumentedSuccess",
    "clause_checks",
    "describe",
    "owner",
    "prepare",
    "run_checks",
    "send",
    "summary",
    "url_prefix",
    "violations",
]

#: Output-token limit every generated request is clamped to (a live request stays cheap).
TOKEN_CAP = 16

_AUTH_HEADERS = SECRET_HEADERS
# Request headers of schemathesis' requests transport that say nothing about the case.
_NOISE_HEADERS = {"accept-encoding", "connection", "x-schemathesis-testcaseid"}
_USER_AGENT = "aoai-conformance (schemathesis phase)"
# Framing headers of the wire answer: the exchange's text is already decoded.
_TRANSFER_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}
# Request headers the run sets itself (credentials, framing): not the generated case's.
_NOT_JUDGED_HEADERS = frozenset({*_AUTH_HEADERS, *_NOISE_HEADERS, "user-agent", "content-type"})


# -- live safety ---------------------------------------------------------------------


# Request fields a live-safe case never sends: streams (the catalog's clauses read those),
# and whatever stores state, reaches other data or runs other media and tools.
_NOT_SENT = {
    "chat": "stream stream_options store metadata data_sources audio modalities prediction",
    "responses": "stream stream_options background tools tool_choice include prompt conversation",
}


def _clamp_chat(body: dict[str, Any], ctx: RunContext, negative: bool) -> None:
    for key in _NOT_SENT["chat"].split():
        body.pop(key, None)
    name_deployment_in_body(ctx.surface, body, ctx.deployment)
    _clamp_number(body, "n", 1, negative)
    if ctx.token_param == "max_completion_tokens":
        # seed 002 §changelog 2024-09-01-preview: reasoning deployments reject max_tokens
        # (and sampling parameters); a documented model limitation, not a divergence
        for key in ("max_tokens", "temperature", "top_p"):
            if not negative or isinstance(body.get(key), (int, float)):
                body.pop(key, None)
        _clamp_number(body, "max_completion_tokens", TOKEN_CAP, negative, force=True)
    else:
        _clamp_number(body, "max_tokens", TOKEN_CAP, negative, force=True)
        _clamp_number(body, "max_completion_tokens", TOKEN_CAP, negative)


def _clamp_responses(body: dict[str, Any], ctx: RunContext, negative: bool) -> None:
    for key in _NOT_SENT["responses"].split():
        body.pop(key, None)
    body["model"] = ctx.deployment
    body["store"] = False  # responses are stored by default: a test must leave nothing behind
    # the responses API requires max_output_tokens >= 16 (v1 spec), so TOKEN_CAP is its floor
    _clamp_number(body, "max_output_tokens", TOKEN_CAP, negative, force=True)


def _clamp_number(
    body: dict[str, Any], key: str, cap: int, negative: bool, *, force: bool = False
) -> None:
    value = body.get(key)
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(value, (int, float)) and is_number and value > cap:
        body[key] = cap
    elif force and (key not in body or (not negative and not is_number)):
        body[key] = cap


def prepare(case: Any, plan: OperationPlan, ctx: RunContext, negative: bool) -> bool:
    """Make ``case`` live-safe in place; False if it can no longer be sent as planned."""
    for name in list(case.headers or {}):
        if name.lower() in _AUTH_HEADERS:
            del case.headers[name]
    body = case.body
    if plan.kind != "none" and isinstance(body, dict):
        if plan.kind == "chat":
            _clamp_chat(body, ctx, negative)
        else:
            _clamp_responses(body, ctx, negative)
    elif plan.kind != "none" and not negative:
        return False
    if negative:
        meta = case.meta  # revalidated by schemathesis after the edits above
        if meta is None or not meta.generation.mode.is_negative:
            return False  # the clamp made it valid: not a negative case any more
    return True


# -- sending -------------------------------------------------------------------------


@dataclass
class Sent:
    case: Any
    response: Any  # schemathesis.Response, built from the exchange (secrets masked)
    exchange: Exchange
    curl: str
    negative: bool
    # why the request as sent violates the spec (jsonschema on the run's normalised spec);
    # empty for a "negative" case whose edits left it valid
    violations: list[str] = field(default_factory=list)


def url_prefix(ctx: RunContext) -> str:
    """The path the spec's paths are relative to on ``ctx.surface``."""
    return spec_root(ctx.surface, ctx.foundry_prefix)


def send(ctx: RunContext, case: Any, prefix: str, negative: bool) -> Sent:
    """One generated request through the run's one send path (:meth:`RunContext.send`).

    The budget, the retry policy, the circuit breaker, the masking of echoed secrets and
    the curl builder are the catalog's own. A schema-invalid request documents a 4xx, so a
    500 to it is returned as evidence; a valid request answered 500 on every attempt comes
    back as :class:`ServerErrorAnswer`, whose exchange is judged here too (SCHEMA-005).
    """
    base = ctx.http.base_url
    kwargs = case.as_transport_kwargs(base_url=base + prefix)
    headers = {
        k: str(v)
        for k, v in (kwargs.get("headers") or {}).items()
        if k.lower() not in _NOISE_HEADERS and k.lower() not in _AUTH_HEADERS
    }
    headers["User-Agent"] = _USER_AGENT
    content: bytes | None = None
    if "json" in kwargs:
        content = json.dumps(kwargs["json"]).encode()
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        content = data if isinstance(data, bytes) else str(data).encode()
    url = str(kwargs["url"])
    path = url[len(base) :] if url.startswith(base) else url
    try:
        exchange = ctx.send(
            str(kwargs["method"]),
            path,
            params=dict(kwargs.get("params") or {}),
            content=content,
            headers=headers,
            expect_status=(400, 422) if negative else (),
        )
    except ServerErrorAnswer as exc:
        exchange = exc.exchange
    curl = exchange.curl(ctx.http.secrets)
    return Sent(case, _as_response(exchange, content), exchange, curl, negative)


def _as_response(exchange: Exchange, content: bytes | None) -> Any:
    """The exchange as schemathesis reads a response (its text has the secrets masked)."""
    import requests
    from schemathesis import Response

    request = requests.Request(
        method=exchange.method,
        url=exchange.url,
        headers=exchange.request_headers,
        data=content,
    ).prepare()
    return Response(
        status_code=exchange.status,
        headers={k: [v] for k, v in exchange.headers.items() if k not in _TRANSFER_HEADERS},
        content=exchange.text.encode("utf-8"),
        request=request,
        elapsed=exchange.elapsed_s,
        verify=True,
        encoding="utf-8",
    )


def violations(document: dict[str, Any], case: Any, exchange: Exchange) -> list[str]:
    """Where the request as sent violates the spec ``document``, by an independent validator
    (jsonschema-rs, :func:`generator.spec.json_schema.request_violations`)."""
    from generator.spec.json_schema import request_violations

    body = exchange.request_body
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            pass
    return request_violations(
        document,
        case.operation.method.upper(),
        case.operation.path,
        query=dict(case.query or {}),
        headers=exchange.request_headers,
        body=body,
        media_type=exchange.request_headers.get("content-type") if body is not None else None,
        ignore_headers=_NOT_JUDGED_HEADERS,
    )


# -- checking: one schemathesis check per clause, failures read by their class -----------


@dataclass(frozen=True)
class ClauseCheck:
    """The schemathesis check that decides a clause, and the failure classes it raises."""

    clause_id: str
    check: Callable[..., Any]
    #: every failure class the check documents (``Failure.checks``); a subclass counts too
    failures: tuple[type[BaseException], ...]

    def knows(self, failure: BaseException) -> bool:
        return isinstance(failure, self.failures)


@functools.cache
def clause_checks() -> tuple[ClauseCheck, ...]:
    """The checks the phase runs, one per SCHEMA clause, in clause order.

    Not run: ``ignored_auth`` (extra unauthenticated requests per case; the AUTH clauses
    cover authentication), ``positive_data_acceptance`` (a valid request may be refused for
    reasons of its own: a model limitation, a content filter), ``max_response_time`` and
    the stateful checks.
    """
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import AcceptedNegativeData, MalformedJson, ServerError
    from schemathesis.openapi.checks import (
        ContentDeserializationError,
        DiscriminatorMismatch,
        JsonSchemaError,
        MalformedMediaType,
        MissingContentType,
        MissingHeaders,
        UndefinedContentType,
        UndefinedStatusCode,
    )
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    body = (
        JsonSchemaError,
        MalformedJson,
        MissingContentType,
        ContentDeserializationError,
        DiscriminatorMismatch,
    )
    return (
        ClauseCheck("SCHEMA-001", response_schema_conformance, body),
        ClauseCheck("SCHEMA-002", status_code_conformance, (UndefinedStatusCode,)),
        ClauseCheck(
            "SCHEMA-003",
            content_type_conformance,
            (MissingContentType, MalformedMediaType, UndefinedContentType),
        ),
        ClauseCheck("SCHEMA-004", negative_data_rejection, (AcceptedNegativeData,)),
        # ServerError covers ContentTypeServerError (content-type probes of the coverage
        # phase, which the phase does not generate)
        ClauseCheck("SCHEMA-005", not_a_server_error, (ServerError,)),
        ClauseCheck("SCHEMA-006", response_headers_conformance, (JsonSchemaError, MissingHeaders)),
    )


class UndocumentedSuccess(Exception):
    """A 1xx/2xx/3xx status the operation does not list (its ``default`` documents errors).

    The phase's own SCHEMA-002 failure: schemathesis' ``status_code_conformance`` accepts
    every status when an operation has a ``default`` response.
    """

    def __init__(self, status: int, documented: list[str]) -> None:
        self.status = status
        self.documented = documented
        super().__init__(f"status {status} is not documented (documented: {', '.join(documented)})")


def _strict_status(sent: Sent) -> UndocumentedSuccess | None:
    # Azure specs use `default` for the error envelope (seed 004 §Responses: "default"
    # is the error response), so a success or redirect status must be listed explicitly.
    status = sent.response.status_code
    documented = [str(code) for code in sent.case.operation.responses.status_codes]
    if status < 400 and str(status) not in documented:
        return UndocumentedSuccess(status, documented)
    return None


def run_checks(sent: Sent, checks: Iterable[ClauseCheck]) -> dict[str, BaseException]:
    """clause id → its (first) failure on this response; an absent clause passed.

    A failure of a class the check does not document still fails the check's clause (the
    check said so); it is only described generically (:func:`describe`).
    """
    from schemathesis.core.failures import FailureGroup

    failed: dict[str, BaseException] = {}
    for entry in checks:
        if entry.clause_id == "SCHEMA-004" and not sent.negative:
            continue
        try:
            sent.case.validate_response(sent.response, checks=[entry.check])
        except FailureGroup as group:
            failed[entry.clause_id] = sorted(group.exceptions, key=lambda f: f.title)[0]
        except AssertionError as exc:  # a single failure raised without a group
            failed[entry.clause_id] = exc
    if "SCHEMA-002" not in failed:
        undocumented = _strict_status(sent)
        if undocumented is not None:
            failed["SCHEMA-002"] = undocumented
    return failed


def _pointer(path: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(clause_id: str, failure: BaseException, sent: Sent) -> tuple[str, str, str]:
    """(expected, observed, where) of a failure, the same fields every finding has."""
    from schemathesis.core.failures import AcceptedNegativeData, ServerError
    from schemathesis.openapi.checks import (
        JsonSchemaError,
        MalformedMediaType,
        MissingContentType,
        MissingHeaders,
        UndefinedContentType,
        UndefinedStatusCode,
    )

    status = str(sent.response.status_code)
    if isinstance(failure, JsonSchemaError):
        where = _pointer(failure.instance_path)
        if clause_id == "SCHEMA-006":
            where = "header:" + where.lstrip("/")
        expected = _clip(json.dumps(failure.schema or {}, ensure_ascii=False, sort_keys=True))
        why = str(failure.validation_message or "").strip()
        why = why.splitlines()[0] if why else "see the spec"
        observed = json.dumps(failure.instance, ensure_ascii=False)[:300]
        return f"valid against {expected} ({why})", observed, where or "/"
    if isinstance(failure, UndocumentedSuccess):
        return f"one of {', '.join(failure.documented)}", status, "status"
    if isinstance(failure, UndefinedStatusCode):
        return f"one of {', '.join(failure.defined_status_codes)}", status, "status"
    if clause_id == "SCHEMA-003" and isinstance(
        failure, (UndefinedContentType, MissingContentType, MalformedMediaType)
    ):
        defined: list[str] = []  # MalformedMediaType lists none
        if isinstance(failure, UndefinedContentType):
            defined = failure.defined_content_types
        elif isinstance(failure, MissingContentType):
            defined = failure.media_types
        observed = sent.exchange.content_type or "(no Content-Type)"
        return f"one of {', '.join(defined)}", observed, "header:content-type"
    if isinstance(failure, AcceptedNegativeData):
        why = f" ({sent.violations[0]})" if sent.violations else ""
        return f"a 4xx rejection of schema-invalid input{why}", status, "status"
    if isinstance(failure, ServerError):
        return "not a 500/501 server error", status, "status"
    if isinstance(failure, MissingHeaders):
        missing = failure.missing_headers
        return (
            "documented headers present",
            "missing " + ", ".join(missing),
            "header:" + (missing[0] if missing else ""),
        )
    message = str(getattr(failure, "title", "") or failure)
    return "conforms to the spec", message.splitlines()[0][:300], "/"


def summary(failure: BaseException) -> str:
    """The first line of a failure, for the finding's reason."""
    if isinstance(failure, UndocumentedSuccess):
        return str(failure)
    title = str(getattr(failure, "title", "") or type(failure).__name__)
    message = str(getattr(failure, "message", "") or "")
    first = message.strip().splitlines()[0] if message.strip() else ""
    return f"{title}: {first}" if first and first != title else title


# -- one divergence, one finding -------------------------------------------------------
#
# Some schema violations are exactly what a catalog clause checks, with a better citation
# and a dedicated request. Reporting them twice (RESP-001 *and* SCHEMA-001 for one wrong
# `object`) would make one divergence look like two, so such violations are left to the
# catalog clause: the SCHEMA finding says it saw them and which clause owns them.

_FINISH_REASON = re.compile(r"/choices/\d+/finish_reason")


def owner(clause_id: str, failure: BaseException, sent: Sent, surface: str) -> str | None:
    """The catalog clause that owns this failure, if any (and if it is registered)."""
    from schemathesis.openapi.checks import JsonSchemaError

    status = sent.response.status_code
    chat = sent.case.operation.path.endswith("/chat/completions")
    found: str | None = None
    if clause_id == "SCHEMA-001" and isinstance(failure, JsonSchemaError):
        where = _pointer(failure.instance_path)
        if status < 300 and chat and where == "/object":
            found = "RESP-001"  # seed 003 §Non-Streaming Response: object chat.completion
        elif status < 300 and chat and _FINISH_REASON.fullmatch(where):
            found = "RESP-002"  # seed 004 §CompletionsFinishReason
        elif status >= 400 and (where == "" or where.startswith("/error")):
            found = "ERR-001"  # seed 003 §Error Responses: {"error": {"code", "message"}}
    elif clause_id == "SCHEMA-004" and surface == "v1":
        version = (sent.case.query or {}).get("api-version")
        if version is not None and version not in ("v1", "preview"):
            found = "APIVER-003"  # v1 spec: api-version is only v1 or preview (seed 002)
    return found if found is not None and _registered(found) else None


def _registered(clause_id: str) -> bool:
    try:
        from conformance.checks import REGISTRY
    except ImportError:  # the catalog is not installed: the phase reports everything itself
        return False
    return clause_id in REGISTRY
