"""Fault-injecting servers on 127.0.0.1 for the resilience tests (bounded in time).

- :func:`faulty_emulator`: the emulator under real uvicorn behind an ASGI layer that, from
  the N-th request on, answers a 5xx or 429 storm, stalls a stream after its first chunk,
  or shuts the server down (the target "killed" mid-run);
- :func:`resetting_server`: accepts, reads the request, and resets the connection (RST);
- :func:`blackhole_server`: a listening socket whose accept backlog is full, so that a new
  connection is never accepted (a real connect timeout, without leaving the machine);
- :func:`tls_emulator` and :func:`self_signed`: the emulator under uvicorn over TLS with a
  certificate made here with ``cryptography``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from conformance.emulator import EmulatorConfig, create_app

__all__ = [
    "FaultPlan",
    "faulty_emulator",
    "resetting_server",
    "keepalive_server",
    "KeepAliveLog",
    "blackhole_server",
    "self_signed",
    "tls_emulator",
]

# No test server lives longer than this, whatever happens to the test.
MAX_LIFETIME_S = 60.0


@dataclass
class FaultPlan:
    """What the ASGI layer does: ``mode`` from request number ``after`` (1-based) on."""

    # none | 503 | 429 | stall-stream | kill | 404-as-500 (a gateway answering 500 where
    # the backend says 404) | chat-500 (every successful chat completion becomes a 500)
    mode: str = "none"
    after: int = 1
    retry_after: str = "1"
    seen: int = 0
    faulted: int = 0
    server: Any = field(default=None, repr=False)


def _layer(app: Any, plan: FaultPlan) -> Any:
    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        plan.seen += 1
        active = plan.mode != "none" and plan.seen >= plan.after
        if active and plan.mode in ("503", "429"):
            plan.faulted += 1
            status = int(plan.mode)
            code = "ServiceUnavailable" if status == 503 else "TooManyRequests"
            body = f'{{"error":{{"code":"{code}","message":"injected {status}"}}}}'.encode()
            headers = [(b"content-type", b"application/json"), (b"x-ms-error-code", code.encode())]
            if status == 429:
                headers.append((b"retry-after", plan.retry_after.encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if active and plan.mode == "kill":
            plan.faulted += 1
            plan.server.should_exit = True  # uvicorn closes its socket: connections refused
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        if active and plan.mode in ("404-as-500", "chat-500"):
            chat = scope["method"] == "POST" and scope["path"].endswith("/chat/completions")
            wanted = 404 if plan.mode == "404-as-500" else 200
            replaced = False

            async def replacing_send(message: dict[str, Any]) -> None:
                nonlocal replaced
                if message["type"] == "http.response.start":
                    if message["status"] == wanted and (plan.mode == "404-as-500" or chat):
                        replaced = True
                        plan.faulted += 1
                        body = b'{"error":{"message":"Internal Server Error"}}'
                        await send(
                            {
                                "type": "http.response.start",
                                "status": 500,
                                "headers": [
                                    (b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode()),
                                ],
                            }
                        )
                        await send({"type": "http.response.body", "body": body})
                        return
                if not replaced:
                    await send(message)

            await app(scope, receive, replacing_send)
            return
        if active and plan.mode == "stall-stream":
            stalled = False

            async def stalling_send(message: dict[str, Any]) -> None:
                nonlocal stalled
                if stalled:
                    return
                await send(message)
                body = message.get("body", b"")
                if message["type"] == "http.response.body" and b"data:" in body:
                    plan.faulted += 1
                    stalled = True
                    await asyncio.sleep(10)  # the client's read timeout ends it first

            await app(scope, receive, stalling_send)
            return
        await app(scope, receive, send)

    return wrapped


@contextlib.contextmanager
def _uvicorn(app: Any, **ssl: Any) -> Iterator[tuple[int, uvicorn.Server]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        **ssl,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    killer = threading.Timer(MAX_LIFETIME_S, lambda: setattr(server, "should_exit", True))
    killer.daemon = True
    killer.start()
    try:
        yield port, server
    finally:
        killer.cancel()
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextlib.contextmanager
def faulty_emulator(plan: FaultPlan, config: EmulatorConfig | None = None) -> Iterator[str]:
    """The emulator behind the fault layer; yields ``http://127.0.0.1:PORT``."""
    app = _layer(create_app(config or EmulatorConfig()), plan)
    with _uvicorn(app) as (port, server):
        plan.server = server
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def _raw_server(handle: Any, backlog: int = 16) -> Iterator[tuple[socket.socket, int]]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(backlog)
    listener.settimeout(0.2)
    stop = threading.Event()
    started = time.monotonic()

    def loop() -> None:
        while not stop.is_set() and time.monotonic() - started < MAX_LIFETIME_S:
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    if handle is not None:
        thread.start()
    try:
        yield listener, listener.getsockname()[1]
    finally:
        stop.set()
        if handle is not None:
            thread.join(5)
        listener.close()


