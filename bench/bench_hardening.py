"""Hardening and live-safety measurements (on demand, not in CI).

1. ``negative``: schemathesis negative-data cases against the emulator in process, every
   operation the suite checks (default 1,000 per operation: 5,000 cases); counts answers
   by status. The hardening bar is zero 5xx.
2. ``concurrency``: N concurrent streaming clients (default 500) against the emulator
   under uvicorn on 127.0.0.1; errors, peak requests in flight, latency median / p95,
   median of --runs runs.
3. ``faults``: the fault matrix: the CLI against fault-injecting servers on 127.0.0.1
   (tests/resilience/faultserver.py); outcome counts, exit code, requests spent, seconds.

    AOAI_SPECS_MIRROR=../shared/upstream-specs AOAI_SPECS_OFFLINE=1 \
        .venv/bin/python bench/bench_hardening.py negative [--per-operation 1000]
    ... bench/bench_hardening.py concurrency [--clients 500] [--runs 3]
    ... bench/bench_hardening.py faults
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the harnesses live with the tests that use them


def negative(per_operation: int) -> int:
    from tests.hardening.negative import run_negative

    started = time.perf_counter()
    stats = run_negative(per_operation)
    took = time.perf_counter() - started
    print(f"negative cases sent: {stats.cases} (+{stats.unsendable} not sendable by a client)")
    for label, count in stats.per_operation.items():
        print(f"  {label}: {count}")
    print(f"statuses: {dict(sorted(stats.statuses.items()))}")
    print(f"5xx: {stats.count_5xx}; 4xx without an error envelope: {len(stats.not_envelope)}")
    for line in stats.server_errors[:10] + stats.not_envelope[:10]:
        print(f"  {line}")
    print(f"time: {took:.1f}s ({stats.generate_s:.1f}s generating, {stats.send_s:.1f}s sending)")
    return 1 if stats.count_5xx else 0


def concurrency(clients: int, runs: int) -> int:
    from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app
    from conformance.emulator.server import serve
    from tests.hardening.concurrency import InFlight, stream_clients

    walls, p50s, p95s, errors, peaks = [], [], [], 0, []
    for _ in range(runs):
        app = InFlight(create_app(EmulatorConfig(stream_delay=0.02)))
        with serve(app) as url:
            stats = stream_clients(url, clients, DEFAULT_API_KEY)
        walls.append(stats.wall_s)
        p50s.append(stats.p50_s)
        p95s.append(stats.p95_s)
        errors += len(stats.errors)
        peaks.append(app.peak)
        for line in stats.errors[:5]:
            print(f"  {line}")
    print(
        f"{clients} concurrent streaming clients x {runs} runs: {errors} errors; "
        f"peak in flight {peaks}; wall median {statistics.median(walls):.2f}s; "
        f"latency median p50 {statistics.median(p50s):.2f}s, p95 {statistics.median(p95s):.2f}s"
    )
    return 1 if errors else 0


def faults() -> str:
    from unittest import mock

    from tests.resilience.faultserver import (
        FaultPlan,
        blackhole_server,
        faulty_emulator,
        resetting_server,
        self_signed,
        tls_emulator,
    )
    from tests.resilience.helpers import CREDENTIAL_ENV, run_cli

    for name in CREDENTIAL_ENV:
        os.environ.pop(name, None)
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def case(name: str, url: str, timeout: str = "1") -> None:
            out = folder / name
            out.mkdir()
            rows.append(run_cli(url, out, timeout=timeout).row(name))

        with faulty_emulator(FaultPlan()) as url:
            case("none (control)", url)
        case("connection refused (nothing listening)", url)
        with blackhole_server() as url:
            case("connect timeout (backlog full, 0.5 s)", url, timeout="0.5")
        with faulty_emulator(FaultPlan(mode="stall-stream")) as url:
            case("read timeout mid-stream (1 s)", url)
        with resetting_server() as url:
            case("connection reset (RST)", url)
        with faulty_emulator(FaultPlan(mode="503", after=12)) as url:
            case("5xx storm from request 12", url)
        with faulty_emulator(FaultPlan(mode="429", after=1, retry_after="1")) as url:
            case("429 storm, Retry-After 1", url)
        real = socket.getaddrinfo

        def resolver(host, *args, **kwargs):  # type: ignore[no-untyped-def]
            if isinstance(host, str) and host.endswith(".invalid"):
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return real(host, *args, **kwargs)

        with mock.patch.object(socket, "getaddrinfo", resolver):
            case("DNS failure (.invalid, simulated)", "http://aoai-conformance-test.invalid")
        cert, key = self_signed(folder)
        with tls_emulator(cert, key) as url:
            case("TLS failure (self-signed cert)", url)
        with faulty_emulator(FaultPlan(mode="kill", after=6)) as url:
            case("target killed at request 6", url)
        with faulty_emulator(FaultPlan(mode="404-as-500")) as url:
            case("gateway answers 500 where 404 is documented", url)
        with faulty_emulator(FaultPlan(mode="chat-500")) as url:
            case("valid chat requests answered 500", url)
    header = (
        "| fault | passed | failed | inconclusive | skipped | exit | requests | seconds |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    return header + "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    neg = sub.add_parser("negative")
    neg.add_argument("--per-operation", type=int, default=1000)
    conc = sub.add_parser("concurrency")
    conc.add_argument("--clients", type=int, default=500)
    conc.add_argument("--runs", type=int, default=3)
    sub.add_parser("faults")
    args = parser.parse_args()
    if args.what == "negative":
        return negative(args.per_operation)
    if args.what == "concurrency":
        return concurrency(args.clients, args.runs)
    import contextlib
    import io

    # the CLI's console output of each run is not the point here: keep the table readable
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        table = faults()
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
