"""--auth entra: tokens are refreshed before expiry, never used past it, never printed."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken

import conformance.run.target as targets
from conformance.cli import main
from conformance.emulator import DEFAULT_JWT_SECRET, EmulatorConfig, create_app
from conformance.emulator.server import serve
from conformance.emulator.tokens import TokenError, mint_token, verify_token
from conformance.http.auth import ENTRA_SCOPE, BearerHeaders, EntraTokenProvider
from generator.errors import UsageError
from tests.resilience.helpers import CREDENTIAL_ENV
from tests.support import requires_mirror


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


class ShortLivedCredential:
    """A TokenCredential whose tokens (accepted by the emulator) expire in ``lifetime`` s."""

    def __init__(self, lifetime: int) -> None:
        self.lifetime = lifetime
        self.calls = 0
        self.scopes: list[tuple[str, ...]] = []
        self.tokens: list[str] = []
        self._lock = threading.Lock()

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        with self._lock:
            self.calls += 1
            self.scopes.append(scopes)
            token = mint_token(DEFAULT_JWT_SECRET, expires_in=self.lifetime)
            self.tokens.append(token)
            claims = json.loads(_b64(token.split(".")[1]))
            return AccessToken(token, int(claims["exp"]))


def _b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _observing(app: Any, seen: list[tuple[float, str]]) -> Any:
    """Slow every request down a little (so the run spans several token lifetimes) and
    record whether its bearer token was valid when it arrived."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            auth = headers.get("authorization", "")
            if auth.startswith("Bearer ") and auth.count(".") == 2:
                try:
                    verify_token(auth[7:], DEFAULT_JWT_SECRET)
                    seen.append((time.time(), "valid"))
                except TokenError as exc:
                    seen.append((time.time(), str(exc)))
            await asyncio.sleep(0.35)
        await app(scope, receive, send)

    return wrapped


@requires_mirror
@pytest.mark.slow
def test_long_run_keeps_passing_across_token_expiry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    credential = ShortLivedCredential(lifetime=2)
    monkeypatch.setattr(targets, "_entra_credential", lambda: credential)
    seen: list[tuple[float, str]] = []
    report = tmp_path / "entra.json"
    app = _observing(create_app(EmulatorConfig()), seen)
    with serve(app) as url:
        started = time.time()
        code = main(
            [
                "run",
                "--target",
                url,
                "--deployment",
                "gpt-4o-mini",
                "--surface",
                "v1",
                "--auth",
                "entra",
                "--no-schemathesis",
                "--report",
                f"json:{report}",
            ]
        )
        took = time.time() - started
    data = json.loads(report.read_text())
    assert code == 0, [f for f in data["findings"] if f["outcome"] != "passed"]
    outcomes = {f["clause_id"]: f["outcome"] for f in data["findings"]}
    assert outcomes["AUTH-004"] == "passed"
    # the run outlived several tokens; every request still carried a valid one
    assert took > 2 * credential.lifetime, took
    assert credential.calls >= 3, credential.calls
    assert all(s == ("https://cognitiveservices.azure.com/.default",) for s in credential.scopes)
    assert seen and {verdict for _, verdict in seen} == {"valid"}, seen[:5]
    # and none of the tokens reached the report or the console
    text = report.read_text() + json.dumps(capsys.readouterr())
    assert not [t for t in credential.tokens if t in text]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class HourCredential:
    def __init__(self, clock: FakeClock, lifetime: float = 3600) -> None:
        self.clock, self.lifetime, self.calls = clock, lifetime, 0

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls += 1
        return AccessToken(f"tok-{self.calls}", int(self.clock.now + self.lifetime))


def test_token_is_cached_while_valid_and_refreshed_five_minutes_early() -> None:
    clock = FakeClock()
    credential = HourCredential(clock)
    provider = EntraTokenProvider(credential, ENTRA_SCOPE, clock=clock)
    assert provider.token() == "tok-1"
    clock.now += 3000  # 50 minutes: still more than 5 minutes left
    assert provider.token() == "tok-1" and credential.calls == 1
    clock.now += 301  # within the 5-minute margin
    assert provider.token() == "tok-2" and credential.calls == 2
    assert provider.issued == ["tok-1", "tok-2"]
    headers = BearerHeaders(provider)
    assert dict(headers) == {"authorization": "Bearer tok-2"}
    assert "tok" not in repr(headers) and "tok" not in repr(provider)


def test_short_lived_token_is_never_used_past_expiry() -> None:
    clock = FakeClock()
    credential = HourCredential(clock, lifetime=4)
    provider = EntraTokenProvider(credential, clock=clock)
    issued_at = {}
    for _ in range(40):  # 20 seconds in half-second steps
        token = provider.token()
        issued_at.setdefault(token, clock.now)
        assert clock.now < issued_at[token] + 4  # still valid when sent
        clock.now += 0.5
    assert credential.calls >= 9  # refreshed after half its lifetime, every time


def test_credential_failure_is_a_one_line_usage_error() -> None:
    class Broken:
        def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            raise RuntimeError("DefaultAzureCredential failed to retrieve a token\nmore lines")

    provider = EntraTokenProvider(Broken())
    with pytest.raises(UsageError) as info:
        provider.token()
    message = str(info.value)
    assert "\n" not in message and "az login" in message
    assert "DefaultAzureCredential failed to retrieve a token" in message
