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
two. Wall times on a shared machine are noisy, so the CPU-time ratio against the builtin
variant (this process plus its children, i.e. ruff) is printed too (``cpu`` column).
Run on demand (not in CI)::

    AOAI_SPECS_MIRROR=../shared/upstream-specs AOAI_SPECS_OFFLINE=1 \\
        .venv/bin/python bench/bench_generate.py [--runs 3] [--spec ID ...]
"""

from __future__ import annotations

import argparse
import copy
import resource
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


def _cpu() -> float:
    """CPU seconds of this process and its finished children (ruff runs as a child)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _median(fn: Callable[[], object], runs: int, cpu: list[float] | None = None) -> float:
    """Median wall time; with ``cpu``, also append the median CPU time to it."""
    times, cpu_times = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), _cpu()
        fn()
        times.append(time.perf_counter() - started)
        cpu_times.append(_cpu() - started_cpu)
    if cpu is not None:
        cpu.append(statistics.median(cpu_times))
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
        f"{'cpu':>6} {'skip':>7} {'skip new':>8}"
    )
    cpu_ratios: list[float] = []
    ratios: list[float] = []
    strict: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for spec_id in spec_ids:
            source = spec_input(spec_id)  # load + normalise once (cached)
            cpu: list[float] = []
            bare = _median(lambda s=source: _bare(s.loaded.document), args.runs)
            fast = _median(
                lambda s=source: _bare(s.loaded.document, formatters=[Formatter.BUILTIN]),
                args.runs,
                cpu,
            )
            ours = _median(lambda s=source: generate_package(s), args.runs, cpu)
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
            cpu_ratios.append(cpu[1] / cpu[0])
            print(
                f"{spec_id:<44} {bare:>7.2f}s {fast:>7.2f}s {ours:>6.2f}s {ours / bare:>5.2f}x "
                f"{ours / fast:>5.2f}x {cpu[1] / cpu[0]:>5.2f}x {skip:>6.3f}s {skip_cli:>7.2f}s",
                flush=True,
            )
    print(
        f"median ratio ours/bare: {statistics.median(ratios):.2f}x; ours/bare with builtin "
        f"formatter: {statistics.median(strict):.2f}x wall, {statistics.median(cpu_ratios):.2f}x "
        f"CPU (median of {args.runs} runs per figure)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
