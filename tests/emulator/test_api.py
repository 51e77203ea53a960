"""The Python API the conformance suite codes against (clauses.md)."""

from __future__ import annotations

import httpx

from conformance.emulator import (
    CONTENT_FILTER_TRIGGER,
    DEFAULT_API_KEY,
    FAULTS,
    EmulatorConfig,
    Fault,
    FaultEntry,
    create_app,
)
from conformance.emulator.server import serve
from conformance.emulator.tokens import mint_token
from tests.emulator.conftest import DATED, HELLO, KEY, client_for

CLAUSES = {
    "ROUTE-001",
    "ROUTE-002",
    "ROUTE-003",
    "APIVER-001",
    "APIVER-002",
    "APIVER-003",
    "AUTH-001",
    "AUTH-002",
    "AUTH-003",
    "AUTH-004",
    "ERR-001",
    "ERR-002",
    "ERR-003",
    "STREAM-001",
    "STREAM-002",
    "STREAM-003",
    "STREAM-004",
    "STREAM-005",
    "STREAM-006",
    "STREAM-007",
    "RESP-001",
    "RESP-002",
    "RESP-003",
    "RESP-004",
    "RESP-005",
    "RESP-006",
    "RESP-007",
    "RATE-001",
    "FILTER-001",
    "FOUNDRY-001",
    "FOUNDRY-002",
    "FOUNDRY-003",
    "MODEL-001",
    "MODEL-002",
    # issue 12: strict SSE, boundary cases, the Responses API
    "STREAM-011",
    "STREAM-012",
    "BOUND-001",
    "RESPONSES-001",
    "RESPONSES-002",
    "RESPONSES-003",
    "RESPONSES-004",
}


def test_every_contract_clause_has_exactly_one_fault() -> None:
    assert all(isinstance(f, FaultEntry) and f.name == name for name, f in FAULTS.items())
    assert [f.value for f in Fault] == list(FAULTS)
    assert sorted(f.clause for f in FAULTS.values()) == sorted(CLAUSES)


def test_constants() -> None:
    assert CONTENT_FILTER_TRIGGER == "[[trigger-content-filter]]"
    assert DEFAULT_API_KEY == KEY


def test_serve_runs_real_uvicorn_and_stops() -> None:
    with serve(create_app(EmulatorConfig())) as url:
        assert url.startswith("http://127.0.0.1:")
        r = httpx.post(url + DATED, json=HELLO, headers={"api-key": KEY})
        assert r.status_code == 200
        assert r.json()["object"] == "chat.completion"
    try:
        httpx.post(url + DATED, json=HELLO, headers={"api-key": KEY}, timeout=1)
    except httpx.TransportError:
        pass
    else:  # pragma: no cover - the server must be gone
        raise AssertionError("the server still answers after serve() exited")


def test_minted_bearer_token_is_accepted() -> None:
    client = client_for(EmulatorConfig(jwt_secret="s3"))
    token = mint_token("s3")
    r = client.post(DATED, json=HELLO, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
