"""The one place a :class:`~conformance.model.Finding` is built.

Every finding, from a catalog check, the schemathesis phase or a target nobody could reach,
comes from :func:`make_finding`: the clause gives the id, title, severity and (by default)
the citation; every free-text field passes through the run's redaction on the way in, so
a report can never be handed an unmasked secret. Findings are not edited afterwards; a
changed finding is a new one (``dataclasses.replace``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from conformance.model import Clause, Finding, Outcome

__all__ = ["make_finding", "finding_from_json"]

_FIELDS = {f.name for f in dataclasses.fields(Finding)}


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


def finding_from_json(raw: Any, where: str) -> Finding:
    """A finding read back from a JSON report (``Finding.to_json``), e.g. by ``report merge``.

    Its text was redacted when it was first made; ``ValueError`` names ``where`` when the
    object is not a finding.
    """
    if not isinstance(raw, dict) or not {"clause_id", "outcome"} <= set(raw):
        raise ValueError(f"{where}: a finding needs clause_id and outcome")
    values = {k: v for k, v in raw.items() if k in _FIELDS}
    values["outcome"] = Outcome(raw["outcome"])
    for name in ("title", "severity", "surface", "source"):
        values.setdefault(name, "")
    return Finding(**values)
