"""LiteLLM proxy on 127.0.0.1 in front of the emulator: a real third-party gateway to test.

The proxy runs from its own virtual environment (``scripts/litellm-venv`` makes
``.venv-litellm``), started with ``--config`` on a config written here: one model group
``gpt-4o-mini`` routed through LiteLLM's ``azure/`` provider to the emulator's dated surface.
No database, every documented offline switch on, and an environment built from scratch: no
``OPENAI_API_KEY`` (LiteLLM forwards ``/openai/*`` to api.openai.com when it has one), and
HTTP(S) proxies pointing at a closed loopback port, so a fetch LiteLLM might still try fails
on this machine instead of leaving it.

Run it by hand to look at it: ``.venv/bin/python -m tests.gateways.litellm_gateway
[--v1-pass-through]``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app
from conformance.emulator.server import serve

ROOT = Path(__file__).resolve().parents[2]
LITELLM_VERSION = "1.106.12"  # scripts/litellm-venv installs this one
INSTALL_HINT = (
    f"LiteLLM proxy is not installed: run scripts/litellm-venv (creates .venv-litellm with "
    f"litellm[proxy]=={LITELLM_VERSION}), or set AOAI_LITELLM_BIN to a litellm executable"
)
DEPLOYMENT = "gpt-4o-mini"
MASTER_KEY = "sk-litellm-conformance-0000"  # the key clients send to LiteLLM
# what LiteLLM's azure provider sends upstream when the client names none; a version with
# the Responses API, which LiteLLM serves at /openai/v1/responses through this provider
AZURE_API_VERSION = "2025-04-01-preview"

# Documented switches that stop LiteLLM's own fetches (docs: "Outbound Requests and Offline
# Mode"): the model cost map, Anthropic beta headers, auto-router presets, blog posts and
# policy templates come from the copies bundled with the package.
OFFLINE_ENV = {
    "LITELLM_OFFLINE_MODE": "true",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True",
    "LITELLM_LOCAL_AUTOROUTER_PRESETS": "True",
    "LITELLM_LOCAL_BLOG_POSTS": "True",
    "LITELLM_LOCAL_POLICY_TEMPLATES": "True",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}


def litellm_bin() -> Path | None:
    """The litellm executable: AOAI_LITELLM_BIN, else .venv-litellm/bin/litellm."""
    configured = os.environ.get("AOAI_LITELLM_BIN")
    candidate = Path(configured) if configured else ROOT / ".venv-litellm" / "bin" / "litellm"
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def write_config(path: Path, emulator_url: str) -> Path:
    """The proxy config: one azure deployment on the emulator, a master key, no database."""
    config = {
        "model_list": [
            {
                "model_name": DEPLOYMENT,
                "litellm_params": {
                    "model": f"azure/{DEPLOYMENT}",
                    "api_base": emulator_url,
                    "api_key": DEFAULT_API_KEY,
                    "api_version": AZURE_API_VERSION,
                },
            }
        ],
        # a master key makes LiteLLM authenticate clients (api-key header or Bearer);
        # no database_url: LiteLLM runs without one
        "general_settings": {"master_key": MASTER_KEY},
        # One deployment and deliberate error requests: LiteLLM's default cooldown would
        # take the deployment out for seconds after the suite's 404 probes and answer the
        # next, valid request 429; its own upstream retries would multiply every request.
        # Both off, so each answer belongs to the request that got it.
        "router_settings": {"disable_cooldowns": True, "num_retries": 0},
        "litellm_settings": {"num_retries": 0, "telemetry": False},
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def child_env(home: Path, pass_through: str | None = None) -> dict[str, str]:
    """LiteLLM's environment, built from scratch: no provider keys, no database, offline.

    ``pass_through`` (a base URL on 127.0.0.1) turns on LiteLLM's OpenAI pass-through
    (``/openai/{path}``) towards it, with the emulator's key: that is how LiteLLM serves the
    Azure v1 surface. Without it ``/openai/v1/...`` answers 500 (no OPENAI_API_KEY).
    """
    closed = f"http://127.0.0.1:{_closed_port()}"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "NO_COLOR": "1",
        "HTTP_PROXY": closed,
        "HTTPS_PROXY": closed,
        "http_proxy": closed,
        "https_proxy": closed,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    env.update(OFFLINE_ENV)
    if pass_through is not None:
        if not pass_through.startswith("http://127.0.0.1:"):
            raise ValueError(f"the pass-through must stay on loopback, not {pass_through}")
        env["OPENAI_API_BASE"] = pass_through
        env["OPENAI_API_KEY"] = DEFAULT_API_KEY
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _closed_port() -> int:
    """A loopback port nothing listens on (bound and released: connections are refused)."""
    return _free_port()


@dataclass(frozen=True)
class Gateway:
    url: str  # LiteLLM's base URL, http://127.0.0.1:PORT
    api_key: str  # the key LiteLLM accepts
    emulator_url: str  # the backend behind it
    version: str
    log: Path  # LiteLLM's stdout and stderr
    v1_pass_through: bool  # /openai/* forwarded to the emulator's /openai/*


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"LiteLLM exited with {proc.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(f"{url}/health/liveliness", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"LiteLLM did not answer on {url} within {timeout:.0f}s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@contextlib.contextmanager
def litellm_in_front_of_emulator(
    executable: Path,
    workdir: Path,
    *,
    v1_pass_through: bool = False,
    startup_timeout: float = 180.0,
) -> Iterator[Gateway]:
    """Start the emulator (uvicorn, in this process) and LiteLLM (a child); stop both.

    ``v1_pass_through`` also points LiteLLM's OpenAI pass-through at the emulator's /openai/,
    so /openai/v1/chat/completions is served (forwarded) instead of answered 500.
    """
    with serve(create_app(EmulatorConfig())) as emulator_url:
        config = write_config(workdir / "litellm-config.yaml", emulator_url)
        home = workdir / "home"
        home.mkdir(exist_ok=True)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = workdir / "litellm.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(executable), "--config", str(config), "--host", "127.0.0.1"]
                + ["--port", str(port), "--num_workers", "1"],
                cwd=workdir,
                env=child_env(home, f"{emulator_url}/openai" if v1_pass_through else None),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_ready(proc, url, log, startup_timeout)
            yield Gateway(url, MASTER_KEY, emulator_url, LITELLM_VERSION, log, v1_pass_through)
        finally:
            _stop(proc)


def main() -> None:  # pragma: no cover - a manual entry point
    executable = litellm_bin()
    if executable is None:
        raise SystemExit(INSTALL_HINT)
    import sys

    pass_through = "--v1-pass-through" in sys.argv[1:]
    workdir = Path(tempfile.mkdtemp(prefix="litellm-gateway-"))
    try:
        with litellm_in_front_of_emulator(executable, workdir, v1_pass_through=pass_through) as gw:
            print(
                f"LiteLLM {gw.version} on {gw.url} (key {gw.api_key}) -> emulator {gw.emulator_url}"
            )
            print(f"  log: {gw.log}")
            print(
                f"  aoai-conformance run --target {gw.url} --deployment {DEPLOYMENT} "
                f"--api-key {gw.api_key}"
            )
            print("Ctrl-C stops both.")
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover
    main()
