"""Benchmark of `aoai-conformance run` against the emulator (on demand, not in CI).

1. The default run (embedded emulator, in process, all three surfaces): wall time and
   requests, median of N runs, with and without the schemathesis phase.
2. A live-safe run over real sockets (emulator under uvicorn as a live target) on one
   deployment and one surface (dated): requests, chat requests and tokens spent.

    AOAI_SPECS_MIRROR=../shared/upstream-specs AOAI_SPECS_OFFLINE=1 \
        .venv/bin/python bench/bench_run.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from conformance.checks import REGISTRY
from conformance.checks.boundary import filter_checks as filter_boundary
from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app
from conformance.emulator.server import serve
from conformance.run.options import RunOptions, TargetOptions
from conformance.run.runner import run_suite, run_target, schemathesis_available
from conformance.run.target import open_target


def default_run(schemathesis: bool) -> tuple[float, int, int]:
    started = time.perf_counter()
    result = run_suite(RunOptions(target=TargetOptions(env={}), schemathesis=schemathesis))
    return time.perf_counter() - started, result.spend.requests, result.exit_code()


def live_safe_run(schemathesis: bool) -> dict[str, int | float]:
    with serve(create_app(EmulatorConfig())) as url:
        options = TargetOptions(
            target=url, deployment="gpt-4o-mini", surface="dated", api_key=DEFAULT_API_KEY, env={}
        )
        started = time.perf_counter()
        with open_target(options) as target:
            # the default --boundary sample, as `aoai-conformance run` selects it
            checks = filter_boundary(list(REGISTRY), "sample")
            result = run_target(target, checks, schemathesis=schemathesis)
            chat = sum(
                1
                for ctx in target.contexts
                for ex in ctx.http.exchanges
                if "/chat/completion" in ex.url and ex.method == "POST"
            )
        return {
            "seconds": round(time.perf_counter() - started, 2),
            "requests": result.spend.requests,
            "chat_requests_by_checks": chat,
            "prompt_tokens": result.spend.prompt_tokens,
            "completion_tokens": result.spend.completion_tokens,
            "total_tokens": result.spend.total_tokens,
            "exit_code": result.exit_code(),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    phases = [False, True] if schemathesis_available() else [False]
    for schemathesis in phases:
        runs = [default_run(schemathesis) for _ in range(args.runs)]
        label = "with" if schemathesis else "without"
        seconds = statistics.median(r[0] for r in runs)
        requests = statistics.median(r[1] for r in runs)
        print(
            f"default run {label} schemathesis: median {seconds:.2f} s, "
            f"requests {requests:.0f}, exit codes {[r[2] for r in runs]}"
        )
    for schemathesis in phases:
        label = "with" if schemathesis else "without"
        figures = live_safe_run(schemathesis)
        print(f"live-safe run (dated, gpt-4o-mini, uvicorn) {label} schemathesis: {figures}")


if __name__ == "__main__":
    main()
