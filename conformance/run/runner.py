"""The runner: every selected clause on every surface of a target → one RunResult.

Per surface it first makes the shared basic completion, which doubles as a probe:

- a 400 naming ``max_tokens`` marks a reasoning deployment; the suite switches to
  ``max_completion_tokens`` (seed 002 §changelog 2024-09-01-preview) — a documented model
  limitation, not a divergence;
- a 404 to the default api-version (not one the user asked for) means the target does
  not serve that version: the surface's clauses are *skipped* as "not served".

Then each clause runs; a check that hits a timeout, a connection error, an unavailable
target (502/503/504, 429 storms) or the end of the budget is *inconclusive*. A valid
request answered 500/501 is a divergence reported once per operation (SRV-001, decided
after the surface's other clauses); the clauses that needed its answer are inconclusive
and name it. A profile's documented deviations are
*skipped* with the profile's reason. Ctrl-C stops the run and returns what was found so
far with ``interrupted`` set.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol

from conformance.checks import REGISTRY, Check
from conformance.checks._common import basic_chat
from conformance.checks.boundary import filter_checks as filter_boundary
from conformance.checks.boundary import sent as boundary_sent
from conformance.checks.model import detect_model_family, limitation_notes, limitation_verdict
from conformance.checks.registry import Verdict
from conformance.checks.schema import PHASE as SCHEMA_PHASE
from conformance.checks.scope import DEPLOYMENT, scope_of
from conformance.checks.server import PHASE as SERVER_PHASE
from conformance.checks.server import server_error_verdicts
from conformance.http.budget import BudgetExhausted
from conformance.http.client import InfrastructureError, ServerErrorAnswer
from conformance.http.redact import Redactor, redact_logging
from conformance.model import Finding, Outcome, RunResult
from conformance.run.context import RunContext
from conformance.run.deployments import run_deployments
from conformance.run.findings import make_finding
from conformance.run.options import RunOptions
from conformance.run.target import (
    PROBE_UNKNOWN_SUFFIX,
    Target,
    TargetUnreachable,
    open_target,
)
from conformance.surfaces import rules_for

__all__ = [
    "Progress",
    "run_suite",
    "execute",
    "run_target",
    "schemathesis_available",
    "unreachable_result",
]


class Progress(Protocol):
    """What the console reporter implements (``conformance.reports.console``)."""

    def start(self, total: int) -> None: ...

    def advance(self, finding: Finding) -> None: ...

    def finish(self, result: RunResult) -> None: ...


def schemathesis_available() -> bool:
    """Whether the schemathesis phase (issue 5, part B) is installed in this build."""
    return importlib.util.find_spec("conformance.phases.schemathesis") is not None


class BaselineLike(Protocol):
    def apply(self, result: RunResult) -> None: ...


def run_suite(
    options: RunOptions,
    progress: Progress | None = None,
    baseline: BaselineLike | None = None,
) -> RunResult:
    """Open the target, run the selected clauses, close the target."""
    return execute(options, progress, baseline)[0]


def execute(
    options: RunOptions,
    progress: Progress | None = None,
    baseline: BaselineLike | None = None,
) -> tuple[RunResult, tuple[str, ...]]:
    """:func:`run_suite` plus the run's secrets (for redacting report files)."""
    checks = REGISTRY.select(options.select, options.deselect)
    checks = filter_boundary(checks, options.boundary, options.select)
    secrets = options.target.secrets  # open_target puts the run's keys in it first
    # log records of httpx/httpcore/ours pass through redaction while the run lasts; the
    # set is read per record, so Entra tokens are covered the moment they are issued
    with redact_logging(secrets.snapshot), open_target(options.target) as target:
        result = run_target(
            target,
            checks,
            progress=progress,
            schemathesis=options.schemathesis,
            baseline=baseline,
            deployments=options.deployments,
        )
        return result, secrets.snapshot()


