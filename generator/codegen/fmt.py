"""The ruff post-step: ``ruff check --fix`` then ``ruff format`` own the final text.

Run with ``--isolated`` and explicit settings, so that the output is the same wherever
the files are written (a temporary folder for ``--check``, or ``generated/``).
"""

from __future__ import annotations

import functools
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

from generator.errors import AoaiError

__all__ = ["RUFF_SETTINGS", "ruff_command", "ruff_version", "format_paths"]

# The same rules as the project's [tool.ruff] (pyproject.toml); E501 is left to the
# per-file ignore for generated/ there (spec descriptions are long string literals).
RUFF_SETTINGS = (
    "--isolated",
    "--target-version",
    "py311",
    "--line-length",
    "100",
)
_RULES = ("--select", "E,F,W,I,UP,B", "--ignore", "E501")


@functools.lru_cache(maxsize=1)
def ruff_command() -> tuple[str, ...]:
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return (str(beside),)
    found = shutil.which("ruff")
    if found:
        return (found,)
    if importlib.util.find_spec("ruff") is None:
        # never write unformatted code and call it done: the output would not match the
        # committed generated/ (and `generate --check` would report drift everywhere)
        raise AoaiError(
            "generate needs ruff to format the generated code, and none is installed; "
            "pip install 'ruff==0.17.6' (the version aoai-conformance pins)"
        )
    return (sys.executable, "-m", "ruff")


@functools.lru_cache(maxsize=1)
def ruff_version() -> str:
    return _run([*ruff_command(), "--version"]).strip()


def _run(args: list[str]) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise AoaiError(
            f"cannot run ruff ({exc.strerror}); pip install 'ruff==0.17.6' (the version "
            "aoai-conformance pins)"
        ) from None
    if done.returncode not in (0, 1):
        message = (done.stderr or done.stdout).strip().splitlines()
        raise AoaiError(
            f"ruff failed on generated code ({message[-1] if message else done.returncode}); "
            "this is a generator bug: report it with the spec id"
        )
    return done.stdout


def format_paths(paths: list[Path]) -> None:
    """Fix (imports, pyupgrade) and format the files or folders in place."""
    if not paths:
        return
    names = [str(p) for p in paths]
    _run([*ruff_command(), "check", "--fix", "--quiet", *RUFF_SETTINGS, *_RULES, *names])
    _run([*ruff_command(), "format", "--quiet", *RUFF_SETTINGS, *names])
