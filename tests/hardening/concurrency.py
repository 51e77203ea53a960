"""Many concurrent streaming clients against the emulator under uvicorn on 127.0.0.1.

Used by tests/hardening/test_emulator_hardening.py and bench/bench_hardening.py. Each
client opens its own connection, streams one chat completion and checks the stream is
whole (status 200, ``text/event-stream``, every data line JSON, ``[DONE]`` last). A layer
around the app counts how many requests were in flight at once, so "concurrent" is
measured, not assumed.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["ConcurrencyStats", "InFlight", "stream_clients"]


class InFlight:
    """ASGI layer: the peak number of HTTP requests being served at the same time."""

    def __init__(self, app: Any) -> None:
        self.app, self.now, self.peak = app, 0, 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


@dataclass
class ConcurrencyStats:
    clients: int
    ok: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def p50_s(self) -> float:
        return statistics.median(self.latencies_s) if self.latencies_s else 0.0

    @property
    def p95_s(self) -> float:
        if not self.latencies_s:
            return 0.0
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


async def _one(
    client: httpx.AsyncClient, url: str, key: str, index: int
) -> tuple[bool, str, float]:
    body = {
        "messages": [{"role": "user", "content": f"Say hello, client {index}."}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": 16,
    }
    started = time.perf_counter()
    try:
        async with client.stream(
            "POST",
            f"{url}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
            headers={"api-key": key},
            json=body,
        ) as response:
            text = (await response.aread()).decode()
        took = time.perf_counter() - started
        if response.status_code != 200:
            return False, f"client {index}: status {response.status_code}", took
        if "text/event-stream" not in response.headers.get("content-type", ""):
            return (
                False,
                f"client {index}: content-type {response.headers.get('content-type')}",
                took,
            )
        data = [line[6:] for line in text.splitlines() if line.startswith("data: ")]
        if not data or data[-1].strip() != "[DONE]":
            return False, f"client {index}: stream does not end with [DONE]", took
        for item in data[:-1]:
            json.loads(item)
        return True, "", took
    except (httpx.HTTPError, ValueError) as exc:
        return False, f"client {index}: {type(exc).__name__}: {exc}", time.perf_counter() - started


async def _all(url: str, clients: int, key: str, timeout_s: float) -> ConcurrencyStats:
    stats = ConcurrencyStats(clients)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=timeout_s) as client:
        started = time.perf_counter()
        results = await asyncio.gather(*(_one(client, url, key, i) for i in range(clients)))
        stats.wall_s = time.perf_counter() - started
    for ok, error, took in results:
        stats.latencies_s.append(took)
        if ok:
            stats.ok += 1
        else:
            stats.errors.append(error)
    return stats


def stream_clients(url: str, clients: int, key: str, timeout_s: float = 60.0) -> ConcurrencyStats:
    """``clients`` streaming requests at once against ``url``; what came back."""
    return asyncio.run(_all(url, clients, key, timeout_s))
