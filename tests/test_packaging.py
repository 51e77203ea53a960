"""A non-editable install works: the wheel ships specs/ (renamed) and the CLI runs from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import ROOT


@pytest.mark.slow
def test_wheel_ships_specs_and_runs_specs_list(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = wheels.glob("aoai_conformance-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "aoai_conformance_specs/registry.json" in names
    assert "aoai_conformance_specs/overlays/dated-chat-streaming-sse.json" in names
    assert "aoai_conformance_generated/azure_openai_v1/builders.py" in names
    assert "conformance/cli/__init__.py" in names and "generator/spec/loader.py" in names
    # issue 13: no generic top-level names in site-packages
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"conformance", "generator", "aoai_conformance_specs",
                    "aoai_conformance_generated"}, tops  # fmt: skip
    assert any(n.endswith("entry_points.txt") for n in names)

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
         str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import conformance, generator.paths as p;"
        "assert conformance.__file__.startswith(sys.argv[1]), conformance.__file__;"
        "assert str(p.REGISTRY_FILE).startswith(sys.argv[1] + '/aoai_conformance_specs/');"
        "assert str(p.GENERATED_DIR).startswith(sys.argv[1] + '/aoai_conformance_generated');"
        "import aoai_conformance_generated.azure_openai_v1 as v1; assert v1.builders;"
        "from conformance.cli import main; sys.exit(main(['specs', 'list', '--json']))"
    )
    env = {**os.environ, "AOAI_SPECS_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-c", script, str(site)],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) == 9
    verified = {r["id"] for r in rows if r["verified"]}
    assert {"azure-openai-2024-10-21", "azure-openai-2025-04-01-preview"} <= verified
