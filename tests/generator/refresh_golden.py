"""Rewrite the expected output of the golden cases: python -m tests.generator.refresh_golden."""

from __future__ import annotations

import shutil
import sys

from generator.codegen.pipeline import MANIFEST
from tests.generator.golden_cases import CASES, GOLDEN_DIR, generate_case


def main() -> int:
    for case in CASES:
        package = generate_case(case)
        expected = GOLDEN_DIR / case / "expected"
        shutil.rmtree(expected, ignore_errors=True)
        expected.mkdir(parents=True)
        for name, data in package.files.items():
            if name != MANIFEST:  # a cache key over the generator's sources; see test_golden
                (expected / name).write_bytes(data)
        problems = "".join(f"\n  {p.severity}: {p.describe()}" for p in package.problems)
        print(f"{case}: {len(package.files)} files{problems}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
