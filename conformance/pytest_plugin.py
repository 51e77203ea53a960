"""pytest plugin: the contract catalog as pytest items, for teams that gate with pytest.

Registered as the ``aoai_conformance`` entry point (``pytest11``), so it is active wherever
aoai-conformance is installed — but it adds nothing unless ``--aoai-target`` is given::

    pytest --aoai-target https://RES.openai.azure.com --aoai-deployment gpt-4o-mini \\
           --aoai-surface dated --junitxml conformance.xml
    pytest --aoai-target emulator            # the embedded emulator, in process

One item per clause (``aoai-conformance::RESP-002``), named after the clause id so that
``-k RESP-002`` or ``-k "STREAM"`` select clauses. The suite runs once, when the first
item runs (never at collection, so ``--collect-only`` sends nothing); each item then
reports its clause over every surface checked:

==========================  =============================================================
clause outcome              pytest outcome
==========================  =============================================================
failed on any surface       **failed**, with expected/observed/where/source and the curl
                            reproduction of each failing surface
failed, but in the baseline **xfailed** (an accepted, known divergence)
inconclusive                **skipped** with ``inconclusive: <reason>`` — the clause could
                            not be decided (unreachable, budget, 5xx); with
                            ``--aoai-strict`` it **fails** instead, for gates that must not
                            go green without an answer
skipped / not applicable    **skipped** with the reason
passed on every surface     **passed**
==========================  =============================================================

A configuration error (bad URL, no deployment, unreadable baseline) is one line: a pytest
usage error at start-up where it can be found without sending anything, else every item
errors with the same one-line message.

With pytest-xdist every worker would make its own run: use ``-p no:xdist`` (or ``-n 0``)
for the conformance items.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.model import Finding, Outcome, RunResult
from conformance.surfaces import SURFACE_CHOICES

__all__ = [
    "ConformanceCollector",
    "ConformanceItem",
    "pytest_addoption",
    "pytest_configure",
    "pytest_collection_modifyitems",
    "pytest_terminal_summary",
]

_EMULATOR = "emulator"
_STASH_RUN = pytest.StashKey["_Run"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("aoai-conformance", "Azure OpenAI contract conformance")
    group.addoption(
        "--aoai-target",
        metavar="URL",
        help="Check this base URL against the Azure OpenAI contract, one test per clause "
        "('emulator' for the embedded emulator). Without it the plugin adds nothing.",
    )
    group.addoption(
        "--aoai-surface",
        default="auto",
        choices=SURFACE_CHOICES,
        help="Surface to check (default: auto-detect).",
    )
    group.addoption("--aoai-deployment", metavar="NAME", help="Deployment to test.")
    group.addoption(
        "--aoai-api-key",
        metavar="KEY",
        help="API key (default: $AZURE_OPENAI_API_KEY, then $OPENAI_API_KEY).",
    )
    group.addoption(
        "--aoai-auth", choices=("api-key", "entra", "none"), help="How to authenticate."
    )
    group.addoption("--aoai-api-version", metavar="V", help="api-version of the dated surface.")
    group.addoption("--aoai-profile", metavar="NAME|FILE", help="Gateway profile (e.g. seed-003).")
    group.addoption(
        "--aoai-baseline", metavar="FILE", help="Accepted divergences: they become xfail."
    )
    group.addoption(
        "--aoai-select",
        action="append",
        default=[],
        metavar="IDS",
        help="Only these clause ids or globs (repeatable, comma-separated).",
    )
    group.addoption(
        "--aoai-max-requests", type=int, default=150, help="Request budget (default 150)."
    )
    group.addoption("--aoai-max-tokens-total", type=int, help="Token budget of the run.")
    group.addoption(
        "--aoai-reasoning-deployment", metavar="NAME", help="A reasoning deployment (MODEL-001)."
    )
    group.addoption(
        "--aoai-rate-limited-deployment", metavar="NAME", help="A tiny-quota deployment (RATE-001)."
    )
    group.addoption(
        "--aoai-model-family",
        metavar="NAME",
        help="The deployment's model family (deepseek-r1, mai-ds-r1, grok-3-mini, openai); "
        "default: detected from the answer's model.",
    )
    group.addoption(
        "--aoai-reasoning",
        action="store_true",
        help="The deployment is a reasoning model: send max_completion_tokens.",
    )
    group.addoption(
        "--aoai-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="Per-request timeout (default 30).",
    )
    group.addoption(
        "--aoai-ca-bundle", metavar="FILE", help="CA certificates that sign the target's TLS."
    )
    group.addoption(
        "--aoai-insecure",
        action="store_true",
        help="Do not verify the target's TLS certificate (announced in the report).",
    )
    group.addoption(
        "--aoai-fault",
        action="append",
        default=[],
        metavar="NAME",
        help="Embedded emulator only: inject this fault (repeatable).",
    )
    group.addoption(
        "--aoai-no-schemathesis", action="store_true", help="Skip the schemathesis phase."
    )
    group.addoption(
        "--aoai-strict",
        action="store_true",
        help="Inconclusive clauses fail instead of being skipped.",
    )
    group.addoption(
        "--aoai-report",
        action="append",
        default=[],
        metavar="FORMAT:PATH",
        help="Also write a report (json, junit, markdown, html), as `aoai-conformance run`.",
    )


def _active(config: pytest.Config) -> bool:
    return bool(config.getoption("aoai_target", None))


def pytest_configure(config: pytest.Config) -> None:
    if not _active(config):
        return
    config.addinivalue_line("markers", "aoai_conformance: a clause of the Azure OpenAI contract")
    from generator.errors import AoaiError

    target = str(config.getoption("aoai_target"))
    try:
        _selection(config)
        _options(config)  # the `run` command's rules, before any request
        if target != _EMULATOR:
            from conformance.run.target import split_target_url

            split_target_url(target)
        for spec in config.getoption("aoai_report"):
            from conformance.reports import parse_report_spec

            parse_report_spec(spec)
        baseline = config.getoption("aoai_baseline")
        if baseline:
            from conformance.run.baseline import load_baseline

            load_baseline(baseline)
    except AoaiError as exc:
        raise pytest.UsageError(f"aoai-conformance: {exc}") from None


@dataclass
class _Run:
    """The one suite run of a session, made lazily by the first item."""

    config: pytest.Config
    result: RunResult | None = None
    secrets: tuple[str, ...] = ()
    error: str | None = None
    by_clause: dict[str, list[Finding]] = field(default_factory=dict)

    def ensure(self) -> None:
        if self.result is not None or self.error is not None:
            return
        from generator.errors import AoaiError

        try:
            self.result, self.secrets = _execute(self.config)
        except AoaiError as exc:
            self.error = f"aoai-conformance: error: {exc}"
            return
        for finding in self.result.findings:
            self.by_clause.setdefault(finding.clause_id, []).append(finding)


def _options(config: pytest.Config) -> Any:
    from dataclasses import replace

    from conformance.run.options import TARGET_OPTION_NAMES, RunOptions

    selection = _selection(config)
    target = str(config.getoption("aoai_target"))
    emulator = target == _EMULATOR
    # the `run` command's options, by the same names (--aoai-NAME), through the same rules
    values = {
        name: config.getoption(f"aoai_{name}") for name in TARGET_OPTION_NAMES if name != "faults"
    }
    values["faults"] = config.getoption("aoai_fault")  # --aoai-fault NAME, repeatable
    options = RunOptions.from_settings(
        values | {"target": None if emulator else target, "emulator": emulator}
    )
    # the plugin's own selection grammar (a pattern may name catalog and phase clauses;
    # each was checked by _selection): only SCHEMA-* selected runs no catalog clause
    return replace(
        options,
        select=selection.catalog,
        deselect=() if selection.catalog or not selection.patterns else ("*",),
        schemathesis=bool(selection.schema),
    )


def _execute(config: pytest.Config) -> tuple[RunResult, tuple[str, ...]]:
    from conformance.run.runner import execute

    baseline = None
    if config.getoption("aoai_baseline"):
        from conformance.run.baseline import load_baseline

        baseline = load_baseline(config.getoption("aoai_baseline"))
    return execute(_options(config), None, baseline)


@dataclass(frozen=True)
class _Selection:
    """``--aoai-select`` split between the catalog and the schemathesis phase's clauses."""

    patterns: tuple[str, ...]
    catalog: tuple[str, ...]  # patterns for the catalog registry (empty: all)
    schema: tuple[str, ...]  # SCHEMA clause ids the run decides


