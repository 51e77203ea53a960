"""Report writers: JSON, JUnit XML, Markdown and HTML files, and the rich console.

Every writer renders the same :class:`conformance.model.Finding` with the same labels
in the same order (``_render.py``), and every byte goes through secret redaction
(``conformance/http/redact.py``) twice: each string of the result before rendering, and the rendered
text once more before it is written.

    fmt, path = parse_report_spec("junit:reports/conformance.xml")   # at option parsing
    write_report(result, fmt, path, secrets=[api_key])                # after the run
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from conformance.http.redact import Redactor, redact
from conformance.model import RunResult
from conformance.reports._render import redacted_result
from conformance.reports.fleet import render_fleet
from conformance.reports.html_report import render_html
from conformance.reports.json_report import render_json
from conformance.reports.junit import render_junit
from conformance.reports.markdown import render_markdown
from conformance.run.fleet import FleetResult
from generator.errors import UsageError
from generator.paths import write_text_atomically

__all__ = [
    "FORMATS",
    "ReportWriteError",
    "parse_report_spec",
    "redact",
    "render_report",
    "write_report",
]

#: format name → renderer (RunResult → text). Order is the order help texts list them.
FORMATS: dict[str, Callable[[RunResult], str]] = {
    "json": render_json,
    "junit": render_junit,
    "markdown": render_markdown,
    "html": render_html,
}
_EXAMPLE = "e.g. --report junit:reports/conformance.xml"


class ReportWriteError(UsageError):
    """A report file could not be written (exit code 2, like any configuration error)."""


def parse_report_spec(spec: str) -> tuple[str, Path]:
    """``"FORMAT:PATH"`` → ``(format, path)``; checks the format and that PATH can be written.

    A missing parent folder is fine (``write_report`` creates it) as long as the nearest
    existing ancestor is a writable folder.
    """
    fmt, sep, raw_path = spec.partition(":")
    fmt = fmt.strip().lower()
    if not sep or not fmt or not raw_path.strip():
        raise UsageError(
            f"report '{spec}' must be FORMAT:PATH with FORMAT one of "
            f"{', '.join(FORMATS)} ({_EXAMPLE})"
        )
    if fmt not in FORMATS:
        raise UsageError(
            f"report format '{fmt}' in '{spec}' is unknown; use one of "
            f"{', '.join(FORMATS)} ({_EXAMPLE})"
        )
    path = Path(raw_path.strip()).expanduser()
    if path.is_dir():
        raise UsageError(f"report path '{path}' is a folder; give a file name ({_EXAMPLE})")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(
            f"report file '{path}' is not writable; fix its permissions or pick another path"
        )
    ancestor = path.absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir() or not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(
            f"cannot write report '{path}': folder '{ancestor}' is not writable; "
            "pick a path in a writable folder"
        )
    return fmt, path


def render_report(result: RunResult | FleetResult, fmt: str, *, secrets: Iterable[str] = ()) -> str:
    """The report as text, redacted; ``fmt`` is one of :data:`FORMATS`. A fleet's result
    renders as one document with a section per target (``conformance.reports.fleet``)."""
    if isinstance(result, FleetResult):
        return render_fleet(result, fmt, secrets=secrets)
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise UsageError(
            f"report format '{fmt}' is unknown; use one of {', '.join(FORMATS)}"
        ) from None
    secrets = list(secrets)
    text = renderer(redacted_result(result, secrets))
    return Redactor(secrets)(text)


def write_report(
    result: RunResult | FleetResult, fmt: str, path: Path, *, secrets: Iterable[str] = ()
) -> None:
    """Render ``result`` as ``fmt`` and write it to ``path`` (atomically: temp file + rename).

    ``secrets`` are the run's credentials (api key, bearer token); the credential
    environment variables and anything credential-shaped are redacted as well.
    """
    text = render_report(result, fmt, secrets=secrets)
    path = Path(path)
    try:
        write_text_atomically(path, text)
    except OSError as exc:
        raise ReportWriteError(
            f"cannot write {fmt} report to '{path}': {exc.strerror or exc}; pick a writable path"
        ) from None
