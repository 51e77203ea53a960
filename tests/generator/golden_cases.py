"""The golden-file cases: small specs under ``golden/<case>/spec.yaml`` and their output.

Each case's expected package is ``golden/<case>/expected/``; refresh them all after an
intended generator change with::

    python -m tests.generator.refresh_golden
"""

from __future__ import annotations

from pathlib import Path

from generator.codegen.pipeline import GeneratedPackage, generate_package, spec_file_input

__all__ = ["GOLDEN_DIR", "CASES", "generate_case", "REFRESH_COMMAND"]

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
CASES = sorted(p.name for p in GOLDEN_DIR.iterdir() if (p / "spec.yaml").is_file())
REFRESH_COMMAND = "python -m tests.generator.refresh_golden"


def generate_case(case: str) -> GeneratedPackage:
    spec = GOLDEN_DIR / case / "spec.yaml"
    return generate_package(spec_file_input(spec, spec_id="golden-" + case.replace("_", "-")))
