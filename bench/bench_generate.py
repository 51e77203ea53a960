"""Benchmark: code generation per spec, against bare datamodel-code-generator.

For every registered spec (or ``--spec ID ...``), median of ``--runs`` runs of:

- **bare dcg**: ``datamodel_code_generator.generate`` on the same normalised spec with
  the tool's defaults (pydantic v2 output; its default formatters, black + isort),
  models only; **bare, builtin fmt**: the same with dcg's fast builtin formatter (what
  our pipeline gives dcg before its own ruff step) — the stricter comparison;
- **ours**: :func:`generator.codegen.pipeline.generate_package` — schema naming, IR,
  models (dcg), builders/auth (Jinja), the ruff post-step and the manifest;
- **skip**: ``generate`` when nothing changed (fingerprint + file hashes), in process;
- **skip, fresh process**: the same in a new Python process (start-up, imports, spec
  loading and normalisation included; the CLI adds only click on top).

Spec loading and normalisation are done once beforehand and excluded from the first
two. Run on demand (not in CI)::

    AOAI_SPECS_MIRROR=../shared/upstream-specs AOAI_SPECS_OFFLINE=1 \\
        .venv/bin/python bench/bench_generate.py [--runs 3] [--spec ID ...]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import datamodel_code_generator as dcg
from datamodel_code_generator.format import Formatter

from generator.codegen.pipeline import generate, generate_package, spec_input
from generator.spec import load_registry

ROOT = Path(__file__).resolve().parents[1]


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _bare(document: dict[str, object], **options: object) -> None:
    work = copy.deepcopy(document)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dcg.generate(
            work,
            input_file_type=dcg.InputFileType.OpenAPI,
            output_model_type=dcg.DataModelType.PydanticV2BaseModel,
            **options,  # type: ignore[arg-type]
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--spec", action="append", dest="specs")
    args = parser.parse_args()
    spec_ids = args.specs or load_registry().ids()
    print(
        f"{'spec':<44} {'bare':>8} {'builtin':>8} {'ours':>7} {'/bare':>6} {'/bltin':>6} "
        f"{'skip':>7} {'skip new':>8}"
    )
    ratios: list[float] = []
    strict: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for spec_id in spec_ids:
            source = spec_input(spec_id)  # load + normalise once (cached)
            bare = _median(lambda s=source: _bare(s.loaded.document), args.runs)
            fast = _median(
                lambda s=source: _bare(s.loaded.document, formatters=[Formatter.BUILTIN]),
                args.runs,
            )
            ours = _median(lambda s=source: generate_package(s), args.runs)
            generate([spec_id], output=out)
            skip = _median(lambda i=spec_id: generate([i], output=out), args.runs)
            code = (
                "from pathlib import Path; from generator.codegen.pipeline import generate; "
                f"assert generate([{spec_id!r}], output=Path({str(out)!r})).skipped"
            )
            command = [sys.executable, "-c", code]
            skip_cli = _median(
                lambda c=command: subprocess.run(c, check=True, capture_output=True, cwd=ROOT),
                args.runs,
            )
            ratios.append(ours / bare)
            strict.append(ours / fast)
            print(
                f"{spec_id:<44} {bare:>7.2f}s {fast:>7.2f}s {ours:>6.2f}s {ours / bare:>5.2f}x "
                f"{ours / fast:>5.2f}x {skip:>6.3f}s {skip_cli:>7.2f}s",
                flush=True,
            )
    print(
        f"median ratio ours/bare: {statistics.median(ratios):.2f}x; ours/bare with builtin "
        f"formatter: {statistics.median(strict):.2f}x (median of {args.runs} runs per figure)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
