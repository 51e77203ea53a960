"""Canary keys of a fleet never reach any output byte, of any target.

Three emulators under uvicorn, each with its own canary key in its own variable, all
hostile (they echo the presented credential back in headers and 4xx bodies, and
``key-echoed-in-401`` puts it in a message), run as one fleet with the schemathesis phase
on, every report format written, the console verbose and every logger at DEBUG. The SDK
variable ``AZURE_OPENAI_API_KEY`` holds a fourth canary that no target may use. Then every
byte of every report, stdout/stderr and every log record is searched for every canary in
every form (raw, URL-encoded, base64, prefix): zero hits.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.emulator import EmulatorConfig, create_app
from conformance.emulator.server import serve
from tests.fleet.helpers import write_fleet
from tests.secrets.test_canary import FAULTS, Echo, _hits, _outputs, debug_logs
from tests.suite.helpers import Answer, Seen, mutating
from tests.support import requires_mirror

pytestmark = requires_mirror
__all__ = ["debug_logs"]  # the fixture, shared with the single-run canary test

CANARIES = {
    "east": "canary-east-Hp3Vb8Nq1Rz6Tw",
    "west": "canary-west-Ls9Dk2Jf7Xc4Mu",
    "north": "canary-north-Ge5Ya1Po8Wn3Qb",
}
SDK_CANARY = "canary-sdk-env-Tf6Rk1Zm9Bv2"


class Recording(Echo):
    """The echoing target, remembering which credentials were presented to it."""

    def __init__(self) -> None:
        super().__init__()
        self.presented: set[str] = set()

    def __call__(self, seen: Seen, answer: Answer) -> None:
        for name in ("api-key", "authorization"):
            if seen.headers.get(name):
                self.presented.add(seen.headers[name].split(" ", 1)[-1])
        super().__call__(seen, answer)


@pytest.mark.slow
def test_no_canary_of_any_fleet_target_appears_in_any_output(
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    debug_logs: list[str],  # noqa: F811 - the imported fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SDK_CANARY)
    echoes = {name: Recording() for name in CANARIES}
    out = tmp_path / "out"
    out.mkdir()
    servers = {}
    import contextlib

    with contextlib.ExitStack() as stack:
        for name, key in CANARIES.items():
            app = mutating(echoes[name])(create_app(EmulatorConfig(api_key=key, faults=FAULTS)))
            servers[name] = stack.enter_context(serve(app))
            monkeypatch.setenv(f"CANARY_{name.upper()}", key)
        path = write_fleet(
            tmp_path / "fleet.toml",
            [
                {
                    "name": name,
                    "url": url,
                    "surface": "dated",
                    "deployments": ["gpt-4o-mini"],
                    "api_key_env": f"CANARY_{name.upper()}",
                    "reasoning_deployment": "gpt-5.1-mini",
                }
                for name, url in servers.items()
            ]
            + [{"name": "embedded", "emulator": True, "surface": "dated", "faults": ["no-done"]}],
        )
        code = main(
            ["run", "--fleet", str(path), "--verbose", "--workers", "4"]
            + [
                f"--report={fmt}:{out / f'fleet.{fmt}'}"
                for fmt in ("json", "junit", "markdown", "html")
            ]
        )
    captured = capfd.readouterr()
    report = json.loads((out / "fleet.json").read_text())
    # the run really happened: each target failed and passed clauses and echoed its key
    assert code == 1
    for target in report["targets"]:
        found = {f["outcome"] for f in target["findings"]}
        assert {"passed", "failed"} <= found, target["name"]
        assert any(f["clause_id"].startswith("SCHEMA-") for f in target["findings"])
    for name, echo in echoes.items():
        failed = {
            f["clause_id"]
            for t in report["targets"]
            if t["name"] == name
            for f in t["findings"]
            if f["outcome"] == "failed"
        }
        assert {"AUTH-003", "STREAM-007", "RESP-003", "ERR-002"} <= failed, name
        assert echo.echoed >= 20
        # each target got its own key only (the wrong keys of AUTH-002 aside): never
        # another target's, never the SDK variable's
        others = set(CANARIES.values()) - {CANARIES[name]}
        assert CANARIES[name] in echo.presented
        assert not echo.presented & (others | {SDK_CANARY})
    assert debug_logs
    outputs = _outputs(tmp_path / "out", captured, debug_logs)
    assert {f"fleet.{fmt}" for fmt in ("json", "junit", "markdown", "html")} <= set(outputs)
    for secret in (*CANARIES.values(), SDK_CANARY):
        leaks = [line for line in debug_logs if secret in line][:3]
        assert _hits(outputs, secret) == [], (secret, leaks)
    assert b"api-key: ***" in outputs["fleet.json"]
