"""The shared vocabulary of a conformance run: clauses, outcomes, findings, run results.

Every part of the suite (checks, schemathesis phase, runner, reports, baseline, pytest
plugin) speaks these types; every report format renders the same :class:`Finding`.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from generator.spec.registry import Surface

__all__ = [
    "Severity",
    "Outcome",
    "SurfaceName",
    "Citation",
    "Clause",
    "Finding",
    "Spend",
    "RunResult",
    "FINDINGS_SCHEMA_VERSION",
]

FINDINGS_SCHEMA_VERSION = "1"

Severity = Literal["must", "should", "info"]
SurfaceName = Surface  # the one spelling: generator.spec.registry.SURFACES


class Outcome(enum.StrEnum):
    """Four different things; an unreachable target is never a pass or a fail."""

    PASSED = "passed"
    FAILED = "failed"
    INCONCLUSIVE = "inconclusive"  # infrastructure failure, budget exhausted, ...
    SKIPPED = "skipped"  # does not apply (surface, profile, model limitation, ...)


@dataclass(frozen=True)
class Citation:
    """The document and section a clause enforces, e.g. ``seed 003`` / ``Final chunk``."""

    document: str
    section: str

    def __str__(self) -> str:
        return f"{self.document} §{self.section}"


@dataclass(frozen=True)
class Clause:
    """One contract clause: stable id, title, severity, surfaces, and its citations."""

    id: str
    title: str
    severity: Severity
    surfaces: tuple[SurfaceName, ...]
    citations: tuple[Citation, ...]

    @property
    def source(self) -> str:
        return "; ".join(str(c) for c in self.citations)


@dataclass
class Finding:
    """The one failure shape, rendered the same way in every report format.

    ``reproduction`` is a ``curl`` command with secrets already redacted; ``where`` is a
    JSON pointer into the response body (``/choices/0/finish_reason``) or a header name
    (``header:x-ms-error-code``).
    """

    clause_id: str
    title: str
    outcome: Outcome
    severity: Severity
    surface: str
    source: str
    reason: str = ""
    expected: str = ""
    observed: str = ""
    where: str = ""
    reproduction: str = ""
    target: str = ""
    baselined: bool = False
    # set when the run checks several deployments and this clause runs for each
    deployment: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        if not self.deployment:
            del data["deployment"]  # a one-deployment report keeps its shape
        return data


@dataclass
class Spend:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class RunResult:
    target: str
    surfaces: list[str]
    findings: list[Finding] = field(default_factory=list)
    spend: Spend = field(default_factory=Spend)
    started_at: str = ""
    duration_s: float = 0.0
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {o.value: 0 for o in Outcome}
        for finding in self.findings:
            counts[finding.outcome.value] += 1
        return counts

    def new_failures(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome is Outcome.FAILED and not f.baselined]

    def exit_code(self) -> int:
        """0 conforms, 1 divergences outside the baseline, 3 unreachable/inconclusive."""
        if self.new_failures():
            return 1
        if self.interrupted or any(f.outcome is Outcome.INCONCLUSIVE for f in self.findings):
            return 3
        return 0
