"""JSON report: the machine-readable record of a run (schema: ``docs/report-schema.json``)."""

from __future__ import annotations

import json
from typing import Any

from conformance.model import FINDINGS_SCHEMA_VERSION, Outcome, RunResult
from conformance.reports._render import TOOL_NAME, TOOL_VERSION, verdict

__all__ = ["report_data", "render_json"]


def report_data(result: RunResult) -> dict[str, Any]:
    """The report as plain data; keys documented in ``docs/report-schema.json``."""
    counts = result.counts()
    return {
        "schema_version": FINDINGS_SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
        "target": result.target,
        "surfaces": list(result.surfaces),
        "started_at": result.started_at,
        "duration_s": round(result.duration_s, 3),
        "interrupted": result.interrupted,
        "complete": not result.interrupted,
        "exit_code": result.exit_code(),
        "verdict": verdict(result),
        "counts": {
            **counts,
            "total": len(result.findings),
            "new_failures": len(result.new_failures()),
            "baselined": sum(
                1 for f in result.findings if f.outcome is Outcome.FAILED and f.baselined
            ),
        },
        "spend": {
            "requests": result.spend.requests,
            "prompt_tokens": result.spend.prompt_tokens,
            "completion_tokens": result.spend.completion_tokens,
            "total_tokens": result.spend.total_tokens,
        },
        "notes": list(result.notes),
        "findings": [f.to_json() for f in result.findings],
    }


def render_json(result: RunResult) -> str:
    return json.dumps(report_data(result), indent=2, ensure_ascii=False) + "\n"
