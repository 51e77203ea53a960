"""Secrets: one growing set read by masking, logs and reports."""

from __future__ import annotations

import threading

from conformance.http.auth import EntraTokenProvider
from conformance.http.secrets import Secrets


class _Token:
    def __init__(self, token: str, expires_on: float) -> None:
        self.token, self.expires_on = token, expires_on


class _Credential:
    def __init__(self) -> None:
        self.n = 0

    def get_token(self, scope: str) -> _Token:
        self.n += 1
        return _Token(f"entra-token-{self.n:04d}", 1000.0 * self.n)


def test_order_growth_and_no_empty_values() -> None:
    secrets = Secrets(["key-aaaa", None, ""])
    secrets.add("tok-bbbb", "key-aaaa", None)
    assert secrets.snapshot() == ("key-aaaa", "tok-bbbb")
    assert len(secrets) == 2 and "tok-bbbb" in secrets
    assert "key-aaaa" not in repr(secrets)


def test_the_redactor_follows_the_set() -> None:
    secrets = Secrets(["key-aaaa"])
    assert secrets.redact("x key-aaaa y") == "x *** y"
    assert secrets.redact("late-secret-1") == "late-secret-1"
    secrets.add("late-secret-1")
    assert secrets.redact("late-secret-1") == "***"
    assert secrets.mask("a late-secret-1 b") == "a *** b"


def test_a_refreshed_entra_token_joins_the_set_when_issued() -> None:
    secrets = Secrets()
    clock = [0.0]
    provider = EntraTokenProvider(_Credential(), clock=lambda: clock[0], secrets=secrets)
    first = provider.token()
    clock[0] = 999.0  # past the refresh point of the first token
    second = provider.token()
    assert first != second
    assert secrets.snapshot() == (first, second)


def test_threads_may_add_at_once() -> None:
    secrets = Secrets()
    workers = [
        threading.Thread(target=lambda i=i: [secrets.add(f"s-{i}-{j}") for j in range(200)])
        for i in range(4)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(secrets) == 800
