"""Surface detection that explains itself (issue 11): what each probe answered, and why.

The targets are the emulator under uvicorn on 127.0.0.1, behind small ASGI layers that
make it look like gateways seen in the field: a v1 gateway whose models route is broken,
an OpenAI-style gateway with a root ``/chat/completions`` (not Foundry), a dated route that
answers 500 to everything.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.emulator import EmulatorConfig, create_app
from tests.resilience.faultserver import _uvicorn
from tests.resilience.helpers import run_cli
from tests.support import requires_mirror

pytestmark = [pytest.mark.slow, requires_mirror]


async def _answer(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@contextlib.contextmanager
def _gateway(kind: str) -> Iterator[str]:
    app = create_app(EmulatorConfig())

    async def layer(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path = scope["path"]
        if kind == "v1-models-broken" and path == "/openai/v1/models":
            await _answer(send, 500, b'{"error":{"message":"boom"}}')
            return
        if kind == "v1-models-missing" and path == "/openai/v1/models":
            await _answer(send, 404, b'{"error":{"code":"404","message":"Not Found"}}')
            return
        if kind == "openai-root":
            # an OpenAI-compatible gateway: /chat/completions at the root is the v1 route
            if path.startswith("/models"):
                await _answer(send, 404, b'{"detail":"Not Found"}')
                return
            if path == "/chat/completions":
                scope = {**scope, "path": "/openai/v1/chat/completions", "query_string": b""}
        if kind == "v1-passthrough-500" and path.startswith("/openai/v1/"):
            # a pass-through that fails every request under /openai/v1/ (LiteLLM without
            # an OpenAI key): a 500 there is no evidence of a v1 chat route
            await _answer(send, 500, b'{"error":{"message":"Internal Server Error"}}')
            return
        if kind == "dated-500" and path.startswith("/openai/deployments/"):
            await _answer(send, 500, b'{"error":{"message":"Internal Server Error"}}')
            return
        await app(scope, receive, send)

    with _uvicorn(layer) as (port, _server):
        yield f"http://127.0.0.1:{port}"


def _detection_notes(report: dict) -> dict[str, str]:
    prefix = "detection: "
    notes = [n[len(prefix) :] for n in report["notes"] if n.startswith(prefix)]
    return {n.split(":", 1)[0]: n.split(":", 1)[1] for n in notes if ":" in n}


def test_the_report_lists_each_probe_and_decision(tmp_path: Path) -> None:
    with _gateway("none") as url:
        run = run_cli(url, tmp_path, surface="auto")
    assert run.code == 0, run.ids("failed") | run.ids("inconclusive")
    notes = _detection_notes(run.report)
    assert notes["dated"].startswith(" served (the route answered 400)")
    assert notes["v1"].startswith(" served (GET /openai/v1/models answered 200)")
    # Foundry on Foundry-specific evidence only (seed 004: api-version handling)
    assert (
        "served at /models/chat/completions (an unknown api-version is refused"
        in (notes["foundry"])
    )
    assert "POST /models/chat/completions?api-version=" in notes["foundry"]
    assert run.report["surfaces"] == ["dated", "v1", "foundry"]


@pytest.mark.parametrize("kind", ["v1-models-broken", "v1-models-missing"])
def test_v1_is_detected_by_its_chat_route_when_models_is_broken(kind: str, tmp_path: Path) -> None:
    with _gateway(kind) as url:
        run = run_cli(url, tmp_path, surface="auto")
    assert "v1" in run.report["surfaces"]
    v1_findings = [f for f in run.report["findings"] if f["surface"] == "v1"]
    failed = {f["clause_id"] for f in v1_findings if f["outcome"] == "failed"}
    passed = {f["clause_id"] for f in v1_findings if f["outcome"] == "passed"}
    assert {"RESP-001", "STREAM-001", "AUTH-001"} <= passed  # the chat clauses still run
    # the broken route is a finding of its own
    assert failed == ({"SRV-001"} if kind == "v1-models-broken" else {"V1-001"}), failed
    assert "GET /openai/v1/models answered" in _detection_notes(run.report)["v1"]


def test_an_openai_style_root_route_is_not_taken_for_foundry(tmp_path: Path) -> None:
    with _gateway("openai-root") as url:
        run = run_cli(url, tmp_path, surface="auto")
    assert "foundry" not in run.report["surfaces"]
    why = _detection_notes(run.report)["foundry"]
    assert why.startswith(" not assumed: ")
    assert "shows nothing Foundry-specific" in why
    assert not [f for f in run.report["findings"] if f["clause_id"].startswith("FOUNDRY-")]


def test_a_surface_whose_probe_answers_500_is_served_and_failing(tmp_path: Path) -> None:
    with _gateway("dated-500") as url:
        run = run_cli(url, tmp_path, surface="auto")
    assert "dated" in run.report["surfaces"]
    assert "served and failing" in _detection_notes(run.report)["dated"]
    dated_failed = {
        f["clause_id"]
        for f in run.report["findings"]
        if f["surface"] == "dated" and f["outcome"] == "failed"
    }
    assert "SRV-001" in dated_failed and "APIVER-001" in dated_failed
    assert run.code == 1


def test_a_500_everywhere_under_a_base_path_is_no_evidence(tmp_path: Path) -> None:
    with _gateway("v1-passthrough-500") as url:
        run = run_cli(url, tmp_path, surface="auto")
    assert "v1" not in run.report["surfaces"] and "dated" in run.report["surfaces"]
    why = _detection_notes(run.report)["v1"]
    assert "not assumed: the route answered 500, and so does /openai/v1/aoai-conformance" in why


def test_a_forced_surface_that_answers_500_everywhere_is_not_served(tmp_path: Path) -> None:
    with _gateway("v1-passthrough-500") as url:
        run = run_cli(url, tmp_path, surface="v1")
    assert run.count("inconclusive") == 0, run.ids("inconclusive")
    assert any(n.startswith("v1: not served: the v1 chat route and") for n in run.report["notes"])
    # how the unserved paths are answered is still checked: 500 where Azure answers 404
    assert run.ids("failed") == {"ROUTE-002", "ROUTE-003"}
    assert run.code == 1
