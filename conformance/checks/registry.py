"""The clause registry: one small function per clause, with its id, title and citation.

A check receives the :class:`~conformance.run.context.RunContext` of one surface and returns
a :class:`Verdict`. Ids are stable (they drive ``--select``/``--deselect``, reports and the
baseline); registering an id twice is an error.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from conformance.http.client import Exchange
from conformance.model import Citation, Clause, Outcome, Severity, SurfaceName
from conformance.run.context import RunContext
from conformance.surfaces import SURFACES
from generator.errors import UsageError

__all__ = [
    "Verdict",
    "Check",
    "CheckRegistry",
    "REGISTRY",
    "clause",
    "phase_clause",
    "ok",
    "fail",
    "skip",
    "inconclusive",
    "needs",
    "ALL_SURFACES",
]

ALL_SURFACES: tuple[SurfaceName, ...] = SURFACES


@dataclass
class Verdict:
    """What a check concluded, with the evidence a failure needs."""

    outcome: Outcome
    reason: str = ""
    expected: str = ""
    observed: str = ""
    where: str = ""
    exchange: Exchange | None = None


def ok(reason: str, exchange: Exchange | None = None) -> Verdict:
    return Verdict(Outcome.PASSED, reason, exchange=exchange)


def fail(
    reason: str,
    *,
    expected: str,
    observed: str,
    where: str = "",
    exchange: Exchange | None = None,
) -> Verdict:
    return Verdict(Outcome.FAILED, reason, expected, observed, where, exchange)


def skip(reason: str) -> Verdict:
    return Verdict(Outcome.SKIPPED, reason)


def inconclusive(reason: str, exchange: Exchange | None = None) -> Verdict:
    return Verdict(Outcome.INCONCLUSIVE, reason, exchange=exchange)


CheckFunc = Callable[[RunContext], Verdict]

_A = TypeVar("_A")
_B = TypeVar("_B")


def needs(
    precondition: Callable[[RunContext], tuple[_A, _B] | Verdict],
) -> Callable[[Callable[[RunContext, _A, _B], Verdict]], CheckFunc]:
    """Hand a check what it needs, or decide the clause without it.

    ``precondition`` makes (or reuses) the request a family of clauses reads and returns
    what the check inspects, e.g. ``(exchange, body)``, or the :class:`Verdict` that
    decides every clause of the family when the answer cannot be judged (an
    ``inconclusive`` for a 5xx or a non-JSON body). The check below it is then written for
    the good case only::

        @clause("RESP-001", ...)
        @needs(_completion)
        def completion_object(ctx, exchange, body): ...
    """

    def wrap(check: Callable[[RunContext, _A, _B], Verdict]) -> CheckFunc:
        @functools.wraps(check)
        def run(ctx: RunContext) -> Verdict:
            got = precondition(ctx)
            if isinstance(got, Verdict):
                return got
            return check(ctx, *got)

        return run

    return wrap


@dataclass(frozen=True)
class Check:
    """A clause and what decides it: its own function, or a phase of the run.

    Phase clauses (``phase="schemathesis"``) are decided together by one pass over the
    spec, so they have no function of their own; they are in the registry all the same,
    so that ``contracts``, ``docs/contracts.md``, ``--select`` and the baseline know them.
    """

    clause: Clause
    func: CheckFunc | None = field(compare=False)
    phase: str | None = None

    @property
    def id(self) -> str:
        return self.clause.id

    def applies_to(self, surface: str) -> bool:
        return surface in self.clause.surfaces


class CheckRegistry:
    """Ordered, id-unique collection of checks."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def register(self, check: Check) -> None:
        if check.id in self._checks:
            raise ValueError(f"clause id {check.id!r} is registered twice")
        self._checks[check.id] = check

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    def __contains__(self, clause_id: object) -> bool:
        return clause_id in self._checks

    def get(self, clause_id: str) -> Check:
        return self._checks[clause_id]

    def ids(self) -> list[str]:
        return list(self._checks)

    def select(self, select: Iterable[str] = (), deselect: Iterable[str] = ()) -> list[Check]:
        """Checks matching any ``select`` pattern (all if none) and no ``deselect`` one.

        Patterns are ids or shell-style globs (``STREAM-*``), case-insensitive; a pattern
        that matches nothing is a usage error (a typo must not silently run nothing).
        """
        chosen = list(self._checks.values())
        sel, desel = [p.upper() for p in select], [p.upper() for p in deselect]
        for pattern in sel + desel:
            if not any(fnmatch.fnmatchcase(cid, pattern) for cid in self._checks):
                raise UsageError(
                    f"no clause matches {pattern!r}; run `aoai-conformance contracts` "
                    "to list the clause ids"
                )
        if sel:
            chosen = [c for c in chosen if any(fnmatch.fnmatchcase(c.id, p) for p in sel)]
        if desel:
            chosen = [c for c in chosen if not any(fnmatch.fnmatchcase(c.id, p) for p in desel)]
        return chosen


REGISTRY = CheckRegistry()


def clause(
    clause_id: str,
    title: str,
    *,
    severity: Severity = "must",
    surfaces: tuple[SurfaceName, ...] = ALL_SURFACES,
    cites: Iterable[tuple[str, str]],
) -> Callable[[CheckFunc], CheckFunc]:
    """Register the decorated function as the check of ``clause_id``."""
    citations = tuple(Citation(doc, section) for doc, section in cites)
    if not citations:
        raise ValueError(f"clause {clause_id} needs at least one citation")

    def decorate(func: CheckFunc) -> CheckFunc:
        REGISTRY.register(Check(Clause(clause_id, title, severity, surfaces, citations), func))
        return func

    return decorate


def phase_clause(clause_obj: Clause, *, phase: str) -> Clause:
    """Register a clause that a phase of the run (not a function) decides."""
    REGISTRY.register(Check(clause_obj, None, phase=phase))
    return clause_obj
