"""``aoai-conformance emulate``: options, --list-faults, errors, and a real start-up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from conformance.cli import main
from conformance.cli.emulate import banner, parse_deployment
from conformance.emulator import DEFAULT_API_KEY, FAULTS
from conformance.emulator.config import EmulatorConfig


def test_list_faults_names_each_clause(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["emulate", "--list-faults"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(FAULTS)
    for fault in FAULTS.values():
        assert any(line.split()[:2] == [fault.name, fault.clause] for line in lines)


def test_help_shows_the_default_key(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["emulate", "--help"]) == 0
    assert DEFAULT_API_KEY in capsys.readouterr().out


def test_bad_options_are_one_line_exit_2(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["emulate", "--fault", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown fault 'nope'") and err.count("\n") == 1
    assert main(["emulate", "--deployment", "x:fast"]) == 2
    assert "unknown option 'fast'" in capsys.readouterr().err
    assert main(["emulate", "--profile", "nope"]) == 2
    assert main(["emulate", "--stream-delay", "-1"]) == 2


def test_taken_port_is_a_usage_error(capsys) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["emulate", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot listen on 127.0.0.1:{port}") and err.count("\n") == 1


def test_parse_deployment() -> None:
    d = parse_deployment("o4:reasoning:rpm=60:tpm=1000:window=2")
    assert (d.name, d.kind, d.rpm, d.tpm, d.window_seconds) == ("o4", "reasoning", 60, 1000, 2.0)


def test_banner_lists_key_and_surfaces() -> None:
    text = banner(EmulatorConfig(faults=("no-done",)), "http://127.0.0.1:9")
    for part in (
        DEFAULT_API_KEY,
        "/openai/v1/",
        "/models/chat/completions",
        "/openai/deployments/",
        "STREAM-007",
    ):
        assert part in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_emulate_serves_under_uvicorn() -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance",
            "emulate",
            "--port",
            str(port),
            "--api-key",
            "k1",
            "--deployment",
            "only-one",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.get(url + "/openai/v1/models", headers={"api-key": "k1"}, timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert [m["id"] for m in r.json()["data"]] == ["only-one"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"aoai-conformance emulator on {url}" in out
    assert "api-key:  *** (from --api-key)" in out and "k1" not in out
