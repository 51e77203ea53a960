"""``aoai-conformance contracts``: the catalog of clauses the suite checks."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from conformance.checks import REGISTRY
from conformance.checks.document import catalog_json, catalog_markdown
from generator.errors import UsageError

__all__ = ["contracts"]


@click.command("contracts")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--markdown", is_flag=True, help="Print the Markdown of docs/contracts.md.")
@click.option(
    "--write",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Write the Markdown catalog to PATH (e.g. docs/contracts.md).",
)
def contracts(as_json: bool, markdown: bool, write: Path | None) -> None:
    """List every clause: id, severity, surfaces, title and the document it enforces.

    \b
    Examples:
      aoai-conformance contracts
      aoai-conformance contracts --json
      aoai-conformance contracts --write docs/contracts.md
    """
    if as_json and markdown:
        raise UsageError("choose one of --json and --markdown")
    if write is not None:
        try:
            write.parent.mkdir(parents=True, exist_ok=True)
            write.write_text(catalog_markdown() + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot write {write}: {exc.strerror or exc}; pick a writable path"
            ) from None
        click.echo(f"wrote {len(REGISTRY)} clauses to {write}", err=True)
        return
    if as_json:
        click.echo(json.dumps(catalog_json(), indent=2))
        return
    if markdown:
        click.echo(catalog_markdown())
        return
    table = Table(title=f"{len(REGISTRY)} clauses", show_lines=False)
    for column in ("id", "sev", "surfaces", "clause", "source"):
        table.add_column(column, overflow="fold")
    for check in REGISTRY:
        c = check.clause
        table.add_row(c.id, c.severity, ",".join(c.surfaces), c.title, c.source)
    Console(width=160).print(table)