def _selection(config: pytest.Config) -> _Selection:
    from conformance.checks import REGISTRY
    from generator.errors import UsageError

    try:
        from conformance.phases.schemathesis import SCHEMA_CLAUSES
    except ImportError:  # pragma: no cover - the phase ships with the package
        SCHEMA_CLAUSES = {}
    from conformance.run.options import split_patterns

    patterns = tuple(p.upper() for p in split_patterns(config.getoption("aoai_select")))
    schema_ids = [] if config.getoption("aoai_no_schemathesis") else list(SCHEMA_CLAUSES)
    catalog: list[str] = []
    for pattern in patterns:
        in_catalog = any(fnmatch.fnmatchcase(cid, pattern) for cid in REGISTRY.ids())
        in_phase = any(fnmatch.fnmatchcase(cid, pattern) for cid in SCHEMA_CLAUSES)
        if not (in_catalog or in_phase):
            raise UsageError(
                f"--aoai-select {pattern!r} matches no clause; run `aoai-conformance "
                "contracts` to list the clause ids"
            )
        if in_catalog:
            catalog.append(pattern)
    if patterns:
        schema_ids = [c for c in schema_ids if any(fnmatch.fnmatchcase(c, p) for p in patterns)]
    return _Selection(patterns, tuple(catalog), tuple(schema_ids))