def unreachable_result(options: RunOptions, error: TargetUnreachable) -> RunResult:
    """The report of a run whose target never answered: every clause inconclusive (exit 3)."""
    checks = [
        c
        for c in filter_boundary(
            REGISTRY.select(options.select, options.deselect), options.boundary, options.select
        )
        if c.phase is None or options.schemathesis
    ]
    surface = options.target.surface
    result = RunResult(
        target=options.target.target or "(target from the environment)",
        surfaces=[],
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        notes=[f"unreachable: {error}"],
    )
    redact = Redactor()  # the credential variables and credential-shaped text
    for check in checks:
        result.findings.append(
            make_finding(
                check.clause,
                Outcome.INCONCLUSIVE,
                surface=surface,
                target=result.target,
                redact=redact,
                reason=f"infrastructure: {error}",
            )
        )
    return result


def run_target(
    target: Target,
    checks: list[Check],
    *,
    progress: Progress | None = None,
    schemathesis: bool = True,
    baseline: BaselineLike | None = None,
    deployments: tuple[str, ...] = (),
) -> RunResult:
    started = time.perf_counter()
    several = len(deployments) > 1  # per-deployment clauses: conformance/run/deployments.py
    result = RunResult(
        target=target.label,
        surfaces=[c.surface for c in target.contexts],
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        notes=list(target.notes),
    )
    result.spend = target.budget.spend
    # SCHEMA-* clauses are decided together by the schemathesis phase, the rest one by one
    phase_checks = [c for c in checks if c.phase == SCHEMA_PHASE]
    server_checks = [c for c in checks if c.phase == SERVER_PHASE]
    checks = [c for c in checks if c.phase is None]
    run_phase = schemathesis and bool(phase_checks) and schemathesis_available()
    if not run_phase:
        phase_checks = []
    plan = [
        (ctx, check)
        for ctx in target.contexts
        for check in (*checks, *phase_checks, *server_checks)
        if check.applies_to(ctx.surface)
    ]
    if progress is not None:
        progress.start(len(plan))

    def emit(finding: Finding) -> None:
        result.findings.append(finding)
        if progress is not None:
            progress.advance(finding)

    try:
        for ctx in target.contexts:
            surface_checks = [c for c in checks if c.applies_to(ctx.surface)]
            initial_token_param = ctx.token_param
            not_served = _prepare_surface(ctx, result)
            per_deployment: list[Check] = []
            if several:
                per_deployment = [c for c in surface_checks if scope_of(c.id) == DEPLOYMENT]
                surface_checks = [c for c in surface_checks if c not in per_deployment]
            for check in surface_checks:
                # how a path the target does not serve is answered is ROUTE-*'s question,
                # on any surface: those still run when the surface is not served
                routing = check.id.startswith("ROUTE-") and ctx.cache.get(_UNSERVED_5XX)
                emit(_run_check(ctx, check, target, None if routing else not_served))
            if several:
                surface_server = [c for c in server_checks if c.applies_to(ctx.surface)]

                each = partial(
                    _deployment_findings,
                    checks=per_deployment + surface_server,
                    target=target,
                    result=result,
                    not_served=not_served,
                )
                for finding in run_deployments(ctx, deployments, initial_token_param, each):
                    emit(finding)
            surface_phase = [c for c in phase_checks if c.applies_to(ctx.surface)]
            if not surface_phase:
                pass
            elif not_served is not None:
                for check in surface_phase:
                    emit(_run_check(ctx, check, target, not_served))
            elif ctx.http.transport.breaker.open:
                result.notes.append(
                    f"{ctx.surface}: schemathesis phase not run: the target is failing "
                    f"({ctx.http.transport.breaker.reason})"
                )
            else:
                wanted = {c.id for c in surface_phase}
                for finding in _schemathesis(ctx, result):
                    if finding.clause_id in wanted:
                        emit(_profiled(ctx, finding))
            for check in server_checks:
                if check.applies_to(ctx.surface):
                    for finding in _server_errors(ctx, check, target, not_served):
                        emit(finding)
    except KeyboardInterrupt:
        result.interrupted = True
        result.notes.append("interrupted: the report holds the clauses finished so far")
    if schemathesis and not run_phase and not schemathesis_available():
        result.notes.append(
            "schemathesis phase not run: conformance.phases.schemathesis is not installed"
        )
    for ctx in target.contexts:
        result.notes.extend(limitation_notes(ctx))
    if any(c.id.startswith("BOUND-") for c in checks):
        result.notes.append(
            f"boundary: {sum(boundary_sent(ctx) for ctx in target.contexts)} boundary cases "
            "sent (one invalid request each; --boundary all|sample|none)"
        )
    transport = target.transport
    if transport.retries:
        result.notes.append(
            f"network: {transport.retries} retries (each counted as a request), "
            f"{transport.waited_s:.1f}s of back-off"
        )
    if transport.breaker.open:
        result.notes.append(
            f"network: stopped contacting the target after {transport.breaker.failures} "
            f"failed requests in a row (last: {transport.breaker.reason}); the clauses after "
            "that are inconclusive"
        )
    result.notes = [target.secrets.redact(n) for n in result.notes]
    result.duration_s = round(time.perf_counter() - started, 3)
    if baseline is not None:
        baseline.apply(result)
    if progress is not None:
        progress.finish(result)
    return result


