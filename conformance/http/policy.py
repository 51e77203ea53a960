"""How the suite behaves on a flaky network: retries with back-off, and a circuit breaker.

Live targets are paid deployments behind real networks. The policy here decides, for one
request of :meth:`conformance.run.context.RunContext.send`:

- **what is retried**: a connection that could not be opened (nothing was sent, so
  nothing was billed), ``429`` and the gateway statuses ``500/502/503/504``. A read
  timeout or a connection dropped after the request was sent is *not* retried: the
  target may have done (and billed) the work, and the clause is inconclusive anyway.
  DNS and TLS failures are not retried either: they do not heal in seconds.
- **how long to wait**: exponential back-off with full jitter, capped
  (``uniform(0, min(cap, base * 2**n))``), or exactly the target's ``Retry-After`` /
  ``retry-after-ms`` when it sends one (seed 004 §429 Too Many Requests); a Retry-After
  longer than :attr:`RetryPolicy.max_retry_after_s` ends the request instead of stalling
  the run. Every attempt is a request of the run's budget.
- **when to stop trying**: after :attr:`CircuitBreaker.threshold` consecutive requests
  that failed for infrastructure reasons (after their retries), the breaker opens and
  every further request of the run fails fast, without touching the network: a dead
  target costs seconds and no budget, and each remaining clause is reported inconclusive.
  Only a target that gives no usable answer counts: transport failures (refused, connect
  timeout, DNS, TLS, a reset on a fresh connection) and availability answers
  (``502/503/504``, ``429`` past its Retry-After). A ``500``/``501`` is an *answer*: the
  target is alive, and the answer is judged by the clause that asked (a 500 where the
  contract documents 404 fails the clause; a valid request answered 500 fails SRV-001).
- **which connection**: after a 5xx answer the client's pooled connections are dropped
  (gateways close them after a 500 without ``Connection: close``); a reset or an empty
  answer on a keep-alive connection that may have been reused is sent again once on a
  fresh connection: the target never answered it.
"""

from __future__ import annotations

import random
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "RETRY_STATUSES",
    "RetryPolicy",
    "CircuitBreaker",
    "TransportPolicy",
    "describe_transport_error",
    "drop_connections",
    "is_stale_connection",
]

# Gateway/availability answers worth a second try (and 429, paced by Retry-After).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class RetryPolicy:
    """Attempts per request and the back-off between them."""

    attempts: int = 3  # the first try included
    base_s: float = 0.5
    cap_s: float = 8.0
    # seed 004 §429: a Retry-After up to this long is honoured; a longer one ends the request
    max_retry_after_s: float = 20.0
    random: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self, retry: int) -> float:
        """Seconds before retry number ``retry`` (1-based): full jitter, capped."""
        ceiling = min(self.cap_s, self.base_s * (2 ** (retry - 1)))
        return ceiling * self.random()

    def delay(self, retry: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry ``retry``; None when the request should give up."""
        if retry >= self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after_s else None
        return self.backoff(retry)


@dataclass
class CircuitBreaker:
    """Opens after ``threshold`` consecutive failed requests; then requests fail fast."""

    threshold: int = 3
    failures: int = 0
    reason: str = ""

    @property
    def open(self) -> bool:
        return self.failures >= self.threshold

    def success(self) -> None:
        self.failures = 0
        self.reason = ""

    def failure(self, reason: str) -> None:
        self.failures += 1
        self.reason = reason


@dataclass
class TransportPolicy:
    """One target's retry policy and breaker (shared by all of its surfaces)."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    retries: int = 0  # retries spent by the run (each also counted as a request)
    waited_s: float = 0.0  # seconds slept between attempts
    # a keep-alive connection may be pooled (the last answer was read and kept)
    pooled: bool = False
    fresh_retries: int = 0  # requests sent again on a new connection after a stale one


def drop_connections(client: object) -> None:
    """Close the pooled connections of an ``httpx.Client`` (new ones open on demand).

    httpx has no public call for this; its transport's connection pool (httpcore) does,
    and stays usable after ``close()``. A client without one (the in-process emulator's
    ``TestClient``) is left alone.
    """
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    close = getattr(pool, "close", None)
    if callable(close):
        close()


def is_stale_connection(exc: BaseException) -> bool:
    """A failure typical of a keep-alive connection the peer had already closed.

    A reset, or a disconnect before any byte of an answer: on a reused connection the
    request never reached the target (a timeout is not: the target may be working on it).
    """
    name = type(exc).__name__
    if "Timeout" in name:
        return False
    text = " ".join(str(e) for e in _chain(exc)).lower()
    return (
        "reset" in text
        or "without sending a response" in text
        or "broken pipe" in text
        or (name in ("RemoteProtocolError", "ReadError") and "disconnected" in text)
    )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def describe_transport_error(exc: BaseException, host: str) -> tuple[str, bool]:
    """(one-line reason, whether a retry can help) for a failed connection or read.

    The reason names what happened and what to do; it never contains request headers
    (the exception's own text is not used when it could echo them).
    """
    name = type(exc).__name__
    chain = _chain(exc)
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or (
        "certificate verify failed" in text
    ):
        return (
            f"TLS certificate verification failed for {host}: pass --ca-bundle PATH with "
            "the CA that signed it (verification is never turned off silently)",
            False,
        )
    if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text and "handshake" in text:
        return f"TLS handshake with {host} failed ({name}); check the URL's scheme and port", False
    if (
        "name or service not known" in text
        or "nodename nor servname" in text
        or ("getaddrinfo" in text or "name resolution" in text or "no address associated" in text)
    ):
        return f"cannot resolve host {host!r} (DNS); check --target", False
    if name in ("ConnectTimeout", "PoolTimeout"):
        return f"connect timeout: {host} did not accept a connection in time", True
    if name == "ConnectError":
        if "refused" in text:
            return f"connection refused by {host}: is the target running?", True
        return f"cannot connect to {host} ({name})", True
    if name in ("ReadTimeout", "WriteTimeout"):
        return f"read timeout: {host} stopped answering mid-response", False
    if "reset" in text:
        return f"connection reset by {host}", False
    if "disconnected" in text or name == "RemoteProtocolError":
        return f"{host} closed the connection without a complete answer", False
    return f"connection to {host} failed ({name})", False