def _reset(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.settimeout(2)
        conn.recv(65536)  # the request line and headers
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()


@contextlib.contextmanager
def resetting_server() -> Iterator[str]:
    """Every connection is reset after the request arrives."""
    with _raw_server(_reset) as (_, port):
        yield f"http://127.0.0.1:{port}"


@dataclass
class KeepAliveLog:
    """What :func:`keepalive_server` saw: connections accepted, requests per connection."""

    connections: int = 0
    requests: list[tuple[int, str]] = field(default_factory=list)  # (connection, path)


def _read_request(conn: socket.socket, pending: bytes) -> tuple[str, bytes] | None:
    """(path, rest) of one HTTP/1.1 request with a Content-Length body, None at EOF."""
    data = pending
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return lines[0].split(" ")[1], rest[length:]


def _answer(status: int, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@contextlib.contextmanager
def keepalive_server(
    log: KeepAliveLog, *, fail_path: str, reset_reused: bool, close_after_500: bool = True
) -> Iterator[str]:
    """An HTTP/1.1 server that keeps connections alive, with two misbehaviours.

    - a request to ``fail_path`` is answered 500 and the connection is then closed with a
      reset, without ``Connection: close`` (a gateway seen doing this after each 500), or
      kept open with ``close_after_500=False``;
    - with ``reset_reused``, the second request on any connection is read and answered
      with a reset instead (a keep-alive connection the server dropped meanwhile).
    Every other request is answered 200 ``{"ok": true}`` and the connection kept.
    """

    def handle(conn: socket.socket) -> None:
        log.connections += 1
        number = log.connections
        served = 0
        pending = b""
        with contextlib.suppress(OSError):
            conn.settimeout(5)
            while True:
                got = _read_request(conn, pending)
                if got is None:
                    break
                path, pending = got
                log.requests.append((number, path))
                served += 1
                if reset_reused and served >= 2:
                    break  # answered with a reset below
                if path.split("?")[0] == fail_path:
                    conn.sendall(_answer(500, b'{"error":{"message":"Internal Server Error"}}'))
                    if close_after_500:
                        break
                    continue
                conn.sendall(_answer(200, b'{"ok": true}'))
            conn.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
        conn.close()

    with _raw_server(handle) as (_, port):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def blackhole_server() -> Iterator[str]:
    """A port that never accepts: backlog 0, already filled, so SYNs go unanswered."""
    with _raw_server(None, backlog=0) as (_, port):
        fillers = []
        for _ in range(2):
            filler = socket.socket()
            filler.settimeout(0.3)
            with contextlib.suppress(OSError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            for filler in fillers:
                filler.close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """(cert.pem, key.pem) for 127.0.0.1, self-signed, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@contextlib.contextmanager
def tls_emulator(cert: Path, key: Path) -> Iterator[str]:
    """The emulator under uvicorn over TLS; yields ``https://127.0.0.1:PORT``."""
    app = create_app(EmulatorConfig())
    with _uvicorn(app, ssl_certfile=str(cert), ssl_keyfile=str(key)) as (port, _):
        yield f"https://127.0.0.1:{port}"
