"""Which clauses run once per deployment and which once per target (``--deployment`` ×N).

A run with several deployments (``run --deployment A --deployment B``, or a fleet
target's ``deployments = [...]``) runs the *deployment* clauses for every deployment —
what a deployment's model answers: the answer's shape, streaming, usage, tool calls,
content filtering, the Responses API — and the *target* clauses once, on the first
deployment — how the service routes, authenticates, versions and reports errors, which
does not depend on the model behind it.

The table is explicit, one line per clause: a clause added to the catalog without a scope
here fails ``tests/suite/test_deployments.py``. The generated boundary clauses (BOUND-*,
``conformance/checks/boundary.py``) are request validation by the service: target.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["Scope", "DEPLOYMENT", "TARGET", "SCOPES", "scope_of"]

Scope = Literal["deployment", "target"]
DEPLOYMENT: Scope = "deployment"
TARGET: Scope = "target"

_DEPLOYMENT_CLAUSES = (
    # the answer: object, finish_reason, usage, n, length cut, tools, JSON mode, ids, ...
    *(f"RESP-{n:03d}" for n in range(1, 18)),
    # streaming: framing, chunks, [DONE], include_usage, content
    *(f"STREAM-{n:03d}" for n in range(1, 13)),
    # the Responses API answers of the deployment (v1)
    "RESPONSES-001",
    "RESPONSES-002",
    "RESPONSES-003",
    "RESPONSES-004",
    "V1-002",
    # content filtering answers for the model behind the deployment (seed 004 ContentFilterError)
    "FILTER-001",
    # valid requests of this deployment's clauses answered 500/501 (and once more, for
    # the requests of the target clauses and the schemathesis phase)
    "SRV-001",
)
_TARGET_CLAUSES = (
    "APIVER-001",
    "APIVER-002",
    "APIVER-003",
    "AUTH-001",
    "AUTH-002",
    "AUTH-003",
    "AUTH-004",
    "AUTH-005",
    "ROUTE-001",
    "ROUTE-002",
    "ROUTE-003",
    "HDR-001",
    "ERR-001",
    "ERR-002",
    "ERR-003",
    "ERR-004",
    "FOUNDRY-001",
    "FOUNDRY-002",
    "FOUNDRY-003",
    "V1-001",
    # these name their own deployment (--reasoning-deployment, --rate-limited-deployment)
    "MODEL-001",
    "MODEL-002",
    "RATE-001",
    "PROFILE-001",
    # the schemathesis phase runs once, on the first deployment
    *(f"SCHEMA-{n:03d}" for n in range(1, 7)),
)

#: clause id → scope
SCOPES: dict[str, Scope] = {
    **{cid: DEPLOYMENT for cid in _DEPLOYMENT_CLAUSES},
    **{cid: TARGET for cid in _TARGET_CLAUSES},
}


def scope_of(clause_id: str) -> Scope | None:
    """The clause's scope; None for a clause the table does not know (a test fails)."""
    if clause_id.startswith("BOUND-"):
        return TARGET
    return SCOPES.get(clause_id)
