"""A run over real sockets: the emulator under uvicorn on 127.0.0.1 as a live target."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app
from conformance.emulator.server import serve
from tests.support import requires_mirror

pytestmark = requires_mirror


@pytest.fixture(scope="module")
def base_url() -> str:
    with serve(create_app(EmulatorConfig())) as url:
        yield url  # type: ignore[misc]


def test_live_run_detects_surfaces_and_writes_junit(
    base_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", DEFAULT_API_KEY)
    junit, report = tmp_path / "c.xml", tmp_path / "c.json"
    code = main(
        [
            "run",
            "--target",
            base_url,
            "--deployment",
            "gpt-4o-mini",
            "--reasoning-deployment",
            "gpt-5.1-mini",
            "--rate-limited-deployment",
            "tiny-quota",
            "--no-schemathesis",
            "--report",
            f"junit:{junit}",
            "--report",
            f"json:{report}",
        ]
    )
    data = json.loads(report.read_text())
    assert code == 0, [f for f in data["findings"] if f["outcome"] in ("failed", "inconclusive")]
    assert data["surfaces"] == ["dated", "v1", "foundry"]  # detected by probes
    outcomes = {f["clause_id"]: f["outcome"] for f in data["findings"]}
    assert outcomes["FILTER-001"] == "skipped"  # no filter-bait to live targets
    assert outcomes["AUTH-004"] == "skipped"  # api-key run: no Entra token
    root = ET.fromstring(junit.read_text())
    cases = root.findall(".//testcase")
    assert len(cases) == len(data["findings"])
    text = junit.read_text() + report.read_text()
    assert DEFAULT_API_KEY not in text


def test_live_run_catches_a_fault_over_sockets(tmp_path: Path) -> None:
    report = tmp_path / "c.json"
    with serve(create_app(EmulatorConfig(faults=("stream-no-role",)))) as url:
        code = main(
            [
                "run",
                "--target",
                url,
                "--deployment",
                "gpt-4o-mini",
                "--surface",
                "dated",
                "--api-key",
                DEFAULT_API_KEY,
                "--no-schemathesis",
                "--report",
                f"json:{report}",
            ]
        )
    data = json.loads(report.read_text())
    assert code == 1
    failed = [f for f in data["findings"] if f["outcome"] == "failed"]
    assert {f["clause_id"] for f in failed} == {"STREAM-004"}
    repro = failed[0]["reproduction"]
    assert repro.startswith("curl ") and "api-key: ***" in repro and DEFAULT_API_KEY not in repro


def test_unreachable_target_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    with serve(create_app(EmulatorConfig())) as url:
        pass  # the port is closed again
    code = main(["run", "--target", url, "--deployment", "d", "--api-key", "k", "--timeout", "2"])
    assert code == 3
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_entra_auth_sends_a_bearer_and_checks_auth_004(
    base_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import conformance.run.target as targets
    from conformance.emulator import DEFAULT_JWT_SECRET
    from conformance.emulator.tokens import mint_token

    token = mint_token(DEFAULT_JWT_SECRET)
    # DefaultAzureCredential would reach Entra ID; the emulator accepts its own tokens
    from azure.core.credentials import AccessToken

    class Static:
        def get_token(self, *scopes: str, **kw: object) -> AccessToken:
            return AccessToken(token, int(time.time()) + 3600)

    monkeypatch.setattr(targets, "_entra_credential", Static)
    report = tmp_path / "e.json"
    code = main(
        [
            "run",
            "--target",
            base_url,
            "--deployment",
            "gpt-4o-mini",
            "--surface",
            "v1",
            "--auth",
            "entra",
            "--no-schemathesis",
            "--report",
            f"json:{report}",
        ]
    )
    data = json.loads(report.read_text())
    assert code == 0, [f for f in data["findings"] if f["outcome"] == "failed"]
    outcomes = {f["clause_id"]: f["outcome"] for f in data["findings"]}
    assert outcomes["AUTH-004"] == "passed"
    assert outcomes["AUTH-005"] == "skipped"  # no api-key in an Entra run
    assert token not in report.read_text()
