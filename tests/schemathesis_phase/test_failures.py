"""Every failure schemathesis can raise from the checks the phase runs is a known class.

schemathesis documents, on each failure class, the checks that raise it
(``Failure.checks``). The phase reads failures by class (``adapt.describe``/``owner``), so
a schemathesis upgrade that adds a failure class to one of our checks must fail here,
not quietly fall back to a generic description.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

pytest.importorskip("schemathesis", reason="the schemathesis phase needs schemathesis")

from conformance.phases.schemathesis import SCHEMA_CLAUSES  # noqa: E402
from conformance.phases.schemathesis.adapt import ClauseCheck, clause_checks  # noqa: E402

# Where schemathesis defines the failures of its OpenAPI checks; GraphQL's failures
# (schemathesis.graphql) share check names but are raised for GraphQL schemas only.
_FAILURE_MODULES = (
    "schemathesis.core.failures",
    "schemathesis.openapi.checks",
    "schemathesis.specs.openapi.checks",
    "schemathesis.checks",
)


def _failure_classes() -> list[type[BaseException]]:
    from schemathesis.core.failures import Failure

    for name in _FAILURE_MODULES:
        importlib.import_module(name)

    def below(cls: type[BaseException]) -> Iterator[type[BaseException]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return sorted(
        {c for c in below(Failure) if not c.__module__.startswith("schemathesis.graphql")},
        key=lambda c: (c.__module__, c.__qualname__),
    )


def _documented(check_name: str) -> list[type[BaseException]]:
    return [c for c in _failure_classes() if check_name in getattr(c, "checks", ())]


def test_one_check_per_clause_in_clause_order() -> None:
    assert [c.clause_id for c in clause_checks()] == list(SCHEMA_CLAUSES)


@pytest.mark.parametrize("entry", clause_checks(), ids=lambda e: e.clause_id)
def test_every_documented_failure_of_the_check_is_mapped(entry: ClauseCheck) -> None:
    name = entry.check.__name__
    documented = _documented(name)
    # schemathesis still documents its failures per check (else this test proves nothing)
    assert documented, f"no failure class documents {name!r}: has Failure.checks moved?"
    unmapped = [c.__qualname__ for c in documented if not issubclass(c, entry.failures)]
    assert not unmapped, (
        f"{entry.clause_id} ({name}) can fail with {unmapped}: add them to "
        "adapt.clause_checks and decide how adapt.describe reads them"
    )


@pytest.mark.parametrize("entry", clause_checks(), ids=lambda e: e.clause_id)
def test_every_mapped_failure_is_documented_for_its_check(entry: ClauseCheck) -> None:
    name = entry.check.__name__
    stale = [c.__qualname__ for c in entry.failures if name not in getattr(c, "checks", ())]
    assert not stale, f"{entry.clause_id}: {stale} are no longer raised by {name}"
