"""The schemathesis phase: property-based requests checked against the normalised spec.

For each surface of a run, the operations in scope — chat completions on every surface,
and on v1 also ``GET /models`` and ``POST /responses`` — get a few generated requests
(schemathesis 4.x, hypothesis, deterministic), positive (schema-valid) and negative
(schema-invalid), and every response is checked by schemathesis' own checks against the
spec the run uses (``ctx.spec_ids``, normalised and overlaid by ``generator.spec``):

==========  ===============================================================================
SCHEMA-001  the response body matches the documented schema (``response_schema_conformance``)
SCHEMA-002  the status code is documented (``status_code_conformance``; and, because every
            operation in scope has a ``default`` response that documents *errors*, a
            success or redirect status that is not listed is reported as well)
SCHEMA-003  the Content-Type is one documented for that status (``content_type_conformance``)
SCHEMA-004  a schema-invalid request is rejected with 4xx (``negative_data_rejection``)
SCHEMA-005  no request, valid or not, is answered with a 500/501 (``not_a_server_error``)
SCHEMA-006  documented response headers are present and valid (``response_headers_conformance``);
            *skipped* when the spec documents only optional string headers for the
            operations (today's Azure specs: ``apim-request-id``, ``x-ms-error-code``),
            because nothing could fail it
==========  ===============================================================================

Live-safe by construction:

- requests go through the run's client and are counted into the run's budget and spend
  (``ctx.budget``); the phase plans at most :data:`MAX_PHASE_REQUESTS` per surface and
  stops, reporting the undecided clauses as inconclusive, when the budget runs out;
- every body is clamped before it is sent: the output-token limit is set to
  :data:`TOKEN_CAP` (``max_tokens``, or ``max_completion_tokens`` for reasoning
  deployments, or ``max_output_tokens`` on responses), ``n`` to 1, and parameters with
  side effects or extra cost (``store``, ``background``, ``data_sources``, audio output,
  hosted tools on responses) are removed;
- ``stream`` is forced off. schemathesis reads a whole stream and validates it as one
  document (it needs per-chunk handling to validate SSE), so streaming is left to the
  catalog's STREAM clauses, which parse every chunk;
- ``ignored_auth`` is not run: it sends extra unauthenticated requests per case; the
  catalog's AUTH clauses cover authentication with one request each;
- the run's own credentials replace any generated ``api-key``/``Authorization`` header.

Every request goes through the run's one send path, :meth:`RunContext.send`: the same
budget, retry policy, circuit breaker, masking of echoed secrets and curl builder as the
catalog's clauses. A 502/503/504, a timeout or a connection error is infrastructure (the
request is dropped and, if nothing else decided a clause, the clause is inconclusive),
never a pass or fail.

Deterministic: the same spec and Hypothesis version give the same requests on every
install (editable or wheel) and in every process, because Hypothesis' pool of constants
mined from "local" modules is switched off while the phase generates
(:func:`_without_local_constants`). A negative case counts for SCHEMA-004 only when an
independent validator (jsonschema-rs on the run's normalised spec,
:func:`generator.spec.json_schema.request_violations`) confirms that the request as sent
violates the spec; unknown query keys are not a violation.
"""

from __future__ import annotations

import json
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.checks.schema import SCHEMA_CLAUSES as _CATALOG_SCHEMA_CLAUSES
from conformance.context import (
    BudgetExhausted,
    Exchange,
    InfrastructureError,
    RunContext,
    ServerErrorAnswer,
)
from conformance.findings import make_finding
from conformance.model import Clause, Finding, Outcome
from conformance.redact import SECRET_HEADERS, Redactor, curl_command

__all__ = [
    "SCHEMA_CLAUSES",
    "OPERATIONS",
    "TOKEN_CAP",
    "MAX_PHASE_REQUESTS",
    "run_schemathesis_phase",
]

#: Output-token limit every generated request is clamped to (a live request stays cheap).
TOKEN_CAP = 16
#: The most requests the phase sends on one surface.
MAX_PHASE_REQUESTS = 16
#: The clauses this phase decides: registered in the catalog (conformance/checks/schema.py).
SCHEMA_CLAUSES: dict[str, Clause] = _CATALOG_SCHEMA_CLAUSES


