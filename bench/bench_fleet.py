"""Benchmark of `aoai-conformance run --fleet` (on demand, not in CI).

Ten emulators, each its own `aoai-conformance emulate` process on 127.0.0.1 with its own
key and (for most) a fault, are checked twice per round:

- one `aoai-conformance run --fleet FILE --workers W` process over all ten;
- ten `aoai-conformance run --target URL ...` processes, one after the other (what a
  script looping over the targets does); their wall times are summed.

Both include process start-up, as a CI job pays it. Median of N rounds (default 3).
The fleet's findings are compared with the single runs' (same clauses, same outcomes).

    AOAI_SPECS_MIRROR=../shared/upstream-specs AOAI_SPECS_OFFLINE=1 \
        .venv/bin/python bench/bench_fleet.py [--rounds 3] [--workers 4] [--surface dated]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).with_name("aoai-conformance")
FAULTS = [
    (),
    ("no-done",),
    ("usage-total-wrong",),
    ("no-x-ms-error-code",),
    ("finish-reason-invalid",),
    (),
    ("no-done", "usage-total-wrong"),
    ("key-echoed-in-401",),
    (),
    ("no-x-ms-error-code",),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(index: int, faults: tuple[str, ...]) -> tuple[subprocess.Popen[bytes], str, str]:
    port = _free_port()
    key = f"bench-key-{index}"
    argv = [str(BIN), "emulate", "--port", str(port), "--api-key", key]
    for fault in faults:
        argv += ["--fault", fault]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/openai/v1/models", timeout=1)
            return proc, url, key
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"emulator {index} did not start on {url}")


def _outcomes(findings: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    return sorted((f["clause_id"], f["surface"], f["outcome"]) for f in findings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--surface", default="dated", help="surface of every target")
    parser.add_argument("--schemathesis", action="store_true", help="include the phase")
    args = parser.parse_args()
    extra = [] if args.schemathesis else ["--no-schemathesis"]
    servers = [_start(i, faults) for i, faults in enumerate(FAULTS)]
    env = dict(os.environ)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            lines = []
            for i, (_, url, key) in enumerate(servers):
                env[f"BENCH_KEY_{i}"] = key
                lines += [
                    "[[target]]",
                    f'name = "t{i:02d}"',
                    f'url = "{url}"',
                    f'surface = "{args.surface}"',
                    'deployments = ["gpt-4o-mini"]',
                    f'api_key_env = "BENCH_KEY_{i}"',
                    "",
                ]
            fleet_file = folder / "fleet.toml"
            fleet_file.write_text("\n".join(lines))
            fleet_times: list[float] = []
            single_sums: list[float] = []
            same = True
            for round_ in range(args.rounds):
                report = folder / f"fleet-{round_}.json"
                started = time.perf_counter()
                subprocess.run(
                    [
                        str(BIN),
                        "run",
                        "--fleet",
                        str(fleet_file),
                        "--workers",
                        str(args.workers),
                        f"--report=json:{report}",
                        *extra,
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=False,
                )
                fleet_times.append(time.perf_counter() - started)
                fleet = {
                    t["name"]: _outcomes(t["findings"])
                    for t in json.loads(report.read_text())["targets"]
                }
                total = 0.0
                for i, (_, url, key) in enumerate(servers):
                    single = folder / f"single-{round_}-{i}.json"
                    started = time.perf_counter()
                    subprocess.run(
                        [
                            str(BIN),
                            "run",
                            "--target",
                            url,
                            "--deployment",
                            "gpt-4o-mini",
                            "--surface",
                            args.surface,
                            "--api-key",
                            key,
                            f"--report=json:{single}",
                            *extra,
                        ],
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        check=False,
                    )
                    total += time.perf_counter() - started
                    same &= fleet[f"t{i:02d}"] == _outcomes(
                        json.loads(single.read_text())["findings"]
                    )
                single_sums.append(total)
                print(
                    f"round {round_ + 1}: fleet {fleet_times[-1]:.2f}s, 10 single runs {total:.2f}s"
                )
    finally:
        for proc, _, _ in servers:
            proc.terminate()
        for proc, _, _ in servers:
            proc.wait(10)
    fleet_median = statistics.median(fleet_times)
    single_median = statistics.median(single_sums)
    print(
        json.dumps(
            {
                "targets": len(servers),
                "workers": args.workers,
                "surface": args.surface,
                "schemathesis": args.schemathesis,
                "rounds": args.rounds,
                "fleet_run_s_median": round(fleet_median, 2),
                "sum_of_10_single_runs_s_median": round(single_median, 2),
                "speedup": round(single_median / fleet_median, 2),
                "same_findings_as_single_runs": same,
                "cpus": os.cpu_count(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
