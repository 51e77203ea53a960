"""SCHEMA-*: the clauses the schemathesis phase decides (``conformance.phases.schemathesis``).

They are catalog clauses like any other (listed by ``contracts``, selectable, baselined);
what differs is that one schemathesis pass over the normalised spec decides all of them,
so they register without a function of their own.
"""

from __future__ import annotations

from conformance.checks.registry import ALL_SURFACES, phase_clause
from conformance.model import Citation, Clause, Severity

__all__ = ["SCHEMA_CLAUSES", "PHASE"]

PHASE = "schemathesis"

_SPEC = Citation(
    "the run's normalised upstream spec (specs/registry.json + specs/overlays)",
    "the operation's responses",
)


def _clause(cid: str, title: str, severity: Severity, *extra: Citation) -> Clause:
    return phase_clause(Clause(cid, title, severity, ALL_SURFACES, (_SPEC, *extra)), phase=PHASE)


#: The clauses the phase decides, by id, in the order it reports them.
SCHEMA_CLAUSES: dict[str, Clause] = {
    c.id: c
    for c in (
        _clause("SCHEMA-001", "responses match the documented response schema", "must"),
        _clause("SCHEMA-002", "response status codes are documented", "must"),
        _clause(
            "SCHEMA-003",
            "response Content-Type is documented for the status",
            "must",
            Citation("seed 003", "Response Formats"),
        ),
        _clause(
            "SCHEMA-004",
            "schema-invalid requests are rejected with a 4xx",
            "should",
            Citation("seed 004", "Responses (400, 422)"),
        ),
        _clause(
            "SCHEMA-005",
            "no generated request causes a 500/501 server error",
            "must",
            Citation("seed 004", "Responses"),
        ),
        _clause("SCHEMA-006", "documented response headers are present and valid", "should"),
    )
}