def _clause_ids(config: pytest.Config) -> list[tuple[str, str]]:
    """(clause id, title) of every clause the run decides, in catalog order."""
    from conformance.checks import REGISTRY
    from conformance.phases.schemathesis import SCHEMA_CLAUSES

    selection = _selection(config)
    checks = (
        REGISTRY.select(selection.catalog) if selection.catalog or not selection.patterns else []
    )
    # SCHEMA-* are catalog clauses too, but whether they run is the phase's decision
    # (SRV-001 is decided by the run from every request, like a catalog clause)
    ids = [(c.id, c.clause.title) for c in checks if c.phase != "schemathesis"]
    ids += [(cid, SCHEMA_CLAUSES[cid].title) for cid in selection.schema]
    return ids


def _skip(reason: str) -> None:
    """Skip, reported at the clause (``aoai-conformance``) rather than at this file."""
    try:
        raise pytest.skip.Exception(reason, _use_item_location=True)
    except TypeError:  # pragma: no cover - a pytest without item locations for skips
        pytest.skip(reason)


class ConformanceFailure(Exception):
    """A clause failed on at least one surface; the message is the rendered findings."""


class ConformanceError(Exception):
    """The run could not be made (configuration, unreachable target): one line."""


class ConformanceItem(pytest.Item):
    """One contract clause, decided over every surface the run checked."""

    def __init__(self, *, clause_id: str, title: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clause_id = clause_id
        self.title = title
        self.add_marker("aoai_conformance")

    def runtest(self) -> None:
        run = self.config.stash[_STASH_RUN]
        run.ensure()
        if run.error is not None:
            raise ConformanceError(run.error)
        findings = run.by_clause.get(self.clause_id, [])
        surfaces = ", ".join(run.result.surfaces) if run.result else "-"
        if not findings:
            _skip(f"{self.clause_id} does not apply to the surfaces checked ({surfaces})")
        failed = [f for f in findings if f.outcome is Outcome.FAILED and not f.baselined]
        if failed:
            raise ConformanceFailure(self._render(failed, run.secrets))
        inconclusive = [f for f in findings if f.outcome is Outcome.INCONCLUSIVE]
        if inconclusive:
            reason = "; ".join(f"{f.surface}: {f.reason}" for f in inconclusive)
            if self.config.getoption("aoai_strict"):
                raise ConformanceFailure(f"inconclusive (--aoai-strict): {reason}")
            _skip(f"inconclusive: {reason}")
        baselined = [f for f in findings if f.outcome is Outcome.FAILED and f.baselined]
        if baselined:
            where = ", ".join(f.surface for f in baselined)
            pytest.xfail(f"accepted divergence (baseline) on {where}: {baselined[0].reason}")
        if all(f.outcome is Outcome.SKIPPED for f in findings):
            _skip("; ".join(f"{f.surface}: {f.reason}" for f in findings))

    @staticmethod
    def _render(findings: list[Finding], secrets: tuple[str, ...]) -> str:
        from conformance.http.redact import Redactor
        from conformance.reports._render import finding_text

        clean = Redactor(secrets)
        return "\n\n".join(clean(finding_text(f)) for f in findings)

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str:
        if isinstance(excinfo.value, (ConformanceFailure, ConformanceError)):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        # skip locations need a line number; the catalog has none, so 0 (shown as line 1)
        return Path("aoai-conformance"), 0, f"{self.clause_id} {self.title}"


class ConformanceCollector(pytest.Collector):
    """The catalog as a pytest collector (``aoai-conformance::RESP-002``)."""

    def collect(self) -> Iterator[ConformanceItem]:
        for clause_id, title in _clause_ids(self.config):
            yield ConformanceItem.from_parent(
                self, name=clause_id, clause_id=clause_id, title=title
            )


# tryfirst: the items must exist before `-k`/`-m` deselection (also a modifyitems hook)
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not _active(config):
        return
    config.stash[_STASH_RUN] = _Run(config)
    collector = ConformanceCollector.from_parent(
        session, name="aoai-conformance", nodeid="aoai-conformance"
    )
    # collected the way pytest collects a file, so the terminal counts and lists the items
    config.hook.pytest_collectstart(collector=collector)
    report = config.hook.pytest_make_collect_report(collector=collector)
    config.hook.pytest_collectreport(report=report)
    if report.failed:
        raise pytest.UsageError(f"aoai-conformance: cannot build the catalog: {report.longrepr}")
    items.extend(node for node in report.result if isinstance(node, pytest.Item))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not _active(config) or _STASH_RUN not in config.stash:
        return
    run = config.stash[_STASH_RUN]
    if run.result is None:
        return
    from conformance.reports import write_report
    from conformance.reports._render import spend_line, verdict

    terminalreporter.write_sep("-", "aoai-conformance")
    terminalreporter.write_line(f"target: {run.result.target}")
    terminalreporter.write_line(f"spend: {spend_line(run.result.spend)}")
    terminalreporter.write_line(verdict(run.result))
    for spec in config.getoption("aoai_report"):
        from conformance.reports import parse_report_spec

        fmt, path = parse_report_spec(spec)
        write_report(run.result, fmt, path, secrets=run.secrets)
        terminalreporter.write_line(f"wrote {fmt} report to {path}")
