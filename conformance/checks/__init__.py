"""The contract catalog: one registered check per clause (see ``registry``).

Importing this package registers every clause; the order of the modules below is the
order in which clauses run on a surface (cheap routing and auth first, the shared stream
and completion next, then the clauses that reuse gathered error answers).
"""

from __future__ import annotations

from conformance.checks import (  # noqa: F401 - imported for registration
    apiver,
    auth,
    response,
    routes,
    stream,
)
from conformance.checks import boundary as _boundary  # noqa: F401
from conformance.checks import errors as _errors  # noqa: F401
from conformance.checks import filter as _filter  # noqa: F401
from conformance.checks import foundry as _foundry  # noqa: F401
from conformance.checks import headers as _headers  # noqa: F401
from conformance.checks import limits as _limits  # noqa: F401
from conformance.checks import model as _model  # noqa: F401
from conformance.checks import profile as _profile  # noqa: F401
from conformance.checks import responses as _responses  # noqa: F401
from conformance.checks import v1 as _v1  # noqa: F401
from conformance.checks.registry import (
    ALL_SURFACES,
    REGISTRY,
    Check,
    CheckRegistry,
    Verdict,
    clause,
)

# isort: split
# SCHEMA-* last: the schemathesis phase decides them after the surface's other clauses.
from conformance.checks import schema as _schema  # noqa: F401, E402

# isort: split
# SRV-001 after the phase: it reports the server errors every clause before it met.
from conformance.checks import server as _server  # noqa: F401, E402

__all__ = ["REGISTRY", "Check", "CheckRegistry", "Verdict", "clause", "ALL_SURFACES"]
