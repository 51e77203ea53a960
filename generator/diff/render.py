"""Render a :class:`~generator.diff.model.SpecDiff` as a Markdown changelog or as JSON.

JSON shape (``"format": "aoai-conformance/spec-diff/1"``)::

    {
      "format": "aoai-conformance/spec-diff/1",
      "old": {"id", "api_version", "sha256", "origin"},
      "new": {"id", "api_version", "sha256", "origin"},
      "breaking": bool,
      "summary": {"breaking", "non_breaking", "operations_added",
                  "operations_removed", "operations_changed"},
      "operations": [            # chat completions first, then by path and method
        {"operation": "POST /deployments/{deployment-id}/chat/completions",
         "operation_id": "ChatCompletions_Create",
         "status": "added" | "removed" | "changed",
         "breaking": bool,
         "changes": [
           {"rule": "request-field-added-optional",   # id in generator/diff/rules.py
            "breaking": bool,
            "location": "request body application/json",  # or "parameter", "operation",
                                                           # "response 200 text/event-stream", ...
            "path": "stream_options",                 # dotted field path / "query name" / ""
            "message": "added optional field `stream_options` (object, nullable)",
            "old": ..., "new": ...,                   # present when meaningful
            "children": ["include_usage"]}]}]       # sub-fields that came or went with it
    }
"""

from __future__ import annotations

import json
from typing import Any

from generator.diff.model import OperationDiff, SpecDiff, SpecRef

__all__ = ["JSON_FORMAT", "to_json", "to_json_text", "to_markdown"]

JSON_FORMAT = "aoai-conformance/spec-diff/1"


def to_json(diff: SpecDiff) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT,
        "old": diff.old.to_json(),
        "new": diff.new.to_json(),
        "breaking": diff.breaking,
        "summary": diff.summary(),
        "operations": [op.to_json() for op in diff.operations],
    }


def to_json_text(diff: SpecDiff) -> str:
    return json.dumps(to_json(diff), indent=2, ensure_ascii=False) + "\n"


def _name(ref: SpecRef) -> str:
    if ref.api_version and ref.api_version not in ref.id:
        return f"{ref.id} ({ref.api_version})"
    return ref.id


def _operation_md(op: OperationDiff) -> list[str]:
    title = f"## `{op.key}`"
    if op.operation_id:
        title += f" ({op.operation_id})"
    status = {"added": " — added", "removed": " — **removed (breaking)**"}.get(op.status, "")
    lines = [title + status, ""]
    if op.status != "changed":
        return lines
    breaking = [c for c in op.changes if c.breaking]
    compatible = [c for c in op.changes if not c.breaking]
    for heading, group in (("Breaking", breaking), ("Non-breaking", compatible)):
        if not group:
            continue
        lines.append(f"**{heading}**")
        lines.append("")
        for change in group:
            lines.append(f"- {change.location}: {change.message} <sub>[{change.rule_id}]</sub>")
        lines.append("")
    return lines


def to_markdown(diff: SpecDiff) -> str:
    s = diff.summary()
    lines = [f"# Changes from {_name(diff.old)} to {_name(diff.new)}", ""]
    if not diff.operations:
        lines += ["No differences a client can notice.", ""]
        return "\n".join(lines)
    verdict = "**breaking**" if diff.breaking else "compatible"
    lines += [
        f"{verdict}: {s['breaking']} breaking and {s['non_breaking']} non-breaking changes; "
        f"operations: {s['operations_added']} added, {s['operations_removed']} removed, "
        f"{s['operations_changed']} changed.",
        "",
    ]
    for op in diff.operations:
        lines += _operation_md(op)
    return "\n".join(lines).rstrip("\n") + "\n"
