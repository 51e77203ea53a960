"""``aoai-conformance specs diff``: formats, --fail-on, --operation, and bad input (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.cli import main
from generator.diff import JSON_FORMAT, RULES
from generator.spec.loader import clear_cache
from tests.support import requires_mirror

FIXTURES = Path(__file__).parent / "fixtures"
BASE, COMPATIBLE, BREAKING = (
    str(FIXTURES / f"{n}.yaml") for n in ("base", "compatible", "breaking")
)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    clear_cache()
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]


def test_fail_on_breaking_exits_1_on_a_breaking_pair(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["specs", "diff", BASE, BREAKING, "--fail-on", "breaking"], capsys)
    assert code == 1
    assert err.strip() == "breaking changes from base to breaking (--fail-on breaking)"
    assert "removed field `choices[].message.tool_calls[].function.arguments`" in out
    assert "added required field `user`" in out
    assert '`tool_choice`: enum values removed: `"required"`' in out


def test_fail_on_breaking_exits_0_on_a_compatible_pair(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["specs", "diff", BASE, COMPATIBLE, "--fail-on", "breaking"], capsys)
    assert code == 0 and err == ""
    assert out.splitlines()[2].startswith("compatible: 0 breaking and 4 non-breaking changes")
    assert "## `GET /models` (Models_List) — added" in out


def test_fail_on_any(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["specs", "diff", BASE, COMPATIBLE, "--fail-on", "any"], capsys)[0] == 1
    assert run_cli(["specs", "diff", BASE, BASE, "--fail-on", "any"], capsys)[0] == 0


def test_without_fail_on_a_breaking_diff_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["specs", "diff", BASE, BREAKING], capsys)[0] == 0


def test_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["specs", "diff", BASE, BREAKING, "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["format"] == JSON_FORMAT
    assert set(data) == {"format", "old", "new", "breaking", "summary", "operations"}
    assert data["old"]["id"] == "base" and data["new"]["api_version"] == "2030-03-01-preview"
    assert len(data["old"]["sha256"]) == 64
    assert data["breaking"] is True
    assert data["summary"] == {
        "breaking": 3,
        "non_breaking": 0,
        "operations_added": 0,
        "operations_removed": 0,
        "operations_changed": 1,
    }
    [op] = data["operations"]
    assert op["operation_id"] == "ChatCompletions_Create" and op["status"] == "changed"
    rule_ids = {r.id for r in RULES}
    for change in op["changes"]:
        assert change["rule"] in rule_ids
        assert {"rule", "breaking", "location", "path", "message"} <= set(change)
    removed = [c for c in op["changes"] if c["rule"] == "response-field-removed"]
    assert removed == [
        {
            "rule": "response-field-removed",
            "breaking": True,
            "location": "response 200 application/json",
            "path": "choices[].message.tool_calls[].function.arguments",
            "message": "removed field `choices[].message.tool_calls[].function.arguments` (string)",
            "old": "string",
        }
    ]


@requires_mirror
def test_registered_pair_chat_completions_first(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        [
            "specs",
            "diff",
            "2024-08-01-preview",
            "azure-openai-2024-09-01-preview",
            "--format",
            "json",
        ],
        capsys,
    )
    data = json.loads(out)
    assert code == 0
    assert data["old"]["id"] == "azure-openai-2024-08-01-preview"
    keys = [op["operation"] for op in data["operations"]]
    assert keys[0] == "POST /deployments/{deployment-id}/chat/completions"
    assert len(keys) > 1 and not any(k.endswith("/chat/completions") for k in keys[1:])


@requires_mirror
def test_operation_filter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        [
            "specs",
            "diff",
            "2024-08-01-preview",
            "2024-09-01-preview",
            "--operation",
            "/chat/completions",
        ],
        capsys,
    )
    assert code == 0
    assert out.count("\n## ") == 1 and "ChatCompletions_Create" in out
    assert "added optional field `stream_options` (object, nullable), with `include_usage`" in out


def test_unknown_operation(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["specs", "diff", BASE, BREAKING, "--operation", "Nope_Create"], capsys)
    assert one_line_error(code, err) == (
        "error: --operation 'Nope_Create' matches no operation in base or breaking; give an "
        "operationId (e.g. ChatCompletions_Create), 'POST /path', or a path suffix "
        "(e.g. /chat/completions)"
    )


def test_unknown_spec_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["specs", "diff", "azure-openai-2024-09-01-previw", BASE], capsys)
    line = one_line_error(code, err)
    assert line.startswith("error: unknown spec id 'azure-openai-2024-09-01-previw': did you mean")


def test_missing_spec_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(["specs", "diff", str(tmp_path / "old.yaml"), BASE], capsys)
    line = one_line_error(code, err)
    assert line.startswith(f"error: spec file '{tmp_path / 'old.yaml'}' not found")


def test_file_that_is_not_a_spec(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "notes.yaml"
    bad.write_text("- just\n- a list\n")
    code, _, err = run_cli(["specs", "diff", BASE, str(bad)], capsys)
    assert "expected an OpenAPI document (a mapping), found list" in one_line_error(code, err)


def test_bad_format_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["specs", "diff", BASE, BASE, "--format", "html"], capsys)
    assert "'html' is not one of 'markdown', 'md', 'json'" in one_line_error(code, err)


def test_missing_registry_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(
        ["specs", "diff", BASE, BASE, "--registry", str(tmp_path / "r.json")], capsys
    )
    assert one_line_error(code, err) == (
        f"error: --registry {tmp_path / 'r.json'}: no such file; give an existing registry.json "
        "(copy specs/registry.json to start one)"
    )


def test_markdown_changelog_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["specs", "diff", BASE, BREAKING], capsys)
    assert code == 0
    assert out == (
        "# Changes from base (2030-01-01-preview) to breaking (2030-03-01-preview)\n"
        "\n"
        "**breaking**: 3 breaking and 0 non-breaking changes; operations: 0 added, 0 removed, "
        "1 changed.\n"
        "\n"
        "## `POST /deployments/{deployment-id}/chat/completions` (ChatCompletions_Create)\n"
        "\n"
        "**Breaking**\n"
        "\n"
        '- request body application/json: `tool_choice`: enum values removed: `"required"` '
        "<sub>[request-enum-narrowed]</sub>\n"
        "- request body application/json: added required field `user` (string) "
        "<sub>[request-field-added-required]</sub>\n"
        "- response 200 application/json: removed field "
        "`choices[].message.tool_calls[].function.arguments` (string) "
        "<sub>[response-field-removed]</sub>\n"
    )


def test_identical_specs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["specs", "diff", BASE, BASE], capsys)
    assert code == 0
    assert out.splitlines()[-1] == "No differences a client can notice."
