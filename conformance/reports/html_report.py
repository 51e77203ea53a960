"""One self-contained HTML file: inline CSS, no scripts, no external assets.

A ``Content-Security-Policy`` meta tag forbids loading anything at all, so the file
renders the same offline, as a CI artifact, or opened from a mail attachment. Every
value from the run is HTML-escaped (a server's response may contain markup).
"""

from __future__ import annotations

from html import escape

from conformance.model import Finding, RunResult
from conformance.reports._render import (
    OUTCOME_LABELS,
    PARTIAL_NOTE,
    TOOL_NAME,
    TOOL_VERSION,
    finding_heading,
    finding_rows,
    grouped,
    spend_line,
    verdict,
)

__all__ = ["render_html", "html_page", "html_run_parts"]

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:72em;
color:#1f2328;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;padding:.7em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.verdict{font-weight:600;padding:.6em .8em;border-radius:6px}
.v0{background:#dafbe1}.v1{background:#ffebe9}.v3{background:#fff8c5}
.partial{background:#fff8c5;border:1px solid #d4a72c;padding:.6em .8em;border-radius:6px}
details.finding{border:1px solid #d0d7de;border-radius:6px;margin:.6em 0;padding:.4em .8em}
details.finding>summary{cursor:pointer;font-weight:600}
.FAIL{color:#cf222e}.INCONCLUSIVE{color:#9a6700}.SKIP{color:#57606a}.PASS{color:#1a7f37}
.badge{display:inline-block;min-width:7em;font-weight:600}
footer{margin-top:2em;color:#57606a;font-size:.9em}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(value: str) -> str:
    return escape(value, quote=True)


def _finding(finding: Finding, open_: bool) -> str:
    label = OUTCOME_LABELS[finding.outcome]
    rows = []
    repro = ""
    for name, value in finding_rows(finding):
        if name == "Reproduce":
            repro = value
        elif name in ("Expected", "Observed", "Where"):
            rows.append(f"<tr><th>{_e(name)}</th><td><code>{_e(value)}</code></td></tr>")
        else:
            rows.append(f"<tr><th>{_e(name)}</th><td>{_e(value)}</td></tr>")
    body = f"<table>{''.join(rows)}</table>"
    if repro:
        body += f'<pre class="repro">{_e(repro)}</pre>'
    return (
        f'<details class="finding"{" open" if open_ else ""} id="{_e(finding.clause_id)}'
        f'-{_e(finding.surface)}"><summary><span class="badge {label}">{label}</span> '
        f"{_e(finding_heading(finding))}</summary>{body}</details>"
    )


def render_html(result: RunResult) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(TOOL_NAME)}: {_e(result.target)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_e(TOOL_NAME)} report</h1>",
        *html_run_parts(result),
        f"<footer>{_e(TOOL_NAME)} {_e(TOOL_VERSION)}</footer></body></html>",
    ]
    return "\n".join(parts) + "\n"


def html_page(title: str, body: list[str]) -> str:
    """A whole self-contained page around ``body`` (the fleet report uses it)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        *body,
        f"<footer>{_e(TOOL_NAME)} {_e(TOOL_VERSION)}</footer></body></html>",
    ]
    return "\n".join(parts) + "\n"


def html_run_parts(result: RunResult, *, h: int = 2) -> list[str]:
    """A run's verdict, summary, notes and findings; section headings are ``<h{h}>``."""
    sections = grouped(result.findings)
    counts = result.counts()
    code = result.exit_code()
    parts: list[str] = []
    if result.interrupted:
        parts.append(f'<p class="partial">{_e(PARTIAL_NOTE)}</p>')
    parts.append(f'<p class="verdict v{code}">{_e(verdict(result))}</p>')
    summary = [
        ("Target", result.target),
        ("Surfaces", ", ".join(result.surfaces) or "-"),
        ("Started", result.started_at or "-"),
        ("Duration", f"{result.duration_s:.1f} s"),
        ("Failed", str(len(sections["failed"]))),
        ("Baselined", str(len(sections["baselined"]))),
        ("Inconclusive", str(counts["inconclusive"])),
        ("Skipped", str(counts["skipped"])),
        ("Passed", str(counts["passed"])),
        ("Spend", spend_line(result.spend)),
    ]
    parts.append(
        "<table>"
        + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in summary)
        + "</table>"
    )
    if result.notes:
        parts.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in result.notes) + "</ul>")
    for key, title, open_ in (
        ("failed", "Failures", True),
        ("baselined", "Accepted divergences (baseline)", False),
        ("inconclusive", "Inconclusive", False),
        ("skipped", "Skipped", False),
        ("passed", "Passed", False),
    ):
        if sections[key]:
            parts.append(f"<h{h}>{_e(title)} ({len(sections[key])})</h{h}>")
            parts.extend(_finding(f, open_) for f in sections[key])
    return parts
