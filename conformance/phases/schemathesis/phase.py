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
  (``ctx.http.budget``); the phase plans at most ``plan.MAX_PHASE_REQUESTS`` per surface and
  stops, reporting the undecided clauses as inconclusive, when the budget runs out;
- every body is clamped before it is sent: the output-token limit is set to
  ``adapt.TOKEN_CAP`` (``max_tokens``, or ``max_completion_tokens`` for reasoning
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
(``plan._without_local_constants``). A negative case counts for SCHEMA-004 only when an
independent validator (jsonschema-rs on the run's normalised spec,
:func:`generator.spec.json_schema.request_violations`) confirms that the request as sent
violates the spec; unknown query keys are not a violation.

Layout: ``plan`` (what is sent: operations, generation, determinism), ``adapt`` (clamping,
sending, running schemathesis' checks, reading their failures by class), this module (the
loop over the planned cases, one finding per clause).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from conformance.checks.schema import SCHEMA_CLAUSES as _CATALOG_SCHEMA_CLAUSES
from conformance.http.budget import BudgetExhausted
from conformance.http.client import InfrastructureError
from conformance.model import Clause, Finding, Outcome
from conformance.phases.schemathesis.adapt import (
    Sent,
    clause_checks,
    describe,
    owner,
    prepare,
    run_checks,
    send,
    summary,
    url_prefix,
    violations,
)
from conformance.phases.schemathesis.plan import headers_in_scope, planned_cases, schema
from conformance.run.context import RunContext
from conformance.run.findings import make_finding

__all__ = ["SCHEMA_CLAUSES", "run_schemathesis_phase"]

#: The clauses this phase decides: registered in the catalog (conformance/checks/schema.py).
SCHEMA_CLAUSES: dict[str, Clause] = _CATALOG_SCHEMA_CLAUSES


@dataclass
class _Observation:
    """The first failure of a clause on this surface, and how often it was seen."""

    failure: BaseException
    sent: Sent
    count: int = 1
    operations: list[str] = field(default_factory=list)


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
        expected, observed, where = describe(clause.id, observation.failure, observation.sent)
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
    # the same label the runner gives the catalog's findings (conformance.run.target)
    label = getattr(ctx, "target_label", None)
    if isinstance(label, str) and label:
        return label
    return "emulator (in process)" if ctx.emulator else ctx.http.base_url


def run_schemathesis_phase(ctx: RunContext) -> list[Finding]:
    """Run the phase on one surface; one finding per SCHEMA clause (pass/fail/...)."""
    redact = ctx.http.secrets.redactor()
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
        planned = planned_cases(ctx, spec_id, prepare)
    except Exception as exc:  # noqa: BLE001 - a spec schemathesis cannot read is not the target's fault
        reason = (
            f"schemathesis could not generate requests from {spec_id}: {type(exc).__name__}: {exc}"
        )
        return [_finding(ctx, c, Outcome.INCONCLUSIVE, reason, spec_id, redact) for c in clauses]
    checkable, loose = headers_in_scope(spec_id, ctx.surface)
    not_checkable: dict[str, str] = {}
    if not checkable:
        # Honest outcome: nothing here could fail, so the clause is not "passed".
        not_checkable["SCHEMA-006"] = (
            f"{spec_id} documents no required or constrained response header for these "
            f"operations (only optional strings: {', '.join(loose) or 'none'})"
        )
    seen: dict[str, int] = {c.id: 0 for c in clauses}
    failures: dict[str, _Observation] = {}
    delegated: dict[str, dict[str, int]] = {c.id: {} for c in clauses}
    stopped = ""  # why the phase ended before its plan (the budget)
    dropped: list[str] = []  # why single requests decided nothing (infrastructure, ...)
    checks = [c for c in clause_checks() if c.clause_id not in not_checkable]
    document = schema(spec_id).raw_schema
    prefix = url_prefix(ctx)
    valid_negatives = 0  # "negative" cases the validator found valid: judged as valid ones
    for item in planned:
        case, negative = item.case, item.negative
        try:
            sent = send(ctx, case, prefix, negative)
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
            sent.violations = violations(document, case, sent.exchange)
            if not sent.violations:
                sent.negative = False
                valid_negatives += 1
        try:
            observed = run_checks(sent, checks)
        except Exception as exc:  # noqa: BLE001 - a check that crashes decides nothing
            dropped.append(f"schemathesis could not check a response: {type(exc).__name__}: {exc}")
            continue
        for clause_id, failure in observed.items():
            owned_by = owner(clause_id, failure, sent, ctx.surface)
            if owned_by is not None:
                delegated[clause_id][owned_by] = delegated[clause_id].get(owned_by, 0) + 1
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
                f"{summary(observation.failure)} ({observation.count} of "
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
