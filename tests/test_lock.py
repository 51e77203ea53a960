"""The lock (constraints.txt) covers pyproject.toml, and this environment was built from it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "constraints.txt"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[_canonical(name)] = version.strip()
    return pins


def test_every_dependency_is_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    for spec in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        if "win32'" in spec.replace('"', "'") and "!=" not in spec:
            continue
        name = re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]
        assert _canonical(name) in pins, f"{name} is not in constraints.txt: run scripts/lock"


def test_pins_satisfy_pyproject_ranges() -> None:
    # a pin outside its pyproject range would make `pip install -c` fail for every user
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    for spec in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(spec)
        pinned = pins.get(_canonical(requirement.name))
        if pinned is not None:
            assert requirement.specifier.contains(pinned, prereleases=True), (spec, pinned)


def test_this_environment_is_the_locked_one() -> None:
    if not (ROOT / ".venv").resolve() == Path(sys.prefix).resolve():
        pytest.skip("not the checkout's .venv (the one .ci/run builds from the lock)")
    differ = []
    for name, version in _pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # a platform-specific pin, or a build-only tool
        if installed != version:
            differ.append(f"{name} {installed} (lock: {version})")
    assert not differ, (
        "installed versions differ from constraints.txt: "
        + ", ".join(differ)
        + '; reinstall with .venv/bin/pip install -c constraints.txt -e ".[test]"'
    )


def test_the_lock_check_command_agrees() -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "lock"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
