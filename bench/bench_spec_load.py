"""How long the spec pipeline takes per registered spec: resolve + verify + parse + normalise
+ overlays (cold, in a fresh process state via ``clear_cache``). Median of N runs.

    AOAI_SPECS_MIRROR=../shared/upstream-specs AOAI_SPECS_OFFLINE=1 \
        .venv/bin/python bench/bench_spec_load.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import time

from generator.spec import load_registry, load_spec
from generator.spec.loader import clear_cache


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'spec':45} {'median s':>9} {'ops':>4} {'schemas':>7} {'changes':>7}")
    for entry in load_registry():
        times = []
        for _ in range(args.runs):
            clear_cache()
            start = time.perf_counter()
            loaded = load_spec(entry.id)
            times.append(time.perf_counter() - start)
        print(
            f"{entry.id:45} {statistics.median(times):9.3f} {len(loaded.operations()):4} "
            f"{len(loaded.schemas):7} {len(loaded.changes):7}"
        )


if __name__ == "__main__":
    main()
