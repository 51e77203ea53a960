"""Canary secrets never reach any output byte.

A canary api key (and, in an Entra run, a canary bearer token) is used for a whole run
against the emulator under uvicorn, with several faults so that clauses fail as well as
pass, the schemathesis phase on, every report format written, a baseline written, the
console verbose and DEBUG logging of every logger on. The target is hostile: on top of the
``key-echoed-in-401`` fault, every answer echoes the presented credential back — raw,
URL-encoded and base64 — in a header, and 4xx bodies echo it too. Then every byte of
every report file, the baseline, captured stdout/stderr and every log record is searched
for the canary in all those forms: zero hits.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from azure.core.credentials import AccessToken

import conformance.run.target as targets
from conformance.cli import main
from conformance.emulator import DEFAULT_JWT_SECRET, EmulatorConfig, create_app
from conformance.emulator.server import serve
from conformance.emulator.tokens import mint_token
from tests.resilience.helpers import CREDENTIAL_ENV
from tests.suite.helpers import Answer, Seen, mutating
from tests.support import requires_mirror

pytestmark = requires_mirror

CANARY_KEY = "canary-key-Zq7Xw3Rt9Lp2Vn6Ks4"
# clauses fail on these (and key-echoed-in-401 makes the target echo a key itself)
FAULTS = ("key-echoed-in-401", "no-done", "usage-total-wrong", "no-x-ms-error-code")
LOGGERS = ("", "httpx", "httpcore", "conformance", "azure", "uvicorn", "schemathesis")


def forms(secret: str) -> dict[str, str]:
    """The canary as a report could contain it: raw, URL-encoded, base64 (std/url, padded
    or not), and its distinctive prefix (a truncated echo must not leak either)."""
    raw = secret.encode()
    found = {
        "raw": secret,
        "url-encoded": quote(secret, safe=""),
        "url-encoded-plus": quote_plus(secret),
        "base64": base64.b64encode(raw).decode(),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "prefix": secret[:14],
    }
    return found


class Echo:
    """The hostile target: echo every presented credential back in every answer."""

    def __init__(self) -> None:
        self.echoed = 0

    def __call__(self, seen: Seen, answer: Answer) -> None:
        presented = [
            v.split(" ", 1)[-1]
            for k, v in seen.headers.items()
            if k in ("api-key", "authorization") and v
        ]
        if not presented:
            return
        cred = presented[0]
        b64 = base64.b64encode(cred.encode()).decode()
        answer.headers["x-echo-credential"] = cred
        answer.headers["x-echo-credential-b64"] = b64
        answer.headers["x-echo-credential-url"] = quote(cred, safe="")
        self.echoed += 1
        body = answer.json
        if 400 <= answer.status < 500 and isinstance(body, dict):
            body["echo"] = {"presented": cred, "b64": b64, "msg": f"Bearer {cred}"}
            answer.set_json(body)


@pytest.fixture
def debug_logs() -> Iterator[list[str]]:
    """Every log record of every logger at DEBUG, formatted as a handler would write it."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    logging.getLogger().addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        logging.getLogger().removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


def _outputs(folder: Path, captured: Any, logs: list[str]) -> dict[str, bytes]:
    found = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    found["<stdout>"] = captured.out.encode()
    found["<stderr>"] = captured.err.encode()
    found["<logs>"] = "\n".join(logs).encode()
    return found


def _hits(outputs: dict[str, bytes], secret: str) -> list[tuple[str, str]]:
    return [
        (name, kind)
        for name, data in outputs.items()
        for kind, form in forms(secret).items()
        if form.encode() in data
    ]


def _run(url: str, out: Path, *extra: str) -> int:
    argv = [
        "run",
        "--target",
        url,
        "--deployment",
        "gpt-4o-mini",
        "--rate-limited-deployment",
        "tiny-quota",
        "--reasoning-deployment",
        "gpt-5.1-mini",
        "--verbose",
        "--report",
        f"json:{out / 'r.json'}",
        "--report",
        f"junit:{out / 'r.xml'}",
        "--report",
        f"markdown:{out / 'r.md'}",
        "--report",
        f"html:{out / 'r.html'}",
        "--baseline",
        str(out / "baseline.json"),
        "--update-baseline",
        *extra,
    ]
    return main(argv)