@dataclass(frozen=True)
class OperationPlan:
    """One operation in scope: spec path, how many positive/negative requests, body kind."""

    method: str
    path: str
    positive: int
    negative: int
    kind: str  # "chat" | "responses" | "none"


#: The operations in scope per surface, in the order they run.
OPERATIONS: dict[str, tuple[OperationPlan, ...]] = {
    "dated": (
        OperationPlan("POST", "/deployments/{deployment-id}/chat/completions", 3, 3, "chat"),
    ),
    "v1": (
        OperationPlan("POST", "/chat/completions", 3, 2, "chat"),
        OperationPlan("GET", "/models", 1, 1, "none"),
        OperationPlan("POST", "/responses", 2, 2, "responses"),
    ),
    "foundry": (OperationPlan("POST", "/chat/completions", 3, 3, "chat"),),
}

_AUTH_HEADERS = SECRET_HEADERS
# Request headers of schemathesis' requests transport that say nothing about the case.
_NOISE_HEADERS = {"accept-encoding", "connection", "x-schemathesis-testcaseid"}
_USER_AGENT = "aoai-conformance (schemathesis phase)"
# Framing headers of the wire answer: the exchange's text is already decoded.
_TRANSFER_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}
# Request headers the run sets itself (credentials, framing): not the generated case's.
_NOT_JUDGED_HEADERS = frozenset({*_AUTH_HEADERS, *_NOISE_HEADERS, "user-agent", "content-type"})


# -- loading and generation (cached per process: deterministic, and the slow part) ------

_LOCK = threading.Lock()
_GENERATING = threading.Lock()
_SCHEMAS: dict[str, Any] = {}
_CASES: dict[tuple[Any, ...], list[Any]] = {}


def _schema(spec_id: str) -> Any:
    """The schemathesis schema of a registered spec (normalised + overlays), cached."""
    from generator.spec import load_spec

    with _LOCK:
        if spec_id not in _SCHEMAS:
            _SCHEMAS[spec_id] = build_schema(load_spec(spec_id).copy_document())
        return _SCHEMAS[spec_id]


def build_schema(document: dict[str, Any]) -> Any:
    """A schemathesis schema of an OpenAPI document, configured for this phase."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    config = SchemathesisConfig.from_dict(
        {
            "generation": {
                # the run's own credentials are added to every request
                "with-security-parameters": False,
                "allow-x00": False,
                "deterministic": True,
                "database": "none",
            }
        }
    )
    return schemathesis.openapi.from_dict(document, config=config)


def _operation(schema: Any, method: str, path: str) -> Any | None:
    for result in schema.get_all_operations():
        try:
            op = result.ok()
        except Exception:  # noqa: BLE001 - an unusable operation elsewhere in the spec
            continue
        if op.method.upper() == method and op.path == path:
            return op
    return None


def _generate(operation: Any, mode: Any, count: int, fixed: dict[str, Any]) -> list[Any]:
    """``count`` cases of ``operation`` (deterministic: hypothesis derandomised)."""
    from hypothesis import HealthCheck, Phase, given, settings

    cases: list[Any] = []
    if count <= 0:
        return cases
    strategy = operation.as_strategy(generation_mode=mode, **fixed)

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
        report_multiple_bugs=False,
    )
    @given(strategy)
    def collect(case: Any) -> None:
        if len(cases) < count:
            cases.append(case)

    _keep_hypothesis_home_off_the_working_folder()
    # one generation at a time: Hypothesis' engine state (and the hook below) is global
    with _GENERATING, warnings.catch_warnings(), _without_local_constants():
        warnings.simplefilter("ignore")
        collect()
    return cases


def _keep_hypothesis_home_off_the_working_folder() -> None:
    """Hypothesis caches its Unicode tables in ``./.hypothesis`` of whatever folder the user
    runs from; the phase keeps nothing there (``database=None``), so the home moves to the
    user's cache, ``$XDG_CACHE_HOME/aoai-conformance/hypothesis`` (unless the user set
    ``HYPOTHESIS_STORAGE_DIRECTORY``)."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return
    from hypothesis.configuration import set_hypothesis_home_dir

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    set_hypothesis_home_dir(Path(base) / "aoai-conformance" / "hypothesis")


