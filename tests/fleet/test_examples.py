"""The fleet examples stay in step with the fleet file format and the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import click
import yaml

from conformance.cli import cli
from conformance.run.fleet import load_fleet, shard_names

ROOT = Path(__file__).resolve().parents[2]
FLEET = ROOT / "examples" / "fleet.toml"
WORKFLOW = ROOT / "examples" / "github-actions-fleet.yml"


def _options(*path: str) -> set[str]:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return {opt for param in command.params for opt in getattr(param, "opts", [])}


def test_the_example_fleet_file_is_valid() -> None:
    fleet = load_fleet(FLEET)
    assert len(fleet.targets) >= 4
    assert any(t.emulator for t in fleet.targets) and any(t.auth == "entra" for t in fleet.targets)


def test_the_workflow_example_has_a_shard_matrix_and_a_merge_job() -> None:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    shards = data["jobs"]["shard"]["strategy"]["matrix"]["shard"]
    merge = data["jobs"]["merge"]
    assert merge["needs"] == "shard" and merge["if"] == "always()"
    run = "\n".join(s.get("run", "") for s in data["jobs"]["shard"]["steps"])
    assert f"--shard ${{{{ matrix.shard }}}}/{len(shards)}" in run
    merge_run = "\n".join(s.get("run", "") for s in merge["steps"])
    assert "aoai-conformance report merge shard-*.json" in merge_run
    # the shards of the example fleet cover it exactly once
    names = load_fleet(FLEET).names
    parts = [shard_names(names, (i, len(shards))) for i in shards]
    assert sorted(n for p in parts for n in p) == sorted(names)


def test_keys_come_from_secrets_named_like_the_fleets_variables() -> None:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    step = next(s for s in data["jobs"]["shard"]["steps"] if "env" in s)
    variables = {t.api_key_env for t in load_fleet(FLEET).targets if t.api_key_env}
    assert set(step["env"]) == variables
    for name, value in step["env"].items():
        assert value == f"${{{{ secrets.{name} }}}}"


def test_every_cli_option_in_the_workflow_exists() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    run_part, merge_part = text.split("aoai-conformance run", 1)[1].split("report merge", 1)
    used_run = set(re.findall(r"\s(--[a-z][a-z-]+)", run_part))
    used_merge = set(re.findall(r"\s(--[a-z][a-z-]+)", merge_part))
    assert used_run and used_merge
    assert used_run <= _options("run")
    assert used_merge <= _options("report", "merge")


def test_the_example_is_not_a_workflow_of_this_repository() -> None:
    assert not (ROOT / ".github" / "workflows" / WORKFLOW.name).exists()
