"""What the schemathesis phase sends: the operations in scope and their generated cases.

Loading a spec into schemathesis and generating cases is the slow part, and it is
deterministic, so both are cached per process (:data:`_SCHEMAS`, :data:`_CASES`).

Deterministic: the same spec and Hypothesis version give the same cases on every install
(editable or wheel) and in every process. Generation is derandomised, keeps no database,
and Hypothesis' pool of constants mined from "local" modules is switched off while the
phase generates (:func:`_without_local_constants`, issue 11).

Nothing here sends a request or makes a case live-safe: :func:`planned_cases` takes the
preparation step (``adapt.prepare``) as an argument, so planning stays independent of the
run's transport.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.surfaces import pins_api_version

if TYPE_CHECKING:
    from conformance.run.context import RunContext

__all__ = [
    "MAX_PHASE_REQUESTS",
    "OPERATIONS",
    "OperationPlan",
    "Planned",
    "Prepare",
    "build_schema",
    "headers_in_scope",
    "planned_cases",
    "schema",
]

#: The most requests the phase sends on one surface.
MAX_PHASE_REQUESTS = 16


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

#: Makes a generated case live-safe in place; False if it can no longer be sent as planned
#: (``(case, plan, ctx, negative)``; the phase passes ``adapt.prepare``).
Prepare = Callable[[Any, OperationPlan, "RunContext", bool], bool]


@dataclass(frozen=True)
class Planned:
    """One case to send, the operation it belongs to, and whether it is schema-invalid."""

    case: Any  # schemathesis.Case, already prepared
    plan: OperationPlan
    negative: bool


# -- loading and generation (cached per process: deterministic, and the slow part) ------

_LOCK = threading.Lock()
_GENERATING = threading.Lock()
_SCHEMAS: dict[str, Any] = {}
_CASES: dict[tuple[Any, ...], list[Any]] = {}


def schema(spec_id: str) -> Any:
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

    # Derandomised, Hypothesis seeds from the source text of `collect`, decorators
    # included: editing it (not its comments) changes every generated case.
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


# -- the plan of one surface -------------------------------------------------------------


def planned_cases(ctx: RunContext, spec_id: str, prepare: Prepare) -> list[Planned]:
    """The cases the phase sends on ``ctx.surface``, in order, at most
    :data:`MAX_PHASE_REQUESTS`: per operation an anchor, then positive, then negative ones.
    Cases that ``prepare`` cannot make live-safe as planned are left out."""
    from schemathesis.generation import GenerationMode

    loaded = schema(spec_id)
    out: list[Planned] = []
    for plan in OPERATIONS.get(ctx.surface, ()):
        operation = _operation(loaded, plan.method, plan.path)
        if operation is None:
            continue
        fixed: dict[str, Any] = {}
        if "{deployment-id}" in plan.path:
            fixed["path_parameters"] = {"deployment-id": ctx.deployment}
        if pins_api_version(ctx.surface):
            version = ctx.api_version or _spec_version(spec_id)
            if version:
                fixed["query"] = {"api-version": version}
        anchor = _anchor(operation, plan, ctx, fixed, prepare)
        if anchor is not None:
            out.append(Planned(anchor, plan, False))
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
                    if prepare(c, plan, ctx, negative)
                ]
                with _LOCK:
                    _CASES[key] = cached
            out += [Planned(case, plan, negative) for case in cached]
    return out[:MAX_PHASE_REQUESTS]


def _anchor(
    operation: Any, plan: OperationPlan, ctx: RunContext, fixed: dict[str, Any], prepare: Prepare
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
    return case if prepare(case, plan, ctx, False) else None


def headers_in_scope(spec_id: str, surface: str) -> tuple[list[str], list[str]]:
    """(checkable, optional-string) response headers the in-scope operations document.

    A header can only fail ``response_headers_conformance`` when it is required or its
    schema constrains more than "a string": an optional string header cannot be wrong.
    """
    doc = schema(spec_id).raw_schema
    checkable: set[str] = set()
    loose: set[str] = set()
    for plan in OPERATIONS.get(surface, ()):
        operation = doc.get("paths", {}).get(plan.path, {}).get(plan.method.lower(), {})
        for response in (operation.get("responses") or {}).values():
            for name, header in ((response or {}).get("headers") or {}).items():
                header_schema = header.get("schema") or {}
                constrained = set(header_schema) - {"type", "description"} or header_schema.get(
                    "type"
                ) not in (None, "string")
                (checkable if header.get("required") or constrained else loose).add(name)
    return sorted(checkable), sorted(loose - checkable)


def _spec_version(spec_id: str) -> str | None:
    from generator.errors import AoaiError
    from generator.spec import load_registry

    try:
        return str(load_registry().get(spec_id).api_version)
    except (AoaiError, KeyError):
        return None
