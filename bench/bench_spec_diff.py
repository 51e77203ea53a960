"""Time `specs diff` on the registered specs (run on demand; not part of CI).

    AOAI_SPECS_MIRROR=../shared/upstream-specs AOAI_SPECS_OFFLINE=1 \
        .venv/bin/python bench/bench_spec_diff.py [--repeat 7]

For each pair: the median of N runs of the diff alone (specs already loaded), and of
load + normalise + diff from a cold loader cache (the sha256 check and JSON/YAML parse
included). Budget (issue 6): < 2 s per pair on 600 KB specs.
"""

from __future__ import annotations

import argparse
import statistics
import time

from generator.diff import diff_specs, open_spec, to_json_text, to_markdown
from generator.spec import load_registry
from generator.spec.loader import clear_cache

PAIRS = [
    ("2024-08-01-preview", "2024-09-01-preview"),
    ("2024-10-01-preview", "2024-12-01-preview"),
    ("2024-12-01-preview", "2025-03-01-preview"),
    ("2025-03-01-preview", "2025-04-01-preview"),  # the largest pair: 579 KB and 620 KB
    ("azure-openai-2025-04-01-preview", "azure-openai-v1"),  # across surfaces, 620/514 KB
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    registry = load_registry()
    print(f"{'pair':58} {'diff only':>10} {'cold total':>11} {'changes':>8}")
    for old_id, new_id in PAIRS:
        warm: list[float] = []
        cold: list[float] = []
        changes = 0
        for _ in range(args.repeat):
            clear_cache()
            start = time.perf_counter()
            old, new = open_spec(old_id, registry), open_spec(new_id, registry)
            loaded = time.perf_counter()
            diff = diff_specs(old, new)
            to_markdown(diff)
            to_json_text(diff)
            done = time.perf_counter()
            warm.append(done - loaded)
            cold.append(done - start)
            changes = len(diff.changes)
        name = f"{old_id} -> {new_id}"
        print(
            f"{name:58} {statistics.median(warm) * 1000:8.0f}ms "
            f"{statistics.median(cold) * 1000:9.0f}ms {changes:8d}"
        )


if __name__ == "__main__":
    main()
