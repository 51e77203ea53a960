"""The run and contracts commands: exit codes, one-line errors, reports, docs drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.checks import REGISTRY
from conformance.checks.document import catalog_markdown
from conformance.cli import main
from tests.support import ROOT, requires_mirror

_ENV = (
    "AZURE_OPENAI_ENDPOINT",
    "OPENAI_BASE_URL",
    "AZURE_OPENAI_API_KEY",
    "OPENAI_API_KEY",
    "OPENAI_API_VERSION",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


def test_docs_contracts_md_matches_the_registry() -> None:
    on_disk = (ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    assert on_disk == catalog_markdown() + "\n", (
        "docs/contracts.md is out of date: "
        "run `aoai-conformance contracts --write docs/contracts.md`"
    )


def test_contracts_json_lists_every_clause(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contracts", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in data] == REGISTRY.ids()
    assert len(data) >= 40
    for clause in data:
        assert clause["severity"] in ("must", "should", "info")
        assert clause["citations"] and all(
            c["document"] and c["section"] for c in clause["citations"]
        )


def test_registry_rejects_duplicate_ids() -> None:
    from conformance.checks.registry import Check

    with pytest.raises(ValueError, match="registered twice"):
        REGISTRY.register(Check(REGISTRY.get("AUTH-001").clause, lambda ctx: None))  # type: ignore[arg-type,return-value]


def test_select_and_deselect_globs() -> None:
    chosen = [c.id for c in REGISTRY.select(["stream-*"], ["STREAM-010"])]
    assert chosen and all(i.startswith("STREAM-") for i in chosen) and "STREAM-010" not in chosen


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--max-requests", "0"], "--max-requests must be at least 1"),
        (["run", "--select", "NOPE-*"], "no clause matches 'NOPE-*'"),
        (["run", "--target", "ftp://example"], "is not an http(s) URL"),
        (["run", "--target", "http://127.0.0.1:9", "--api-key", "k"], "needs a deployment"),
        (["run", "--target", "http://127.0.0.1:9", "--deployment", "d"], "no credentials"),
        (["run", "--fault", "no-such-fault"], "unknown fault 'no-such-fault'"),
        (["run", "--profile", "no-such-profile"], "profile 'no-such-profile' not found"),
        (["run", "--report", "xml:out.xml"], "report format 'xml'"),
        (["run", "--update-baseline"], "--update-baseline needs --baseline FILE"),
        (["run", "--surface", "bogus"], "Invalid value for '--surface'"),
        (["run", "--target", "http://127.0.0.1:9", "--fault", "no-done"], "--fault only applies"),
        (["contracts", "--json", "--markdown"], "choose one format: --format table|json|markdown"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err


@requires_mirror
def test_run_without_target_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--no-schemathesis"]) == 0
    out = capsys.readouterr().out
    assert "emulator" in out


@requires_mirror
def test_run_with_fault_exits_1_and_json_names_the_clause(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    code = main(["run", "--no-schemathesis", "--fault", "no-done", "--report", f"json:{report}"])
    assert code == 1
    data = json.loads(report.read_text())
    failed = {f["clause_id"] for f in data["findings"] if f["outcome"] == "failed"}
    assert failed == {"STREAM-007"}
    assert data["spend"]["requests"] <= 150


@requires_mirror
def test_baseline_accepts_a_known_divergence(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    argv = ["run", "--no-schemathesis", "--fault", "n-ignored", "--baseline", str(baseline)]
    assert main([*argv, "--update-baseline"]) == 0
    assert "RESP-004" in baseline.read_text()
    assert main(argv) == 0
    assert (
        main(["run", "--no-schemathesis", "--fault", "no-done", "--baseline", str(baseline)]) == 1
    )