@pytest.mark.slow
def test_canary_api_key_never_appears_in_any_output(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], debug_logs: list[str]
) -> None:
    echo = Echo()
    app = mutating(echo)(create_app(EmulatorConfig(api_key=CANARY_KEY, faults=FAULTS)))
    out = tmp_path / "out"
    out.mkdir()
    with serve(app) as url:
        code = _run(url, out, "--api-key", CANARY_KEY)
        # the same key from the environment (the way CI passes it), into a second folder
        out_env = tmp_path / "out-env"
        out_env.mkdir()
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("AZURE_OPENAI_API_KEY", CANARY_KEY)
            code_env = _run(url, out_env)
    captured = capfd.readouterr()
    # the run really happened: clauses failed and passed, and the target echoed the key
    report = json.loads((out / "r.json").read_text())
    outcomes = {f["outcome"] for f in report["findings"]}
    assert {"passed", "failed"} <= outcomes
    failed = {f["clause_id"] for f in report["findings"] if f["outcome"] == "failed"}
    assert {"AUTH-003", "STREAM-007", "RESP-003", "ERR-002"} <= failed
    assert code == 0 and code_env == 0  # --update-baseline accepted the divergences
    assert echo.echoed >= 20
    assert len(report["surfaces"]) == 3 and debug_logs
    outputs = _outputs(tmp_path, captured, debug_logs)
    assert {"out/r.json", "out/r.xml", "out/r.md", "out/r.html", "out/baseline.json"} <= set(
        outputs
    )
    leaks = [line for line in debug_logs if CANARY_KEY in line][:3]
    assert _hits(outputs, CANARY_KEY) == [], leaks
    # masking is visible where a credential was (the curl reproductions)
    assert b"api-key: ***" in outputs["out/r.json"]


@pytest.mark.slow
def test_canary_bearer_token_never_appears_in_any_output(
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    debug_logs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens: list[str] = []

    class Canary:
        def get_token(self, *scopes: str, **kw: Any) -> AccessToken:
            tokens.append(mint_token(DEFAULT_JWT_SECRET, expires_in=3600))
            return AccessToken(tokens[-1], int(time.time()) + 3600)

    monkeypatch.setattr(targets, "_entra_credential", Canary)
    echo = Echo()
    app = mutating(echo)(create_app(EmulatorConfig(faults=FAULTS)))
    out = tmp_path / "out"
    out.mkdir()
    with serve(app) as url:
        code = _run(url, out, "--auth", "entra")
    captured = capfd.readouterr()
    report = json.loads((out / "r.json").read_text())
    assert code == 0 and tokens and echo.echoed >= 20
    assert {f["clause_id"]: f["outcome"] for f in report["findings"]}["AUTH-004"] == "passed"
    outputs = _outputs(tmp_path, captured, debug_logs)
    for token in tokens:
        _header, payload, signature = token.split(".")
        assert _hits(outputs, token) == []
        # no part of it either: the signature and the claims are the token's own
        assert [n for n, data in outputs.items() if signature.encode() in data] == []
        assert [n for n, data in outputs.items() if payload.encode() in data] == []


def test_a_crashing_check_does_not_leak_the_key_in_its_message() -> None:
    """A check bug whose exception message holds the key: the finding shows it masked."""
    from conformance.checks import REGISTRY
    from conformance.checks.registry import Check
    from conformance.emulator import DEFAULT_API_KEY
    from conformance.model import Outcome
    from conformance.run.options import TargetOptions
    from conformance.run.runner import run_target
    from conformance.run.target import open_target

    def crash(ctx: Any) -> Any:
        raise RuntimeError(f"boom with key {ctx.http.auth_headers['api-key']} in it")

    check = Check(REGISTRY.get("RESP-001").clause, crash)
    with open_target(TargetOptions(env={}, surface="dated")) as target:
        result = run_target(target, [check], schemathesis=False)
    finding = result.findings[0]
    assert finding.outcome is Outcome.INCONCLUSIVE
    assert "the check itself failed" in finding.reason and "***" in finding.reason
    assert DEFAULT_API_KEY not in finding.reason
