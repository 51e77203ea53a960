"""Old home of the schemathesis phase, kept for ``conformance/runner.py`` only.

The runner finds the phase with ``find_spec("conformance.schemathesis_phase")`` and
imports it from here; once it points at ``conformance.phases.schemathesis``, delete this.
"""

from __future__ import annotations

from conformance.phases.schemathesis import (
    MAX_PHASE_REQUESTS,
    OPERATIONS,
    SCHEMA_CLAUSES,
    TOKEN_CAP,
    build_schema,
    run_schemathesis_phase,
)

__all__ = [
    "MAX_PHASE_REQUESTS",
    "OPERATIONS",
    "SCHEMA_CLAUSES",
    "TOKEN_CAP",
    "build_schema",
    "run_schemathesis_phase",
]
