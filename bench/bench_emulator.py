"""Benchmark: the emulator under load on loopback, against a bare Starlette hello-world.

Run on demand (not by CI):

    AOAI_SPECS_MIRROR=../shared/upstream-specs AOAI_SPECS_OFFLINE=1 \
        .venv/bin/python bench/bench_emulator.py [--runs 3] [--duration 5] [--connections 64]

Each server runs in its own process under uvicorn on 127.0.0.1; the load comes from
another process: ``wrk`` (Debian package ``wrk``) for throughput and latency, and a small
asyncio client for the concurrent-streams check (each of N simultaneous streams must end
with ``data: [DONE]``). Scenarios:

- ``hello``: bare Starlette, one route answering a short text (the ceiling);
- ``chat``: the emulator, non-streaming dated chat completion (``api-key``, 1 message);
- ``stream``: the emulator, the same request with ``stream: true`` and usage;
- ``streams-500``: N concurrent streaming requests opened at once (errors counted).

Every figure is the median of ``--runs`` runs. Bounded: each wrk run lasts
``--duration`` seconds; the streams check opens ``--streams`` connections once per run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KEY = "emulator-key-0000"
PATH = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
BODY = {"messages": [{"role": "user", "content": "Hello, how are you today?"}], "max_tokens": 32}
STREAM_BODY = {**BODY, "stream": True, "stream_options": {"include_usage": True}}


# ---------------------------------------------------------------- servers (child processes)
def _hello_app() -> Any:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def hello(request: Any) -> PlainTextResponse:
        return PlainTextResponse("Hello, world!")

    return Starlette(routes=[Route("/{path:path}", hello, methods=["GET", "POST"])])


def serve(kind: str, port: int) -> None:
    import uvicorn

    if kind == "hello":
        app = _hello_app()
    else:
        from conformance.emulator import create_app

        app = create_app()
        app.state.emulator.warm_up()  # as `aoai-conformance emulate` does
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", self.kind, "--port", str(self.port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"{self.kind} server did not start")
        # warm-up: lazy spec loading and validator compilation happen on first use
        asyncio.run(_streams(self.port, 4, STREAM_BODY))
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(10)


# ---------------------------------------------------------------- wrk
_LUA = """wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["api-key"] = "{key}"
"""


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(
    port: int, body: dict[str, Any], connections: int, duration: int, pid: int
) -> dict[str, float]:
    """One wrk run; also the server's CPU time per request (robust to other load)."""
    cpu_before = _cpu_seconds(pid)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_LUA.format(body=json.dumps(json.dumps(body)), key=KEY))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{duration}s",
                # wrk's default 2 s timeout would count a slow answer as a socket error;
                # the SDKs wait far longer (openai: 600 s). Latency percentiles still show it.
                "--timeout",
                "10s",
                "--latency",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}{PATH}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=duration + 30,
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    cpu_us = (_cpu_seconds(pid) - cpu_before) / max(1, requests) * 1e6
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": errors, "cpu_us_per_req": cpu_us}


# ---------------------------------------------------------------- concurrent streams
async def _one_stream(port: int, payload: bytes) -> tuple[bool, float]:
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"api-key: {KEY}\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode() + payload)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(-1), timeout=60)
        writer.close()
        ok = data.startswith(b"HTTP/1.1 200") and b"data: [DONE]" in data
        return ok, time.perf_counter() - started
    except (TimeoutError, OSError):
        return False, time.perf_counter() - started


async def _streams(port: int, count: int, body: dict[str, Any]) -> dict[str, float]:
    payload = json.dumps(body).encode()
    started = time.perf_counter()
    results = await asyncio.gather(*(_one_stream(port, payload) for _ in range(count)))
    elapsed = time.perf_counter() - started
    latencies = sorted(t for _, t in results)
    return {
        "streams": count,
        "errors": sum(1 for ok, _ in results if not ok),
        "wall_s": elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


# ---------------------------------------------------------------- driver
def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serve", choices=["hello", "emulator"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (max 30)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--streams", type=int, default=500, help="concurrent streams (max 1000)")
    parser.add_argument("--json", action="store_true", help="print the medians as JSON")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return 0
    if shutil.which("wrk") is None:
        print("error: wrk is not installed; apt-get install wrk", file=sys.stderr)
        return 2
    duration = max(1, min(args.duration, 30))
    streams = max(1, min(args.streams, 1000))
    runs: dict[str, list[dict[str, float]]] = {}
    ratios: list[float] = []
    cpu_ratios: list[float] = []
    key = f"streams-{streams}"
    # Both servers stay up; each run measures hello then the emulator back to back, so
    # that load from elsewhere on the machine hits both sides of the ratio alike.
    with Server("hello") as hello, Server("emulator") as emulator:
        for _ in range(args.runs):
            base = wrk(hello.port, BODY, args.connections, duration, hello.pid)
            chat = wrk(emulator.port, BODY, args.connections, duration, emulator.pid)
            ratios.append(chat["rps"] / base["rps"])
            cpu_ratios.append(base["cpu_us_per_req"] / chat["cpu_us_per_req"])
            runs.setdefault("hello", []).append(base)
            runs.setdefault("chat", []).append(chat)
            runs.setdefault("stream", []).append(
                wrk(emulator.port, STREAM_BODY, args.connections, duration, emulator.pid)
            )
            runs.setdefault(key, []).append(
                asyncio.run(_streams(emulator.port, streams, STREAM_BODY))
            )
    results = {name: _median(rows) for name, rows in runs.items()}
    ratio = statistics.median(ratios)
    if args.json:
        cpu_ratio = statistics.median(cpu_ratios)
        print(
            json.dumps(
                {"medians": results, "chat_vs_hello": ratio, "chat_vs_hello_cpu": cpu_ratio},
                indent=2,
            )
        )
        return 0
    print(f"medians of {args.runs} runs; wrk -t2 -c{args.connections} -d{duration}s on 127.0.0.1")
    for name, row in results.items():
        cells = ", ".join(f"{k}={v:,.1f}" for k, v in row.items())
        print(f"  {name:<12} {cells}")
    print(f"  chat / hello throughput (median of paired runs): {ratio:.0%}")
    print(
        "  chat / hello by server CPU per request (hello cpu / chat cpu; not skewed by other "
        f"load on the machine): {statistics.median(cpu_ratios):.0%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
