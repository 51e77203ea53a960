"""The GitHub Actions example stays in step with the CLI and the pytest plugin it shows."""

from __future__ import annotations

import re
from pathlib import Path

import click
import yaml

from conformance.cli import cli

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "conformance-gate.example.yml"


def _run_options() -> set[str]:
    command = cli.commands["run"]
    assert isinstance(command, click.Command)
    return {opt for param in command.params for opt in getattr(param, "opts", [])}


def test_example_is_valid_yaml_and_never_runs_here() -> None:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = data["jobs"]["conformance"]
    # GitHub runs every .yml in the folder: the job itself is guarded by the variable
    # that only a repository with a staging target sets
    assert job["if"] == "${{ vars.AOAI_STAGING_ENDPOINT != '' }}"
    # credentials come from the secret store, never literal values
    steps = job["steps"]
    gate = next(s for s in steps if s.get("id") == "gate")
    assert gate["env"]["AZURE_OPENAI_API_KEY"] == "${{ secrets.AZURE_OPENAI_API_KEY }}"
    assert "$GITHUB_STEP_SUMMARY" in gate["run"]


def test_every_cli_option_in_the_example_exists() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    run_lines = text.split("aoai-conformance run", 1)[1]
    used = set(re.findall(r"(--[a-z][a-z-]+)", run_lines.split("pytest", 1)[0]))
    assert used, "the example shows no options"
    assert used <= _run_options(), used - _run_options()


def test_every_pytest_option_in_the_example_exists() -> None:
    from conformance import pytest_plugin

    source = Path(pytest_plugin.__file__).read_text(encoding="utf-8")
    text = WORKFLOW.read_text(encoding="utf-8")
    used = set(re.findall(r"(--aoai-[a-z-]+)", text))
    assert used and all(f'"{opt}"' in source for opt in used), used