_UNSERVED_5XX = "runner:unserved-5xx"


def _unserved_by_5xx(ctx: RunContext, error: ServerErrorAnswer) -> str | None:
    """A surface whose every path answers the same 5xx, one no service has included.

    The chat route's 500 is then no evidence that the surface exists (a pass-through that
    fails whatever it is sent; seen on a real gateway under /openai/v1/): the surface is
    not served, which is reported, rather than a failing route that makes every clause
    inconclusive.
    """
    status = error.exchange.status
    path = rules_for(ctx.surface).base_path + PROBE_UNKNOWN_SUFFIX
    try:
        control = ctx.send(
            "POST", path, params={}, json_body={"messages": []}, expect_status=(404, status)
        )
    except (InfrastructureError, BudgetExhausted):
        return None
    if control.status != status:
        return None
    ctx.cache[_UNSERVED_5XX] = True
    ctx.http.server_errors.clear()  # not a served route failing: the ROUTE clauses report it
    return (
        f"not served: the {ctx.surface} chat route and {path}, a path no service has, are "
        f"both answered {status}: the target does not serve this surface (ROUTE-* still run)"
    )


def _prepare_surface(ctx: RunContext, result: RunResult) -> str | None:
    """Probe with the basic completion; adapt to reasoning models; detect unserved versions.

    Returns a reason when the surface is not served at the chosen api-version, or not
    served at all (every path under its base answers the same 5xx).
    """
    try:
        exchange = basic_chat(ctx)
    except ServerErrorAnswer as exc:
        reason = _unserved_by_5xx(ctx, exc)
        if reason is not None:
            result.notes.append(f"{ctx.surface}: {reason}")
        return reason
    except (InfrastructureError, BudgetExhausted):
        return None  # every clause will meet the same failure and say so
    if (
        exchange.status == 400
        and ctx.token_param == "max_tokens"
        and "max_tokens" in exchange.text
        and "max_completion_tokens" in exchange.text
    ):
        # seed 002 §changelog 2024-09-01-preview: reasoning models reject max_tokens;
        # a documented model limitation, so the suite adapts instead of reporting it.
        ctx.token_param = "max_completion_tokens"
        ctx.cache.clear()
        result.notes.append(
            f"{ctx.surface}: deployment {ctx.deployment!r} rejects max_tokens (reasoning "
            "model); requests use max_completion_tokens"
        )
        try:
            exchange = basic_chat(ctx)
        except (InfrastructureError, BudgetExhausted):
            return None
    if exchange.status == 200:
        # which model family's documented rules apply (conformance.model_families)
        note = detect_model_family(ctx, exchange.json, hinted=ctx.model_family is not None)
        if note:
            result.notes.append(note)
    version_refused = exchange.status == 404 or (
        ctx.surface == "foundry" and exchange.status == 400 and "api-version" in exchange.text
    )
    if ctx.api_version and not ctx.api_version_explicit and version_refused:
        reason = (
            f"not served: the target answers {exchange.status} to {ctx.surface} requests at "
            f"api-version {ctx.api_version} (the default); pass --api-version to check a "
            "version it serves"
        )
        result.notes.append(f"{ctx.surface}: {reason}")
        return reason
    return None


def _deployment_findings(
    dctx: RunContext,
    probe: bool,
    *,
    checks: list[Check],
    target: Target,
    result: RunResult,
    not_served: str | None,
) -> Iterator[Finding]:
    """One deployment's per-deployment clauses (``conformance.run.deployments``); ``probe``:
    a deployment other than the first makes its own basic completion first."""
    reason = _prepare_surface(dctx, result) if probe else not_served
    for check in checks:
        if check.phase == SERVER_PHASE:
            yield from _server_errors(dctx, check, target, reason)
        else:
            yield _run_check(dctx, check, target, reason)


