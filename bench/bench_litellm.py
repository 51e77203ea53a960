"""The suite against a real third-party gateway: LiteLLM proxy in front of the emulator.

On demand, not in CI (needs ``scripts/litellm-venv``). Starts the emulator under uvicorn
and LiteLLM on 127.0.0.1 (tests/gateways/litellm_gateway.py), then runs the CLI the way a
user would for each variant and prints, per variant: findings by outcome, the share of
inconclusive clauses, the exit code, the requests sent, and every failed clause with what
the gateway answered.

    AOAI_SPECS_MIRROR=../shared/upstream-specs AOAI_SPECS_OFFLINE=1 \\
        .venv/bin/python bench/bench_litellm.py [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the gateway harness lives with the tests that use it

VARIANTS: list[tuple[str, bool, list[str]]] = [
    ("auto-detected", False, []),
    ("--surface v1", False, ["--surface", "v1"]),
    ("--surface v1, v1 pass-through on", True, ["--surface", "v1"]),
    ("auto-detected, --profile litellm", False, ["--profile", "litellm"]),
]


def _run(url: str, key: str, extra: list[str], report: Path) -> tuple[int, dict, float]:
    from conformance.cli import main
    from tests.gateways.litellm_gateway import DEPLOYMENT

    started = time.perf_counter()
    code = main(
        ["run", "--target", url, "--deployment", DEPLOYMENT, "--api-key", key]
        + extra
        + ["--report", f"json:{report}"]
    )
    return code, json.loads(report.read_text()), time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per variant (median time)")
    args = parser.parse_args()
    from tests.gateways.litellm_gateway import (
        INSTALL_HINT,
        litellm_bin,
        litellm_in_front_of_emulator,
    )

    executable = litellm_bin()
    if executable is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    for label, pass_through, extra in VARIANTS:
        workdir = Path(tempfile.mkdtemp(prefix="bench-litellm-"))
        try:
            with litellm_in_front_of_emulator(
                executable, workdir, v1_pass_through=pass_through
            ) as gw:
                times, data, code = [], {}, 0
                for _ in range(args.runs):
                    code, data, took = _run(gw.url, gw.api_key, extra, workdir / "r.json")
                    times.append(took)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        findings = data.get("findings", [])
        counts = {
            o: sum(1 for f in findings if f["outcome"] == o)
            for o in ("passed", "failed", "inconclusive", "skipped")
        }
        judged = len(findings) - counts["skipped"]
        share = 100 * counts["inconclusive"] / len(findings) if findings else 0.0
        failed = sorted(
            {
                (f["surface"], f["clause_id"], f.get("observed", "")[:70])
                for f in findings
                if f["outcome"] == "failed"
            }
        )
        print(
            f"== LiteLLM {gw.version}, {label}: exit {code}, {len(findings)} findings {counts}, "
            f"{share:.1f}% inconclusive ({judged} judged), "
            f"{data.get('spend', {}).get('requests', '?')} requests, "
            f"median {statistics.median(times):.1f}s"
        )
        print(f"   distinct failed clauses: {len({c for _, c, _ in failed})}")
        for surface, clause, observed in failed:
            print(f"   FAILED {surface} {clause}: {observed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
