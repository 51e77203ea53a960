"""`--auth entra` without a credential: one error line, azure-identity's own text only with -v.

The credential chain is narrowed to the Azure CLI credential (``AZURE_TOKEN_CREDENTIALS``,
azure-identity >= 1.23) and ``az`` is kept off PATH, so the attempt fails at once and never
sends a request (no managed-identity probe, no network). The target is a closed port on
127.0.0.1: the token is asked for before the first request.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _run(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(BIN), "/usr/bin", "/bin"])
    if shutil.which("az", path=path):
        pytest.skip("an Azure CLI is on PATH: it could really sign in")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "MSI_"))}
    env.update(PATH=path, AZURE_TOKEN_CREDENTIALS="AzureCliCredential", HOME=str(tmp_path))
    argv = ["run", *extra, "--target", "http://127.0.0.1:9", "--deployment", "d"]
    return subprocess.run(
        [str(BIN / "aoai-conformance"), *argv, "--auth", "entra"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip


def test_a_failed_sign_in_is_one_line(tmp_path: Path) -> None:
    done = _run(tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: --auth entra could not get a token for ")
    assert "az login" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout


def test_verbose_shows_azure_identitys_own_text(tmp_path: Path) -> None:
    done = _run(tmp_path, "-v")
    assert done.returncode == 2, done.stderr
    assert "AzureCliCredential" in done.stderr  # the credential azure-identity tried
    assert done.stderr.strip().splitlines()[-1].startswith("error: --auth entra")
    assert "Traceback" not in done.stderr