def _profiled(ctx: RunContext, finding: Finding) -> Finding:
    """A phase finding on a clause the profile documents as a deviation is skipped."""
    deviation = ctx.profile.deviation(finding.clause_id) if ctx.profile is not None else None
    if deviation is None or finding.outcome is Outcome.SKIPPED:
        return finding
    return replace(
        finding,
        outcome=Outcome.SKIPPED,
        reason=f"expected deviation of profile {ctx.profile.id}: {deviation.reason} "
        f"({deviation.source})",
        expected="",
        observed="",
        where="",
        reproduction="",
    )


def _run_check(ctx: RunContext, check: Check, target: Target, not_served: str | None) -> Finding:
    clause = check.clause
    deviation = ctx.profile.deviation(clause.id) if ctx.profile is not None else None
    if deviation is not None:
        verdict = Verdict(
            Outcome.SKIPPED,
            f"expected deviation of profile {ctx.profile.id}: {deviation.reason} "
            f"({deviation.source})",
        )
    elif not_served is not None:
        verdict = Verdict(Outcome.SKIPPED, not_served)
    elif check.func is None:  # a phase clause reaches here only to be skipped
        raise AssertionError(f"{clause.id} is decided by the {check.phase} phase")
    else:
        # a documented limitation of the deployment's model is a skip, never a failure
        verdict = limitation_verdict(ctx, clause.id, _call(check.func, ctx))
    return _finding(ctx, check, verdict, target)


def _call(func: Callable[[RunContext], Verdict], ctx: RunContext) -> Verdict:
    try:
        return func(ctx)
    except BudgetExhausted as exc:
        return Verdict(Outcome.INCONCLUSIVE, str(exc))
    except ServerErrorAnswer as exc:
        return Verdict(Outcome.INCONCLUSIVE, str(exc), exchange=exc.exchange)
    except InfrastructureError as exc:
        return Verdict(Outcome.INCONCLUSIVE, f"infrastructure: {exc}")
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - a check bug must not end the run
        return Verdict(
            Outcome.INCONCLUSIVE, f"the check itself failed: {type(exc).__name__}: {exc}"
        )


def _server_errors(
    ctx: RunContext, check: Check, target: Target, not_served: str | None
) -> list[Finding]:
    """SRV-001 on one surface, from the server errors its other clauses met."""
    if not_served is not None or (
        ctx.profile is not None and ctx.profile.deviation(check.id) is not None
    ):
        return [_run_check(ctx, check, target, not_served)]
    return [_finding(ctx, check, v, target) for v in server_error_verdicts(ctx)]


def _finding(ctx: RunContext, check: Check, verdict: Verdict, target: Target) -> Finding:
    reproduction = ""
    if verdict.exchange is not None and verdict.outcome is not Outcome.SKIPPED:
        reproduction = verdict.exchange.curl(target.secrets)
    return make_finding(
        check.clause,
        verdict.outcome,
        surface=ctx.surface,
        target=target.label,
        redact=target.secrets.redactor(),
        reason=verdict.reason,
        expected=verdict.expected,
        observed=verdict.observed,
        where=verdict.where,
        reproduction=reproduction,
    )


# One schemathesis phase at a time in a process: its hypothesis engine is not safe to run
# from several threads at once (concurrent fleet targets met FlakyFailure "Inconsistent
# results"); the rest of the targets' runs still overlap.
_PHASE_LOCK = threading.Lock()


def _schemathesis(ctx: RunContext, result: RunResult) -> list[Finding]:
    from conformance.phases import schemathesis as schemathesis_phase

    try:
        with _PHASE_LOCK:
            findings: Any = schemathesis_phase.run_schemathesis_phase(ctx)
        return list(findings)
    except (BudgetExhausted, InfrastructureError) as exc:
        result.notes.append(f"{ctx.surface}: schemathesis phase stopped: {exc}")
        return []
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - the clause catalog's findings still stand
        result.notes.append(
            f"{ctx.surface}: schemathesis phase failed ({type(exc).__name__}: {exc}); "
            "its findings are missing from this report"
        )
        return []
