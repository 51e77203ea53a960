"""The pytest plugin, run with pytester against the emulator served by real uvicorn."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import httpcore  # noqa: F401 - see below
import pytest

# pytester's in-process runs drop the modules an inner run imported. httpx imports
# httpcore lazily and caches its exception mapping, so a second inner run would get a new
# httpcore whose errors httpx no longer maps; importing it here keeps one for the session.

pytest.importorskip("conformance.emulator", reason="the emulator (issue 4) is not in this tree")

from conformance.checks import REGISTRY  # noqa: E402
from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app  # noqa: E402
from conformance.emulator.server import serve  # noqa: E402

pytest_plugins = ["pytester"]

# The plugin is loaded through its entry point (as in a user's environment); these
# arguments keep the inner runs quiet and fast.
COMMON = ["-p", "no:cacheprovider", "-q", "-rfEsx"]


def _live(url: str, *extra: str) -> list[str]:
    return [
        *COMMON,
        "--aoai-target",
        url,
        "--aoai-deployment",
        "gpt-4o-mini",
        "--aoai-api-key",
        DEFAULT_API_KEY,
        "--aoai-surface",
        "dated",
        *extra,
    ]


@pytest.fixture(autouse=True)
def _fresh_phase_caches() -> Iterator[None]:
    """Inner in-process runs import schemathesis modules that pytester drops afterwards;
    cases cached by the phase during an inner run must not outlive it (their metadata
    would belong to module copies the next import no longer uses)."""
    import conformance.phases.schemathesis.plan as phase

    yield
    phase._CASES.clear()
    phase._SCHEMAS.clear()


@pytest.fixture(scope="module")
def conforming_url() -> Iterator[str]:
    with serve(create_app(EmulatorConfig())) as url:
        yield url


@pytest.fixture(scope="module")
def faulty_url() -> Iterator[str]:
    with serve(create_app(EmulatorConfig(faults=("n-ignored",)))) as url:
        yield url


def test_registered_as_pytest11_entry_point() -> None:
    names = {e.name: e.value for e in entry_points(group="pytest11")}
    assert names.get("aoai_conformance") == "conformance.pytest_plugin"


def test_without_target_the_plugin_adds_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_own():\n    assert True\n")
    result = pytester.runpytest(*COMMON, "--collect-only")
    result.stdout.fnmatch_lines(["test_*.py::test_own", "1 test collected*"])
    assert "aoai-conformance" not in result.stdout.str()
    result = pytester.runpytest(*COMMON)
    result.assert_outcomes(passed=1)
    assert "aoai-conformance" not in result.stdout.str()


def test_options_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--aoai-target=URL*", "*--aoai-strict*"])


def test_collect_only_sends_nothing(pytester: pytest.Pytester) -> None:
    # port 9 (discard) on loopback: nothing listens; collecting must not try to connect
    result = pytester.runpytest(*_live("http://127.0.0.1:9", "--collect-only"))
    expected = len(REGISTRY)  # SCHEMA_CLAUSES are registered in the catalog
    result.stdout.fnmatch_lines([f"*{expected} tests collected*"])
    assert result.ret == 0


def test_conforming_target_passes(
    pytester: pytest.Pytester, conforming_url: str, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    junit = tmp_path / "pytest-junit.xml"
    result = pytester.runpytest(
        *_live(conforming_url, "--aoai-report", f"json:{report}", f"--junitxml={junit}")
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("error", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= 30
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*aoai-conformance*", "conforms: no divergence*"])
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["exit_code"] == 0 and data["surfaces"] == ["dated"]
    assert DEFAULT_API_KEY not in report.read_text(encoding="utf-8")
    # pytest's own JUnit output names each clause
    names = {c.get("name") for c in ET.parse(junit).getroot().iter("testcase")}
    assert "RESP-004" in names and "SCHEMA-001" in names


def test_a_fault_fails_exactly_its_clause(pytester: pytest.Pytester, faulty_url: str) -> None:
    result = pytester.runpytest(*_live(faulty_url))
    result.assert_outcomes(
        failed=1,
        passed=result.parseoutcomes()["passed"],
        skipped=result.parseoutcomes().get("skipped", 0),
    )
    out = result.stdout.str()
    assert "FAILED aoai-conformance::RESP-004" in out
    # the failure shows the finding: expected/observed/source and a redacted curl line
    result.stdout.fnmatch_lines(
        [
            "RESP-004 *",
            "  Outcome: FAIL",
            "  Severity: must",
            "  Surface: dated",
            "*Reproduce: curl*",
        ]
    )
    assert DEFAULT_API_KEY not in out
    assert result.ret == 1


def test_baseline_turns_the_failure_into_xfail(
    pytester: pytest.Pytester, faulty_url: str, tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(
        json.dumps({"version": 1, "accepted": [{"clause": "RESP-004", "reason": "known"}]}),
        encoding="utf-8",
    )
    result = pytester.runpytest(
        *_live(faulty_url, "--aoai-baseline", str(baseline), "-k", "RESP-004 or RESP-001")
    )
    result.assert_outcomes(passed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*XFAIL*RESP-004*accepted divergence (baseline) on dated*"])
    assert result.ret == 0


def test_unreachable_target_is_inconclusive_skip_or_strict_fail(pytester: pytest.Pytester) -> None:
    args = _live("http://127.0.0.1:9", "-k", "RESP-001", "--aoai-no-schemathesis")
    result = pytester.runpytest(*args)
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*inconclusive: dated: *connection error*"])
    strict = pytester.runpytest(*args, "--aoai-strict")
    strict.assert_outcomes(failed=1)
    strict.stdout.fnmatch_lines(["inconclusive (--aoai-strict): dated: *"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--aoai-target", "ftp://x"],
            "*aoai-conformance: --target 'ftp://x' is not an http(s) URL*",
        ),
        (
            ["--aoai-target", "emulator", "--aoai-report", "xml:out.xml"],
            "*aoai-conformance: report format 'xml' in 'xml:out.xml' is unknown*",
        ),
        (
            ["--aoai-target", "emulator", "--aoai-baseline", "missing.json"],
            "*aoai-conformance: baseline file missing.json does not exist*",
        ),
    ],
)
def test_bad_options_are_one_line_usage_errors(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    result = pytester.runpytest(*COMMON, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_run_errors_are_one_line_on_every_item(pytester: pytest.Pytester) -> None:
    # a live target without a deployment: found only when the run starts
    result = pytester.runpytest(
        *COMMON, "--aoai-target", "http://127.0.0.1:9", "--aoai-api-key", "k", "-k", "ROUTE-00"
    )
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["aoai-conformance: error: a live target needs a deployment*"])
    assert "Traceback" not in result.stdout.str()


def test_select_spans_catalog_and_schemathesis_clauses(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        *_live("http://127.0.0.1:9", "--collect-only", "--aoai-select", "schema-001,RESP-00[12]")
    )
    result.stdout.fnmatch_lines(["*3 tests collected*"])
    out = result.stdout.str()
    assert "SCHEMA-001" in out and "RESP-001" in out and "RESP-002" in out
    assert "SCHEMA-002" not in out and "RESP-003" not in out
    bad = pytester.runpytest(*_live("http://127.0.0.1:9", "--aoai-select", "NOPE-*"))
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["ERROR: aoai-conformance: --aoai-select 'NOPE-*' matches no clause*"])


def test_schemathesis_clauses_alone(pytester: pytest.Pytester, conforming_url: str) -> None:
    result = pytester.runpytest(*_live(conforming_url, "--aoai-select", "SCHEMA-*"))
    # SCHEMA-006 is skipped: today's specs document only optional string headers
    result.assert_outcomes(passed=5, skipped=1)
    assert result.ret == 0


def test_the_plugin_takes_the_run_commands_options(pytester: pytest.Pytester) -> None:
    # --aoai-fault and --aoai-timeout reach the run (they were once dropped silently)
    result = pytester.runpytest(
        *COMMON,
        "--aoai-target",
        "emulator",
        "--aoai-fault",
        "wrong-path-accepted",
        "--aoai-timeout",
        "5",
        "--aoai-select",
        "ROUTE-*",
        "--aoai-no-schemathesis",
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*FAILED aoai-conformance::ROUTE-003*"])


def test_every_run_option_maps_to_a_target_option() -> None:
    from conformance.run.options import TARGET_OPTION_NAMES, target_options

    options = target_options({"timeout": 7.5, "faults": ["a"], "insecure": True, "surface": None})
    assert (options.timeout_s, options.faults, options.insecure) == (7.5, ("a",), True)
    assert options.surface == "auto"  # None: not given, the default stands
    for name in TARGET_OPTION_NAMES:
        target_options({name: None})  # each name is known
    with pytest.raises(TypeError):
        target_options({"no_such_option": 1})
