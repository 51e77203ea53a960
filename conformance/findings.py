"""The one place a :class:`~conformance.model.Finding` is built.

Every finding, from a catalog check, the schemathesis phase or a target nobody could reach,
comes from :func:`make_finding`: the clause gives the id, title, severity and (by default)
the citation; every free-text field passes through the run's redaction on the way in, so
a report can never be handed an unmasked secret. Findings are not edited afterwards; a
changed finding is a new one (``dataclasses.replace``).
"""

from __future__ import annotations

from collections.abc import Callable

from conformance.model import Clause, Finding, Outcome

__all__ = ["make_finding"]


def make_finding(
    clause: Clause,
    outcome: Outcome,
    *,
    surface: str,
    target: str,
    redact: Callable[[str], str],
    source: str | None = None,
    reason: str = "",
    expected: str = "",
    observed: str = "",
    where: str = "",
    reproduction: str = "",
) -> Finding:
    """A finding of ``clause``; ``reproduction`` must already be a redacted curl line."""
    return Finding(
        clause_id=clause.id,
        title=clause.title,
        outcome=outcome,
        severity=clause.severity,
        surface=surface,
        source=clause.source if source is None else source,
        reason=redact(reason),
        expected=redact(expected),
        observed=redact(observed),
        where=where,
        reproduction=reproduction,
        target=target,
    )
