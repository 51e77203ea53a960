"""``aoai-conformance specs``: the registry of pinned upstream specs."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from generator.spec import load_registry, load_spec, probe, resolve
from generator.spec.sources import cache_dir, mirror_dir, store_in_cache

__all__ = ["specs"]


@click.group()
def specs() -> None:
    """List, fetch and inspect the pinned upstream specs.

    \b
    Examples:
      AOAI_SPECS_MIRROR=../shared/upstream-specs aoai-conformance specs list
      aoai-conformance specs sync
      aoai-conformance specs show azure-openai-v1 --changes
    """


@specs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_cmd(as_json: bool) -> None:
    """Show every registered spec and where its verified bytes are found.

    Looks in the cache, the mirror ($AOAI_SPECS_MIRROR) and installed packages; never
    uses the network.

    \b
    Example:
      aoai-conformance specs list --json
    """
    rows = [probe(entry) for entry in load_registry()]
    if as_json:
        payload = [
            {
                "id": p.entry.id,
                "surface": p.entry.surface,
                "api_version": p.entry.api_version,
                "verified": p.verified,
                "source": p.source,
                "location": p.location,
                "sha256": p.entry.sha256,
            }
            for p in rows
        ]
        click.echo(json.dumps(payload, indent=2))
        return
    table = Table(title=f"{len(rows)} registered specs")
    for column in ("id", "surface", "api-version", "status", "where"):
        table.add_column(column, overflow="fold")
    for p in rows:
        status = "[green]verified[/]" if p.verified else "[yellow]not local[/]"
        where = f"{p.source}: {p.location}" if p.verified else f"would fetch {p.location}"
        mismatch = [a for a in p.attempts if a.outcome == "mismatch"]
        if mismatch:
            status = "[red]sha mismatch[/]" if not p.verified else status
            where += " (" + "; ".join(a.describe() for a in mismatch) + ")"
        table.add_row(p.entry.id, p.entry.surface, p.entry.api_version, status, where)
    console = Console(width=200) if not Console().is_terminal else Console()
    console.print(table)
    mirror = mirror_dir()
    console.print(f"mirror: {mirror or '(AOAI_SPECS_MIRROR not set)'}   cache: {cache_dir()}")


@specs.command("sync")
@click.argument("spec_ids", nargs=-1, metavar="[ID]...")
def sync_cmd(spec_ids: tuple[str, ...]) -> None:
    """Fill the cache with verified copies (all specs, or the ids given).

    \b
    Example:
      aoai-conformance specs sync azure-openai-v1
    """
    registry = load_registry()
    entries = [registry.get(i) for i in spec_ids] if spec_ids else list(registry)
    for entry in entries:
        resolved = resolve(entry, cache=True)
        if resolved.source in ("mirror", "package"):
            store_in_cache(entry, resolved.data)
        click.echo(f"{entry.id}: verified from {resolved.source} ({resolved.location})")
    click.echo(f"cache: {cache_dir()}")


@specs.command("show")
@click.argument("spec_id")
@click.option("--changes", is_flag=True, help="List every normalisation change and overlay.")
def show_cmd(spec_id: str, changes: bool) -> None:
    """Operations, schema count, security schemes and servers of one spec (normalised).

    \b
    Example:
      aoai-conformance specs show azure-openai-2025-04-01-preview --changes
    """
    loaded = load_spec(spec_id)
    entry = loaded.entry
    assert entry is not None
    click.echo(f"{entry.id}  surface={entry.surface}  api-version={entry.api_version}")
    click.echo(f"  source format: {loaded.source_format}  from {loaded.origin}")
    click.echo(f"  sha256: {entry.sha256}")
    ops = loaded.operations()
    click.echo(f"  operations: {len(ops)}   schemas: {len(loaded.schemas)}")
    for op in ops:
        click.echo(f"    {op.method.upper():7} {op.path}  ({op.operation_id})")
    click.echo("  security schemes:")
    for name, scheme in loaded.security_schemes().items():
        detail = (
            scheme.get("name") or ", ".join(scheme.get("flows", {})) or scheme.get("scheme", "")
        )
        click.echo(f"    {name}: {scheme.get('type')} {scheme.get('in', '')} {detail}".rstrip())
    click.echo("  servers:")
    for server in loaded.servers():
        click.echo(f"    {server.get('url')}")
    click.echo(f"  normalisation changes: {len(loaded.changes)}   overlays: {len(loaded.overlays)}")
    if changes:
        for change in loaded.changes:
            click.echo(f"    {change.describe()}")
        for overlay in loaded.overlays:
            click.echo(f"    [overlay {overlay.id}] {overlay.patches} patch(es): {overlay.source}")
