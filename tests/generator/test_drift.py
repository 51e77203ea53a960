"""Drift check, skip-by-fingerprint, CLI errors and byte-for-byte determinism."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cli import main
from generator.codegen.pipeline import GENERATED_DIR, check, generate, package_name
from tests.support import ROOT, requires_mirror

FOUNDRY = "foundry-model-inference-2024-05-01-preview"


@requires_mirror
@pytest.mark.slow
def test_committed_generated_matches_a_full_regeneration_byte_for_byte() -> None:
    """The real comparison behind `generate --check` (which may answer from fingerprints)."""
    drifts = check(full=True)
    assert [d.describe() for d in drifts] == [], "run `aoai-conformance generate`"


def _copy_foundry(tmp_path: Path) -> Path:
    out = tmp_path / "generated"
    shutil.copytree(GENERATED_DIR / package_name(FOUNDRY), out / package_name(FOUNDRY))
    shutil.copy(GENERATED_DIR / "__init__.py", out / "__init__.py")
    return out


@requires_mirror
def test_check_passes_on_a_copy_then_reports_a_hand_edit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _copy_foundry(tmp_path)
    assert main(["generate", "--check", "--spec", FOUNDRY, "--output", str(out)]) == 0
    models = out / package_name(FOUNDRY) / "models.py"
    models.write_text(models.read_text() + "\n# hand edit\n")
    (out / package_name(FOUNDRY) / "auth.py").unlink()
    (out / package_name(FOUNDRY) / "extra.py").write_text("x = 1\n")
    capsys.readouterr()
    assert main(["generate", "--check", "--spec", FOUNDRY, "--output", str(out)]) == 1
    err = capsys.readouterr().err
    pkg = package_name(FOUNDRY)
    assert f"modified   {pkg}/models.py (+0 -2 lines)" in err
    assert f"missing    {pkg}/auth.py" in err
    assert f"unexpected {pkg}/extra.py" in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ") and "is stale: 3 file(s) differ" in last
    assert "run `aoai-conformance generate` and commit the result" in last


@requires_mirror
def test_generate_writes_then_skips_by_fingerprint(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = generate([FOUNDRY], output=out)
    assert first.written == [FOUNDRY] and first.skipped == []
    again = generate([FOUNDRY], output=out)
    assert again.written == [] and again.skipped == [FOUNDRY]
    built = {p.name: p.read_bytes() for p in (out / package_name(FOUNDRY)).iterdir()}
    committed = {p.name: p.read_bytes() for p in (GENERATED_DIR / package_name(FOUNDRY)).iterdir()}
    assert built == committed
    (out / package_name(FOUNDRY) / "builders.py").write_text("# edited\n")
    assert generate([FOUNDRY], output=out).written == [FOUNDRY]  # a hand edit is repaired


def test_unknown_spec_is_a_one_line_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--spec", "azure-openai-2099-01-01"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err.startswith("error: unknown spec id 'azure-openai-2099-01-01'")


_HASH_SCRIPT = """
import hashlib, json, sys
from pathlib import Path
from generator.codegen.pipeline import generate_package, spec_file_input, spec_input
sources = [spec_input(sys.argv[1]), spec_input(sys.argv[2]),
           spec_file_input(Path(sys.argv[3]), spec_id="golden-dated-chat")]
print(json.dumps({s.spec_id + "/" + name: hashlib.sha256(data).hexdigest()
                  for s in sources for name, data in generate_package(s).files.items()}))
"""


@requires_mirror
@pytest.mark.slow
def test_output_is_identical_under_different_hash_seeds() -> None:
    spec = ROOT / "tests" / "generator" / "golden" / "dated_chat" / "spec.yaml"
    runs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _HASH_SCRIPT, FOUNDRY, "azure-openai-2024-10-21", str(spec)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert len(runs[0]) == 18
    assert runs[0] == runs[1]


@requires_mirror
def test_strict_fails_on_a_generator_warning_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator.codegen import pipeline
    from generator.codegen.problems import Problem

    real = pipeline.generate_package

    def with_warning(source: pipeline.SpecInput, **kwargs: object) -> pipeline.GeneratedPackage:
        package = real(source)
        package.problems.append(Problem("#/paths/~1x/get", "odd thing", "did y", "do z"))
        return package

    monkeypatch.setattr(pipeline, "generate_package", with_warning)
    args = ["generate", "--spec", FOUNDRY, "--output", str(tmp_path)]
    assert main([*args, "--strict"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: spec '{FOUNDRY}' has 1 generator problem(s), first: #/paths/~1x/get: odd "
        "thing; did y; fix: do z; fix them or run without --strict"
    )
    assert not (tmp_path / package_name(FOUNDRY)).exists()
    assert main(args) == 0  # without --strict the warning is printed, the package written
    assert "warning: #/paths/~1x/get: odd thing" in capsys.readouterr().err
    assert (tmp_path / package_name(FOUNDRY) / "models.py").exists()
