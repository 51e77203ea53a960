"""The phase sends the same requests whatever else the process imported (issue 11).

Hypothesis mines literal constants from "local" modules (files outside site-packages) and
mixes them into generated data. An editable checkout makes our own modules local, a wheel
does not, and a test run imports many more: the same target got different requests, and
different verdicts, per install. The phase switches that pool off while it generates.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("schemathesis", reason="the schemathesis phase needs schemathesis")

ROOT = Path(__file__).resolve().parents[2]

# Runs the phase on every surface against the emulator and prints every request it sent.
_SCRIPT = textwrap.dedent(
    """
    import json, sys
    if len(sys.argv) > 1:
        sys.path.insert(0, sys.argv[1])
        import aoai_noise_constants  # noqa: F401 - a "local" module full of literals
    from conformance.emulator import EmulatorConfig, create_app
    from conformance.phases.schemathesis import run_schemathesis_phase
    from tests.schemathesis_phase.conftest import Recorder, make_ctx

    sent, outcomes = [], {}
    for surface in ("dated", "v1", "foundry"):
        recorder = Recorder(create_app(EmulatorConfig()))
        findings = run_schemathesis_phase(make_ctx(recorder, surface))
        outcomes.update({f"{surface}:{f.clause_id}": f.outcome.value for f in findings})
        sent += [
            [r["method"], r["path"], r["query"], r["body"].decode("utf-8", "replace")]
            for r in recorder.requests
        ]
    print(json.dumps({"sent": sent, "outcomes": outcomes}))
    """
)


def _noise_module(folder: Path) -> None:
    """Literals of the kinds Hypothesis mines: strings, ints, floats."""
    words = [f"constant-{i}-{'x' * (i % 7)}" for i in range(200)]
    numbers = [i * 37 - 1000 for i in range(200)]
    floats = [i / 7 for i in range(1, 100)]
    lines = [f"S{i} = {w!r}" for i, w in enumerate(words)]
    lines += [f"N{i} = {n}" for i, n in enumerate(numbers)]
    lines += [f"F{i} = {f!r}" for i, f in enumerate(floats)]
    lines += ["ROLES = ('system', 'user', 'assistant', 'tool', 'developer', '', ' ', '\\x00')"]
    (folder / "aoai_noise_constants.py").write_text("\n".join(lines) + "\n")


def _run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_requests_do_not_depend_on_local_modules(tmp_path: Path) -> None:
    _noise_module(tmp_path)
    plain = _run()
    noisy = _run(str(tmp_path))
    assert plain["sent"], "the phase sent nothing"
    assert noisy["sent"] == plain["sent"]
    assert noisy["outcomes"] == plain["outcomes"]


def test_the_hypothesis_hook_still_exists() -> None:
    # the switch relies on a private hook of Hypothesis; when a release moves it, the
    # switch silently does nothing, so this says so first
    from hypothesis.internal.conjecture import providers

    assert callable(getattr(providers, "_get_local_constants", None))
    assert hasattr(providers, "Constants") and hasattr(providers, "CONSTANTS_CACHE")


def test_nothing_is_written_into_the_working_folder(tmp_path: Path) -> None:
    # issue 13: every run used to leave ./.hypothesis (Hypothesis' Unicode cache) behind
    work, cache = tmp_path / "work", tmp_path / "cache"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    env.update(PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(cache))
    assert _run(cwd=work, env=env)["sent"]
    assert list(work.iterdir()) == []
    assert (cache / "aoai-conformance" / "hypothesis").is_dir()
