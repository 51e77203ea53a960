"""``aoai-conformance report merge``: JSON reports (fleet shards, single runs) → one report."""

from __future__ import annotations

from pathlib import Path

import click

from generator.errors import UsageError

__all__ = ["report"]


@click.group("report")
def report() -> None:
    """Work with report files.

    \b
    Examples:
      aoai-conformance report merge shard-*.json --report junit:fleet.xml --report markdown:fleet.md
    """


@report.command("merge")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT:PATH",
    help="Write the merged report: json, junit, markdown or html (repeatable).",
)
def merge(files: tuple[Path, ...], reports: tuple[str, ...]) -> None:
    """Merge JSON reports of fleet shards (or single runs) into one fleet report.

    Targets keep the fleet file's order; a target of the fleet that no report covers is
    listed as missing (exit 3); a target in two reports is an error (exit 2). The exit
    code is the merged fleet's: the worst of its targets' (130 > 2 > 1 > 3 > 0).

    \b
    Examples:
      aoai-conformance report merge shard-1.json shard-2.json shard-3.json \\
          --report junit:fleet.xml --report markdown:fleet.md --report json:fleet.json
    """
    from conformance.reports import parse_report_spec, write_report
    from conformance.reports.fleet import fleet_verdict
    from conformance.reports.merge import load_report, merge_reports

    if not files:
        raise UsageError(
            "report merge needs JSON reports to merge, e.g. "
            "`aoai-conformance report merge shard-1.json shard-2.json --report junit:out.xml`"
        )
    parsed = [parse_report_spec(spec) for spec in reports]
    outputs = [p.resolve() for _, p in parsed]
    twice = next((p for p in outputs if outputs.count(p) > 1), None)
    if twice is not None:
        raise UsageError(f"two --report options write to {twice}; give each its own file")
    inputs = {f.resolve() for f in files}
    clash = next((p for p in outputs if p in inputs), None)
    if clash is not None:
        raise UsageError(f"--report would overwrite the input {clash}; write to another file")
    merged = merge_reports([(path, load_report(path)) for path in files])
    for fmt, path in parsed:
        write_report(merged, fmt, path)
        click.echo(f"wrote {fmt} report to {path}", err=True)
    click.echo(f"merged {len(files)} reports: {fleet_verdict(merged)}")
    raise click.exceptions.Exit(merged.exit_code())
