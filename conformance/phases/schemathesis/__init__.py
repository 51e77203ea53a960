"""The schemathesis phase: property-based requests checked against the normalised spec.

``plan`` decides what is sent, ``adapt`` sends it and reads schemathesis' verdicts, and
``phase`` turns them into one finding per SCHEMA clause (see ``phase`` for the contract).
"""

from __future__ import annotations

from conformance.phases.schemathesis.adapt import TOKEN_CAP
from conformance.phases.schemathesis.phase import SCHEMA_CLAUSES, run_schemathesis_phase
from conformance.phases.schemathesis.plan import MAX_PHASE_REQUESTS, OPERATIONS, build_schema

__all__ = [
    "MAX_PHASE_REQUESTS",
    "OPERATIONS",
    "SCHEMA_CLAUSES",
    "TOKEN_CAP",
    "build_schema",
    "run_schemathesis_phase",
]