@contextmanager
def _without_local_constants() -> Iterator[None]:
    """Generation that depends on nothing but the spec and the Hypothesis version.

    Hypothesis (6.13x and later) mixes literal constants of the "local" modules it finds in
    ``sys.modules`` (files outside site-packages) into generated data, even derandomised.
    Which modules count as local differs between an editable checkout and a wheel, and with
    what else the process imported, so the same target got different cases, and different
    verdicts, per install (issue 11). The pool is swapped for an empty one while the phase
    generates; Hypothesis' global constants stay, so the data is as rich as in a wheel.
    This uses a private hook of Hypothesis: if it moves, generation goes on unchanged and
    ``tests/schemathesis_phase/test_determinism.py`` says so.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - hypothesis reorganised
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    constants = getattr(providers, "Constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or constants is None or cache is None:  # pragma: no cover
        yield
        return
    empty = constants()
    cache.cache.clear()  # filtered pools computed with the local constants
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()


# -- live safety ---------------------------------------------------------------------


def _clamp_chat(body: dict[str, Any], ctx: RunContext, negative: bool) -> None:
    for key in (
        "stream",
        "stream_options",
        "store",
        "metadata",
        "data_sources",
        "audio",
        "modalities",
        "prediction",
    ):
        body.pop(key, None)
    if ctx.surface == "v1" or (ctx.surface == "foundry" and "model" in body):
        # v1: the deployment is named in the body (seed 001); Foundry: `model` picks the
        # deployment when present (seed 004 §Request Body)
        body["model"] = ctx.deployment
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
    for key in (
        "stream",
        "stream_options",
        "background",
        "tools",
        "tool_choice",
        "include",
        "prompt",
        "conversation",
    ):
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


def _prepare(case: Any, plan: OperationPlan, ctx: RunContext, negative: bool) -> bool:
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
class _Sent:
    case: Any
    response: Any  # schemathesis.Response, built from the exchange (secrets masked)
    exchange: Exchange
    curl: str
    negative: bool
    # why the request as sent violates the spec (jsonschema on the run's normalised spec);
    # empty for a "negative" case whose edits left it valid
    violations: list[str] = field(default_factory=list)


def _send(ctx: RunContext, case: Any, prefix: str, secrets: list[str], negative: bool) -> _Sent:
    """One generated request through the run's one send path (:meth:`RunContext.send`).

    The budget, the retry policy, the circuit breaker, the masking of echoed secrets and
    the curl builder are the catalog's own. A schema-invalid request documents a 4xx, so a
    500 to it is returned as evidence; a valid request answered 500 on every attempt comes
    back as :class:`ServerErrorAnswer`, whose exchange is judged here too (SCHEMA-005).
    """
    base = ctx.base_url
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
    curl = curl_command(
        exchange.method, exchange.url, exchange.request_headers, exchange.request_body, secrets
    )
    return _Sent(case, _as_response(exchange, content), exchange, curl, negative)


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


def _violations(spec_id: str, case: Any, exchange: Exchange) -> list[str]:
    """Where the request as sent violates the spec, by an independent validator."""
    from generator.spec.json_schema import request_violations

    body = exchange.request_body
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            pass
    return request_violations(
        _schema(spec_id).raw_schema,
        case.operation.method.upper(),
        case.operation.path,
        query=dict(case.query or {}),
        headers=exchange.request_headers,
        body=body,
        media_type=exchange.request_headers.get("content-type") if body is not None else None,
        ignore_headers=_NOT_JUDGED_HEADERS,
    )


# -- checking ------------------------------------------------------------------------


@dataclass
class _Observation:
    """The first failure of a clause on this surface, and how often it was seen."""

    failure: Any
    sent: _Sent
    count: int = 1
    operations: list[str] = field(default_factory=list)


def _checks() -> dict[str, Callable[..., Any]]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return {
        "SCHEMA-001": response_schema_conformance,
        "SCHEMA-002": status_code_conformance,
        "SCHEMA-003": content_type_conformance,
        "SCHEMA-004": negative_data_rejection,
        "SCHEMA-005": not_a_server_error,
        "SCHEMA-006": response_headers_conformance,
    }


class _UndocumentedSuccess(Exception):
    """A 1xx/2xx/3xx status the operation does not list (its ``default`` documents errors)."""

    def __init__(self, status: int, documented: list[str]) -> None:
        self.status = status
        self.documented = documented
        super().__init__(f"status {status} is not documented (documented: {', '.join(documented)})")


def _strict_status(sent: _Sent) -> None:
    # Azure specs use `default` for the error envelope (seed 004 §Responses: "default"
    # is the error response), so a success or redirect status must be listed explicitly.
    status = sent.response.status_code
    documented = [str(code) for code in sent.case.operation.responses.status_codes]
    if status < 400 and str(status) not in documented:
        raise _UndocumentedSuccess(status, documented)


def _run_checks(sent: _Sent, checks: dict[str, Callable[..., Any]]) -> dict[str, Any]:
    """clause id → failure (first one) for this response; absent means passed."""
    from schemathesis.core.failures import FailureGroup

    failed: dict[str, Any] = {}
    for clause_id, check in checks.items():
        if clause_id == "SCHEMA-004" and not sent.negative:
            continue
        try:
            sent.case.validate_response(sent.response, checks=[check])
        except FailureGroup as group:
            failed[clause_id] = sorted(group.exceptions, key=lambda f: f.title)[0]
        except AssertionError as exc:  # a single failure raised without a group
            failed[clause_id] = exc
    if "SCHEMA-002" not in failed:
        try:
            _strict_status(sent)
        except _UndocumentedSuccess as exc:
            failed["SCHEMA-002"] = exc
    return failed


def _pointer(path: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _describe(clause_id: str, failure: Any, sent: _Sent) -> tuple[str, str, str]:
    """(expected, observed, where) of a failure, the same fields every finding has."""
    status = sent.response.status_code
    ctype = sent.exchange.content_type
    name = type(failure).__name__
    if name == "JsonSchemaError":
        where = _pointer(getattr(failure, "instance_path", []))
        instance = json.dumps(getattr(failure, "instance", None), ensure_ascii=False)
        schema = getattr(failure, "schema", {}) or {}
        expected = json.dumps(schema, ensure_ascii=False, sort_keys=True)
        if len(expected) > 300:
            expected = expected[:297] + "..."
        if clause_id == "SCHEMA-006":
            where = "header:" + where.lstrip("/")
        why = str(getattr(failure, "validation_message", "") or "").strip()
        why = why.splitlines()[0] if why else "see the spec"
        return f"valid against {expected} ({why})", instance[:300], where or "/"
    if isinstance(failure, _UndocumentedSuccess):
        return f"one of {', '.join(failure.documented)}", str(status), "status"
    if clause_id == "SCHEMA-002":
        return (
            f"one of {', '.join(getattr(failure, 'defined_status_codes', []))}",
            str(status),
            "status",
        )
    if clause_id == "SCHEMA-003":
        defined = getattr(failure, "defined_content_types", None) or getattr(
            failure, "media_types", []
        )
        return f"one of {', '.join(defined)}", ctype or "(no Content-Type)", "header:content-type"
    if clause_id == "SCHEMA-004":
        why = f" ({sent.violations[0]})" if sent.violations else ""
        return f"a 4xx rejection of schema-invalid input{why}", str(status), "status"
    if clause_id == "SCHEMA-005":
        return "not a 500/501 server error", str(status), "status"
    if clause_id == "SCHEMA-006":
        missing = getattr(failure, "missing_headers", [])
        return (
            "documented headers present",
            "missing " + ", ".join(missing),
            ("header:" + (missing[0] if missing else "")),
        )
    message = str(getattr(failure, "title", "") or failure)
    return "conforms to the spec", message.splitlines()[0][:300], "/"


def _first_line(failure: Any) -> str:
    if isinstance(failure, _UndocumentedSuccess):
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


def _owner(clause_id: str, failure: Any, sent: _Sent, surface: str) -> str | None:
    """The catalog clause that owns this failure, if any (and if it is registered)."""
    status = sent.response.status_code
    chat = sent.case.operation.path.endswith("/chat/completions")
    owner: str | None = None
    if clause_id == "SCHEMA-001" and type(failure).__name__ == "JsonSchemaError":
        where = _pointer(getattr(failure, "instance_path", []))
        if status < 300 and chat and where == "/object":
            owner = "RESP-001"  # seed 003 §Non-Streaming Response: object chat.completion
        elif status < 300 and chat and _FINISH_REASON.fullmatch(where):
            owner = "RESP-002"  # seed 004 §CompletionsFinishReason
        elif status >= 400 and (where == "" or where.startswith("/error")):
            owner = "ERR-001"  # seed 003 §Error Responses: {"error": {"code", "message"}}
    elif clause_id == "SCHEMA-004" and surface == "v1":
        version = (sent.case.query or {}).get("api-version")
        if version is not None and version not in ("v1", "preview"):
            owner = "APIVER-003"  # v1 spec: api-version is only v1 or preview (seed 002)
    return owner if owner is not None and _registered(owner) else None


def _registered(clause_id: str) -> bool:
    try:
        from conformance.checks import REGISTRY
    except ImportError:  # the catalog is not installed: the phase reports everything itself
        return False
    return clause_id in REGISTRY


# -- the phase -----------------------------------------------------------------------


def _finding(
    ctx: RunContext,
    clause: Clause,
    outcome: Outcome,
    reason: str,
    spec_id: str,
    redact: Callable[[str], str],
    observation: _Observation | None = None,
) -> Finding:
    expected = observed = where = reproduction = ""
    source = f"{spec_id} (normalised) §responses of the operations in scope"
    if observation is not None:
        expected, observed, where = _describe(clause.id, observation.failure, observation.sent)
        reproduction = observation.sent.curl
        source = f"{spec_id} (normalised) §{observation.sent.case.operation.label} responses"
    return make_finding(
        clause,
        outcome,
        surface=ctx.surface,
        target=_target_label(ctx),
        redact=redact,
        source=source,
        reason=reason,
        expected=expected,
        observed=observed,
        where=where,
        reproduction=reproduction,
    )


def _target_label(ctx: RunContext) -> str:
    # the same label the runner gives the catalog's findings (conformance.targets)
    label = getattr(ctx, "target_label", None)
    if isinstance(label, str) and label:
        return label
    return "emulator (in process)" if ctx.emulator else ctx.base_url


def _prefix(ctx: RunContext) -> str:
    # the spec's paths are relative to its server URL: {endpoint}/openai (dated),
    # {endpoint}/openai/v1 (v1, seed 001), https://{resource}.services.ai.azure.com/models
    if ctx.surface == "dated":
        return "/openai"
    if ctx.surface == "v1":
        return "/openai/v1"
    return ctx.foundry_prefix


def _planned_cases(ctx: RunContext, spec_id: str) -> list[tuple[Any, OperationPlan, bool]]:
    from schemathesis.generation import GenerationMode

    schema = _schema(spec_id)
    out: list[tuple[Any, OperationPlan, bool]] = []
    for plan in OPERATIONS.get(ctx.surface, ()):
        operation = _operation(schema, plan.method, plan.path)
        if operation is None:
            continue
        fixed: dict[str, Any] = {}
        if "{deployment-id}" in plan.path:
            fixed["path_parameters"] = {"deployment-id": ctx.deployment}
        if ctx.surface in ("dated", "foundry"):
            version = ctx.api_version or _spec_version(spec_id)
            if version:
                fixed["query"] = {"api-version": version}
        anchor = _anchor(operation, plan, ctx, fixed)
        if anchor is not None:
            out.append((anchor, plan, False))
        for mode, count, negative in (
            (GenerationMode.POSITIVE, plan.positive - (anchor is not None), False),
            (GenerationMode.NEGATIVE, plan.negative, True),
        ):
            key = (
                spec_id,
                ctx.surface,
                plan.path,
                mode.value,
                count,
                ctx.deployment,
                ctx.api_version,
                ctx.token_param,
            )
            with _LOCK:
                cached = _CASES.get(key)
            if cached is None:
                cached = [
                    c
                    for c in _generate(operation, mode, count, fixed)
                    if _prepare(c, plan, ctx, negative)
                ]
                with _LOCK:
                    _CASES[key] = cached
            out += [(case, plan, negative) for case in cached]
    return out[:MAX_PHASE_REQUESTS]


def _anchor(
    operation: Any, plan: OperationPlan, ctx: RunContext, fixed: dict[str, Any]
) -> Any | None:
    """One plain, valid request per operation with a body, so that a conforming server's
    success response is always among those validated (generated bodies are often refused
    for reasons of their own, e.g. a random tool_choice)."""
    if plan.kind == "none" or plan.positive < 1:
        return None
    hello = "Say hello."
    body: dict[str, Any]
    if plan.kind == "chat":
        body = {"messages": [{"role": "user", "content": hello}]}
    else:
        body = {"input": hello}
    case = operation.Case(
        path_parameters=dict(fixed.get("path_parameters", {})),
        query=dict(fixed.get("query", {})),
        body=body,
        media_type="application/json",
    )
    return case if _prepare(case, plan, ctx, negative=False) else None


def _headers_in_scope(spec_id: str, surface: str) -> tuple[list[str], list[str]]:
    """(checkable, optional-string) response headers the in-scope operations document.

    A header can only fail ``response_headers_conformance`` when it is required or its
    schema constrains more than "a string": an optional string header cannot be wrong.
    """
    doc = _schema(spec_id).raw_schema
    checkable: set[str] = set()
    loose: set[str] = set()
    for plan in OPERATIONS.get(surface, ()):
        operation = doc.get("paths", {}).get(plan.path, {}).get(plan.method.lower(), {})
        for response in (operation.get("responses") or {}).values():
            for name, header in ((response or {}).get("headers") or {}).items():
                schema = header.get("schema") or {}
                constrained = set(schema) - {"type", "description"} or schema.get("type") not in (
                    None,
                    "string",
                )
                (checkable if header.get("required") or constrained else loose).add(name)
    return sorted(checkable), sorted(loose - checkable)


def _spec_version(spec_id: str) -> str | None:
    from generator.errors import AoaiError
    from generator.spec import load_registry

    try:
        return str(load_registry().get(spec_id).api_version)
    except (AoaiError, KeyError):
        return None


def run_schemathesis_phase(ctx: RunContext) -> list[Finding]:
    """Run the phase on one surface; one finding per SCHEMA clause (pass/fail/...)."""
    redact = Redactor(ctx.secrets)
    spec_id = ctx.spec_ids.get(ctx.surface)
    clauses = list(SCHEMA_CLAUSES.values())
    if not spec_id:
        return [
            _finding(
                ctx,
                c,
                Outcome.SKIPPED,
                f"no registered spec for the {ctx.surface} surface at this api-version",
                "-",
                redact,
            )
            for c in clauses
        ]
    try:
        planned = _planned_cases(ctx, spec_id)
    except Exception as exc:  # noqa: BLE001 - a spec schemathesis cannot read is not the target's fault
        reason = (
            f"schemathesis could not generate requests from {spec_id}: {type(exc).__name__}: {exc}"
        )
        return [_finding(ctx, c, Outcome.INCONCLUSIVE, reason, spec_id, redact) for c in clauses]
    checks = _checks()
    checkable, loose = _headers_in_scope(spec_id, ctx.surface)
    not_checkable: dict[str, str] = {}
    if not checkable:
        # Honest outcome: nothing here could fail, so the clause is not "passed".
        checks.pop("SCHEMA-006")
        not_checkable["SCHEMA-006"] = (
            f"{spec_id} documents no required or constrained response header for these "
            f"operations (only optional strings: {', '.join(loose) or 'none'})"
        )
    seen: dict[str, int] = {c.id: 0 for c in clauses}
    failures: dict[str, _Observation] = {}
    delegated: dict[str, dict[str, int]] = {c.id: {} for c in clauses}
    stopped = ""  # why the phase ended before its plan (the budget)
    dropped: list[str] = []  # why single requests decided nothing (infrastructure, ...)
    prefix = _prefix(ctx)
    valid_negatives = 0  # "negative" cases the validator found valid: judged as valid ones
    for case, _plan, negative in planned:
        try:
            sent = _send(ctx, case, prefix, list(ctx.secrets), negative)
        except BudgetExhausted as exc:
            stopped = str(exc)
            break
        except InfrastructureError as exc:
            dropped.append(f"infrastructure: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - a case we cannot send is ours, not the target's
            dropped.append(f"a generated request could not be sent: {type(exc).__name__}: {exc}")
            continue
        if negative:
            # SCHEMA-004 counts only a request an independent validator (jsonschema on the
            # run's normalised spec) finds invalid as sent: the clamps or a lenient part of
            # the spec (unknown query keys are allowed) can leave a "negative" case valid
            sent.violations = _violations(spec_id, case, sent.exchange)
            if not sent.violations:
                sent.negative = False
                valid_negatives += 1
        try:
            observed = _run_checks(sent, checks)
        except Exception as exc:  # noqa: BLE001 - a check that crashes decides nothing
            dropped.append(f"schemathesis could not check a response: {type(exc).__name__}: {exc}")
            continue
        for clause_id, failure in observed.items():
            owner = _owner(clause_id, failure, sent, ctx.surface)
            if owner is not None:
                delegated[clause_id][owner] = delegated[clause_id].get(owner, 0) + 1
                continue
            if clause_id in failures:
                failures[clause_id].count += 1
                if case.operation.label not in failures[clause_id].operations:
                    failures[clause_id].operations.append(case.operation.label)
            else:
                failures[clause_id] = _Observation(failure, sent, 1, [case.operation.label])
        for clause_id in seen:
            if clause_id != "SCHEMA-004" or sent.negative:
                seen[clause_id] += 1
    findings: list[Finding] = []
    for clause in clauses:
        observation = failures.get(clause.id)
        if clause.id in not_checkable:
            findings.append(
                _finding(ctx, clause, Outcome.SKIPPED, not_checkable[clause.id], spec_id, redact)
            )
        elif observation is not None:
            reason = (
                f"{_first_line(observation.failure)} ({observation.count} of "
                f"{seen[clause.id]} generated requests; {', '.join(observation.operations)})"
            )
            findings.append(
                _finding(ctx, clause, Outcome.FAILED, reason, spec_id, redact, observation)
            )
        elif seen[clause.id]:
            reason = f"{seen[clause.id]} generated requests conform"
            if delegated[clause.id]:
                owned = ", ".join(f"{cid} ({n})" for cid, n in sorted(delegated[clause.id].items()))
                reason += f"; violations owned by catalog clauses were left to them: {owned}"
            if clause.id == "SCHEMA-004" and valid_negatives:
                reason += (
                    f"; {valid_negatives} generated negative requests were valid as sent "
                    "(jsonschema) and were judged as valid requests"
                )
            if stopped:
                reason += f" (phase stopped early: {stopped})"
            if dropped:
                reason += f" ({len(dropped)} more decided nothing: {dropped[0]})"
            findings.append(_finding(ctx, clause, Outcome.PASSED, reason, spec_id, redact))
        else:
            why = stopped or (dropped[0] if dropped else "")
            reason = why or "no request of this kind could be generated for this surface"
            outcome = Outcome.INCONCLUSIVE if why else Outcome.SKIPPED
            findings.append(_finding(ctx, clause, outcome, reason, spec_id, redact))
    return findings
