"""Per-deployment request and token budgets over a sliding window (requests/tokens per minute).

Exceeding a budget is answered 429 with ``Retry-After`` (seed 004 §429 Too Many
Requests; the openai SDK also reads ``retry-after-ms``) and the
``x-ratelimit-remaining-requests`` / ``x-ratelimit-remaining-tokens`` headers Azure sends.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from conformance.emulator.config import Deployment

__all__ = ["Decision", "RateLimiter"]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float  # seconds until the request would fit (0 when allowed)
    remaining_requests: int | None
    remaining_tokens: int | None

    def headers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.remaining_requests is not None:
            out["x-ratelimit-remaining-requests"] = str(self.remaining_requests)
        if self.remaining_tokens is not None:
            out["x-ratelimit-remaining-tokens"] = str(self.remaining_tokens)
        return out


class RateLimiter:
    """One sliding window per deployment; single event loop, so no locking is needed."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, deque[tuple[float, int]]] = {}

    def check(self, deployment: Deployment, tokens: int) -> Decision | None:
        """Admit (and record) a request of ``tokens`` tokens; ``None`` when unlimited."""
        if deployment.rpm is None and deployment.tpm is None:
            return None
        now = self._clock()
        window = self._windows.setdefault(deployment.name, deque())
        horizon = now - deployment.window_seconds
        while window and window[0][0] <= horizon:
            window.popleft()
        used_tokens = sum(t for _, t in window)
        wait = 0.0
        if deployment.rpm is not None and len(window) >= deployment.rpm:
            wait = window[len(window) - deployment.rpm][0] - horizon
        if deployment.tpm is not None and used_tokens + tokens > deployment.tpm:
            freed, need = 0, used_tokens + tokens - deployment.tpm
            for stamp, spent in window:
                freed += spent
                if freed >= need:
                    wait = max(wait, stamp - horizon)
                    break
            else:
                wait = max(wait, deployment.window_seconds)
        if wait > 0:
            return Decision(
                False,
                wait,
                _remaining(deployment.rpm, len(window)),
                _remaining(deployment.tpm, used_tokens),
            )
        window.append((now, tokens))
        return Decision(
            True,
            0.0,
            _remaining(deployment.rpm, len(window)),
            _remaining(deployment.tpm, used_tokens + tokens),
        )

    @staticmethod
    def retry_after_header(seconds: float) -> dict[str, str]:
        return {
            "Retry-After": str(max(1, math.ceil(seconds))),
            "retry-after-ms": str(max(1, math.ceil(seconds * 1000))),
        }


def _remaining(limit: int | None, used: int) -> int | None:
    return None if limit is None else max(0, limit - used)
