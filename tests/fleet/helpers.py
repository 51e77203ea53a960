"""Fleet test helpers: fleet files, emulators under uvicorn, reading fleet reports."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.cli import main
from conformance.emulator import EmulatorConfig, create_app
from conformance.emulator.server import serve

__all__ = ["Server", "emulators", "write_fleet", "run_cli", "outcomes", "closed_port_url"]


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    key: str
    key_env: str
    faults: tuple[str, ...]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value))  # a TOML basic string is a JSON string


def write_fleet(
    path: Path, targets: Sequence[dict[str, Any]], defaults: dict[str, Any] | None = None
) -> Path:
    lines: list[str] = []
    if defaults:
        lines.append("[defaults]")
        lines += [f"{k} = {_toml(v)}" for k, v in defaults.items()]
        lines.append("")
    for target in targets:
        lines.append("[[target]]")
        lines += [f"{k} = {_toml(v)}" for k, v in target.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@contextlib.contextmanager
def emulators(
    specs: Sequence[tuple[str, tuple[str, ...]]], wrap: Any = None
) -> Iterator[list[Server]]:
    """One uvicorn emulator on 127.0.0.1 per (name, faults), each with its own api key."""
    with contextlib.ExitStack() as stack:
        servers = []
        for i, (name, faults) in enumerate(specs):
            key = f"fleet-key-{name}-{i}-Qm4Tz8Wd"
            app = create_app(EmulatorConfig(api_key=key, faults=faults))
            if wrap is not None:
                app = wrap(app)
            url = stack.enter_context(serve(app))
            env = f"FLEET_KEY_{name.upper().replace('-', '_')}"
            servers.append(Server(name, url, key, env, faults))
        yield servers


def server_target(server: Server, **extra: Any) -> dict[str, Any]:
    return {
        "name": server.name,
        "url": server.url,
        "surface": "dated",
        "deployments": ["gpt-4o-mini"],
        "api_key_env": server.key_env,
        **extra,
    }


def closed_port_url() -> str:
    """A loopback URL nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def run_cli(*argv: str) -> int:
    return main(list(argv))


def outcomes(report: dict[str, Any]) -> dict[str, dict[str, set[str]]]:
    """target name → outcome → clause ids, from a fleet JSON report."""
    found: dict[str, dict[str, set[str]]] = {}
    for target in report["targets"]:
        by: dict[str, set[str]] = {}
        for finding in target["findings"]:
            by.setdefault(finding["outcome"], set()).add(finding["clause_id"])
        found[target["name"]] = by
    return found
