"""Running the CLI against a (faulty) live target and reading what it reported."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.checks import REGISTRY
from conformance.cli import main
from conformance.emulator import DEFAULT_API_KEY

__all__ = ["Outcome", "run_cli", "dated_clause_count", "CREDENTIAL_ENV"]

CREDENTIAL_ENV = (
    "AZURE_OPENAI_ENDPOINT",
    "OPENAI_BASE_URL",
    "AZURE_OPENAI_API_KEY",
    "OPENAI_API_KEY",
    "OPENAI_API_VERSION",
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
)


def dated_clause_count() -> int:
    """Clauses a dated run reports with --no-schemathesis (which leaves out SCHEMA-*)."""
    from conformance.checks.boundary import filter_checks  # the default --boundary sample

    return sum(
        1
        for c in filter_checks(REGISTRY.select((), ()), "sample")
        if c.applies_to("dated") and c.phase != "schemathesis"
    )


@dataclass
class Outcome:
    """One CLI run: exit code, JSON report, wall time."""

    code: int
    report: dict[str, Any]
    seconds: float

    def ids(self, outcome: str) -> set[str]:
        return {f["clause_id"] for f in self.report["findings"] if f["outcome"] == outcome}

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.report["findings"] if f["outcome"] == outcome)

    @property
    def requests(self) -> int:
        return int(self.report["spend"]["requests"])

    def row(self, fault: str) -> str:
        counts = {o: self.count(o) for o in ("passed", "failed", "inconclusive", "skipped")}
        return (
            f"| {fault} | {counts['passed']} | {counts['failed']} | {counts['inconclusive']} | "
            f"{counts['skipped']} | {self.code} | {self.requests} | {self.seconds:.1f} |"
        )


def run_cli(
    url: str,
    tmp_path: Path,
    *extra: str,
    timeout: str = "1",
    surface: str = "dated",
    key: str = DEFAULT_API_KEY,
) -> Outcome:
    """``aoai-conformance run`` against ``url`` (no schemathesis phase), JSON report read back."""
    report = tmp_path / "report.json"
    started = time.monotonic()
    code = main(
        [
            "run",
            "--target",
            url,
            "--deployment",
            "gpt-4o-mini",
            "--api-key",
            key,
            "--surface",
            surface,
            "--no-schemathesis",
            "--timeout",
            timeout,
            "--report",
            f"json:{report}",
            *extra,
        ]
    )
    seconds = time.monotonic() - started
    return Outcome(code, json.loads(report.read_text(encoding="utf-8")), seconds)
