"""``aoai-conformance specs``: list/sync/show and every bad-input case (exit 2, one line)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cli import main
from generator.spec import load_registry
from generator.spec.loader import clear_cache
from tests.support import ROOT, requires_mirror


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    clear_cache()  # each case sets its own sources
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@requires_mirror
def test_list_with_mirror_verifies_every_spec(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["specs", "list", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0
    assert len(rows) == len(load_registry())
    assert all(row["verified"] for row in rows), [r for r in rows if not r["verified"]]


def test_list_offline_without_mirror(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AOAI_SPECS_MIRROR", raising=False)
    monkeypatch.setenv("AOAI_SPECS_CACHE", str(tmp_path))
    code, out, _ = run_cli(["specs", "list", "--json"], capsys)
    rows = {row["id"]: row for row in json.loads(out)}
    assert code == 0
    shipped = {"azure-openai-2024-10-21", "azure-openai-2025-04-01-preview"}
    for spec_id, row in rows.items():
        if spec_id in shipped:
            assert row["verified"] and row["source"] == "package"
        else:
            assert not row["verified"] and row["location"].startswith(
                "https://raw.githubusercontent.com/"
            )


@requires_mirror
def test_show_prints_operations_and_security(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        ["specs", "show", "foundry-model-inference-2024-05-01-preview", "--changes"], capsys
    )
    assert code == 0
    assert "POST    /chat/completions  (GetChatCompletions)" in out
    assert "ApiKeyAuth: apiKey header api-key" in out
    assert "https://{resource}.services.ai.azure.com/models" in out
    assert "[swagger2-to-openapi3] #: swagger 2.0 -> openapi 3.0.3" in out


@requires_mirror
def test_sync_fills_the_cache(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AOAI_SPECS_CACHE", str(tmp_path))
    code, out, _ = run_cli(["specs", "sync", "azure-openai-v1"], capsys)
    assert code == 0 and "azure-openai-v1: verified from mirror" in out
    assert len(list(tmp_path.glob("azure-openai-v1-*.yaml"))) == 1


def _one_line_error(code: int, err: str) -> str:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


def test_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["specs", "show", "azure-openai-2025-04-01-previw"], capsys)
    assert _one_line_error(code, err) == (
        "error: unknown spec id 'azure-openai-2025-04-01-previw': did you mean "
        "'azure-openai-2025-04-01-preview'? run `aoai-conformance specs list` "
        "to see the 9 registered ids"
    )


def test_sha_mismatch(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror" / "azure-openai-v1"
    mirror.mkdir(parents=True)
    (mirror / "azure-v1-v1-generated.yaml").write_text("openapi: 3.0.0\n")
    monkeypatch.setenv("AOAI_SPECS_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("AOAI_SPECS_CACHE", str(tmp_path / "cache"))
    code, _, err = run_cli(["specs", "sync", "azure-openai-v1"], capsys)
    line = _one_line_error(code, err)
    assert "spec 'azure-openai-v1': no source matched the pinned sha256" in line
    assert "mismatch (sha256" in line


def test_no_reachable_source(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AOAI_SPECS_MIRROR", raising=False)
    monkeypatch.setenv("AOAI_SPECS_CACHE", str(tmp_path))
    code, _, err = run_cli(["specs", "show", "azure-openai-v1"], capsys)
    line = _one_line_error(code, err)
    assert line.startswith("error: spec 'azure-openai-v1': no source has it")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8 text"),
        (b'{"openapi": "3.0.0", ', "invalid JSON at line 1"),
        (b"openapi: [unclosed\n", "invalid YAML at line"),
        (b'{"swagger": "1.2"}', "not an OpenAPI 3.0/3.1 or Swagger 2.0 document"),
        (b"- just\n- a list\n", "expected an OpenAPI document (a mapping), found list"),
    ],
)
def test_invalid_spec_bytes(
    content: bytes,
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    import generator.spec.loader as loader
    from generator.spec.sources import sha256_hex

    registry = load_registry()
    entry = registry.get("azure-openai-v1")
    import dataclasses

    fake = dataclasses.replace(entry, sha256=sha256_hex(content))
    mirror = tmp_path / "mirror" / "azure-openai-v1"
    mirror.mkdir(parents=True)
    (mirror / "azure-v1-v1-generated.yaml").write_bytes(content)
    monkeypatch.setenv("AOAI_SPECS_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("AOAI_SPECS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "load_registry", lambda: type(registry)([fake]))
    code, _, err = run_cli(["specs", "show", "azure-openai-v1"], capsys)
    line = _one_line_error(code, err)
    assert expected in line and "spec 'azure-openai-v1'" in line


def test_unreadable_spec_file(tmp_path: Path) -> None:
    from generator.errors import InvalidSpecError
    from generator.spec import load_spec_file

    with pytest.raises(InvalidSpecError, match="cannot read the spec"):
        load_spec_file(tmp_path / "missing.yaml")


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["specs", "frobnicate"], capsys)
    assert _one_line_error(code, err) == (
        "error: No such command 'frobnicate'. (see 'aoai-conformance specs --help')"
    )


def test_console_script_has_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "AOAI_SPECS_CACHE": str(tmp_path), "AOAI_SPECS_OFFLINE": "1"}
    env.pop("AOAI_SPECS_MIRROR", None)
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "specs", "show", "azure-openai-v1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: spec 'azure-openai-v1': no source has it")
