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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown", "md"]),
    default=None,
    help="A table (default), JSON, or the Markdown of docs/contracts.md (md is an alias).",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("--markdown", is_flag=True, help="The same as --format markdown.")
@click.option(
    "--write",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Write the Markdown catalog to PATH (e.g. docs/contracts.md).",
)
def contracts(fmt: str | None, as_json: bool, markdown: bool, write: Path | None) -> None:
    """List every clause: id, severity, surfaces, title and the document it enforces.

    \b
    Examples:
      aoai-conformance contracts
      aoai-conformance contracts --format json
      aoai-conformance contracts --format markdown
      aoai-conformance contracts --write docs/contracts.md
    """
    chosen = {f for f in ("json" if as_json else None, "markdown" if markdown else None) if f}
    if fmt is not None:
        chosen.add("markdown" if fmt == "md" else fmt)
    if len(chosen) > 1:
        raise UsageError("choose one format: --format table|json|markdown (or --json, --markdown)")
    fmt = next(iter(chosen), "table")
    as_json, markdown = fmt == "json", fmt == "markdown"
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
