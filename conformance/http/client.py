"""The one way to the network: every request of a run goes through :meth:`HttpClient.send`.

The catalog's checks, the target detection and the schemathesis phase all send through
it, so every request of a run gets the same treatment: the budget is checked and charged
(:mod:`conformance.http.budget`), failures are retried with back-off honouring
``Retry-After`` and stopped by the circuit breaker (:mod:`conformance.http.policy`), the
run's secrets echoed by a target are masked before anything reads the answer
(:mod:`conformance.http.secrets`), recorded headers are redacted, and a target that gave
no usable answer raises :class:`InfrastructureError` (the clause is *inconclusive*, never
passed or failed). One :class:`Exchange` records each request/response pair.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.http.budget import Budget
from conformance.http.policy import (
    RETRY_STATUSES,
    TransportPolicy,
    describe_transport_error,
    drop_connections,
    is_stale_connection,
)
from conformance.http.redact import curl_command, header_secrets, mask_secrets, redact_headers
from conformance.http.secrets import Secrets
from conformance.http.sse import SseEvent, parse_sse

__all__ = [
    "AVAILABILITY_STATUSES",
    "Exchange",
    "HttpClient",
    "InfrastructureError",
    "SERVER_ERROR_CLAUSE",
    "ServerErrorAnswer",
    "TIMEOUT_ERRORS",
    "TRANSPORT_ERRORS",
    "connect",
    "retry_after_seconds",
]


def _exception_types(name: str) -> tuple[type[BaseException], ...]:
    """``name`` from httpx and from httpx2 (starlette's TestClient is built on httpx2)."""
    found: list[type[BaseException]] = [getattr(httpx, name)]
    try:
        import httpx2  # type: ignore[import-not-found]

        found.append(getattr(httpx2, name))
    except (ImportError, AttributeError):
        pass
    return tuple(found)


#: Timeout / transport exception types of both HTTP stacks (shared with the schemathesis phase).
TIMEOUT_ERRORS = _exception_types("TimeoutException")
TRANSPORT_ERRORS = _exception_types("TransportError")


class InfrastructureError(Exception):
    """Timeout, connection error, or an unavailable target: the clause is inconclusive."""


class ServerErrorAnswer(InfrastructureError):
    """A valid request answered 500/501 (or another non-gateway 5xx) on every attempt.

    The target is alive and answered: the answer is a divergence of its own, reported once
    per surface and operation under :data:`SERVER_ERROR_CLAUSE`; a clause that needed a
    successful answer is inconclusive and names that finding. It does not count toward
    the circuit breaker.
    """

    def __init__(self, message: str, exchange: Exchange) -> None:
        super().__init__(message)
        self.exchange = exchange


#: The clause that reports valid requests answered with a server error (conformance.checks).
SERVER_ERROR_CLAUSE = "SRV-001"

# Availability answers of a gateway (retried, and counted toward the circuit breaker);
# every other 5xx is the target's own answer (conformance.http.policy docstring).
AVAILABILITY_STATUSES = frozenset({502, 503, 504})


@dataclass
class Exchange:
    """One request/response pair as the checks see it (headers lower-cased)."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    status: int
    headers: dict[str, str]
    text: str
    elapsed_s: float = 0.0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    @property
    def events(self) -> list[SseEvent]:
        return parse_sse(self.text)

    def curl(self, secrets: Iterable[str]) -> str:
        """The request as a copy-pasteable ``curl`` command, credentials redacted."""
        return curl_command(self.method, self.url, self.request_headers, self.request_body, secrets)


def connect(timeout_s: float, verify: Any) -> httpx.Client:
    """The connection pool of a live target: never follows redirects (a redirect is an
    answer the checks judge), carries the timeout, verifies TLS as ``verify`` says
    (:func:`conformance.http.tls.tls_settings`: on unless ``--insecure``)."""
    return httpx.Client(follow_redirects=False, timeout=timeout_s, verify=verify)


@dataclass
class HttpClient:
    """Where to send (``base_url``), with what (``client``), within what (``budget``).

    ``client`` is an ``httpx.Client`` for a live target or starlette's ``TestClient`` for
    the embedded emulator; it carries the timeout. ``auth_headers`` are read per request
    (an Entra mapping hands out a refreshed token) and never rendered by ``repr``.
    ``transport`` (retries, back-off, the circuit breaker) is shared by a live target's
    surfaces; ``exchanges`` and ``server_errors`` are this surface's own.
    """

    base_url: str
    client: Any  # httpx.Client | starlette.testclient.TestClient
    budget: Budget
    auth_headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    secrets: Secrets = field(default_factory=Secrets, repr=False)
    timeout_s: float = 30.0
    transport: TransportPolicy = field(default_factory=TransportPolicy, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    exchanges: list[Exchange] = field(default_factory=list, repr=False)
    # valid requests answered with a server error, by "METHOD path" (the first answer)
    server_errors: dict[str, Exchange] = field(default_factory=dict, repr=False)

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        expect_status: tuple[int, ...] = (),
        retry_on_429: bool = True,
    ) -> Exchange:
        """Send one request within the budget; raise when the target gave no usable answer.

        ``expect_status`` lists the statuses the contract documents for this request. When
        it lists a 4xx (the request is invalid on purpose: unknown path, bad api-version,
        missing key...), any other answer, a 500 included, is returned as the clause's
        evidence: a 500 where the contract documents 404 fails the clause, it is not an
        outage. A 5xx or 429 listed there is returned as well.

        Otherwise (:mod:`conformance.http.policy`): connection failures, 429 and
        500/502/503/504 are retried with capped, jittered back-off or the target's
        Retry-After. A valid request answered 500/501 on every attempt raises
        :class:`ServerErrorAnswer` (recorded in :attr:`server_errors`; the target is
        alive). Only transport failures, 502/503/504 and 429 storms raise a plain
        :class:`InfrastructureError` and count toward the circuit breaker.

        Connections: after a 5xx answer the pooled connections are dropped (a gateway may
        close them without saying so); a connection reset on a possibly reused keep-alive
        connection is retried once on a fresh one (nothing was answered on it).

        ``params`` is the whole query (the caller adds the surface's api-version).
        ``content`` sends raw bytes instead of ``json_body`` (the schemathesis phase's
        generated bodies, which need not be JSON); the caller sets their Content-Type.
        """
        query = dict(params or {})
        sent_headers: dict[str, str] = {}
        if auth:
            # read per request: an Entra mapping hands out a token refreshed before expiry
            sent_headers.update(self.auth_headers)
        if json_body is not None:
            sent_headers["content-type"] = "application/json"
        sent_headers.update(headers or {})
        url = httpx.URL(self.base_url + path, params=query)
        payload = content if content is not None else None
        if payload is None and json_body is not None:
            payload = json.dumps(json_body).encode()
        recorded_body = json_body
        if content is not None:
            recorded_body = content.decode("utf-8", "backslashreplace")
        documents_error = any(400 <= s < 500 and s != 429 for s in expect_status)
        policy, breaker, transport = self.transport.retry, self.transport.breaker, self.transport
        if breaker.open:
            # a target that already failed several requests in a row is not asked again
            raise InfrastructureError(
                f"not sent: the target failed {breaker.failures} requests in a row "
                f"(last: {breaker.reason})"
            )
        retry = 0
        fresh_retry_done = False
        while True:
            self.budget.check()
            self.budget.spend.requests += 1
            started = time.perf_counter()
            reused = transport.pooled
            try:
                # the client carries the timeout (starlette's TestClient takes none per call)
                response = self.client.request(
                    method,
                    str(url),
                    headers=sent_headers,
                    content=payload,
                )
                # a target that echoes a credential back must not hand it to a report:
                # the checks only ever see the response with the run's secrets masked
                # (the run's own credentials only: a bogus key a check presents on
                # purpose stays visible, AUTH-003 looks for its echo)
                known = (*self.secrets, *header_secrets(self.auth_headers))
                text = mask_secrets(response.text, known)
                response_headers = {
                    k.lower(): mask_secrets(v, known) for k, v in response.headers.items()
                }
            except (*TIMEOUT_ERRORS, *TRANSPORT_ERRORS) as exc:
                reason, retryable = describe_transport_error(exc, url.host or self.base_url)
                drop_connections(self.client)
                transport.pooled = False
                if reused and not fresh_retry_done and is_stale_connection(exc):
                    # a keep-alive connection the target had already closed: the request
                    # never reached it, so it is sent again, once, on a new connection
                    fresh_retry_done = True
                    transport.fresh_retries += 1
                    continue
                if isinstance(exc, TIMEOUT_ERRORS) and "ConnectTimeout" not in type(exc).__name__:
                    reason = f"timeout after {self.timeout_s:g}s ({reason})"
                else:
                    reason = f"connection error: {reason}"
                wait = policy.delay(retry + 1, None) if retryable else None
                if wait is not None:
                    retry += 1
                    self._pause(wait)
                    continue
                breaker.failure(reason)
                # from None: the httpx exception chain could carry the request's headers
                raise InfrastructureError(f"{reason}: {method} {path}") from None
            exchange = Exchange(
                method=method,
                url=str(url),
                # recorded with credentials masked: an exchange is safe to print or store
                request_headers={k.lower(): v for k, v in redact_headers(sent_headers).items()},
                request_body=recorded_body,
                status=response.status_code,
                headers=response_headers,
                text=text,
                elapsed_s=time.perf_counter() - started,
            )
            self.exchanges.append(exchange)
            self.count_tokens(exchange)
            status = exchange.status
            if status >= 500:
                # do not trust the connection after a server error (issue 11: a gateway
                # that closes it after a 500 without "Connection: close")
                drop_connections(self.client)
                transport.pooled = False
            else:
                transport.pooled = True
            if status in expect_status or (status < 500 and status != 429):
                breaker.success()
                return exchange
            if status == 429 and not retry_on_429:
                breaker.success()
                return exchange
            if status >= 500 and status not in AVAILABILITY_STATUSES and documents_error:
                # the target answered an invalid request with a server error: that is the
                # clause's evidence (a 500 where the contract documents a 4xx)
                breaker.success()
                return exchange
            wait_hint = retry_after_seconds(exchange.headers)
            wait = policy.delay(retry + 1, wait_hint) if status in RETRY_STATUSES else None
            if wait is not None:
                retry += 1
                self._pause(wait)
                continue
            attempts = f"{retry + 1} attempt{'s' if retry else ''}"
            if status >= 500 and status not in AVAILABILITY_STATUSES:
                # alive and answering: a divergence of its own, not an outage
                breaker.success()
                operation = f"{method} {path}"
                self.server_errors.setdefault(operation, exchange)
                raise ServerErrorAnswer(
                    f"needs a successful answer, but {operation} was answered {status} on "
                    f"{attempts} (reported under {SERVER_ERROR_CLAUSE})",
                    exchange,
                )
            if status == 429:
                reason = (
                    f"rate limited (429) on {method} {path} after {attempts}; "
                    f"Retry-After {'absent' if wait_hint is None else f'{wait_hint:g}s'}: "
                    "try again later"
                )
            else:
                reason = (
                    f"target unavailable: {status} on {method} {path} after {attempts} "
                    "(a gateway or availability answer, not a contract answer)"
                )
            breaker.failure(reason)
            raise InfrastructureError(reason)

    def _pause(self, seconds: float) -> None:
        self.transport.retries += 1
        self.transport.waited_s += seconds
        self.sleep(seconds)

    def count_tokens(self, exchange: Exchange) -> None:
        """Record the usage a successful answer reports (a stream's too) in the budget."""
        if exchange.status != 200:
            return
        if "text/event-stream" in exchange.content_type:
            for event in exchange.events:
                data = event.json
                if not isinstance(data, dict):
                    continue
                if isinstance(data.get("usage"), dict):  # a chat usage chunk
                    self.budget.record_usage(data["usage"])
                elif data.get("type") in ("response.completed", "response.incomplete"):
                    # the Responses API: usage comes with the final response
                    response = data.get("response")
                    if isinstance(response, dict):
                        self.budget.record_usage(response.get("usage"))
            return
        body = exchange.json
        if isinstance(body, dict):
            self.budget.record_usage(body.get("usage"))


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seed 004 §429)."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value:
        try:
            return max(float(value), 0.0)
        except ValueError:
            return None
    return None
