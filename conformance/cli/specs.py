"""``aoai-conformance specs``: the registry of pinned upstream specs."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from generator.diff import diff_specs, open_spec, to_json_text, to_markdown
from generator.diff.new_version import add_api_version
from generator.diff.regenerate import regenerate
from generator.errors import UsageError
from generator.paths import REGISTRY_FILE, in_checkout, writable_file, writable_folder
from generator.spec import Registry, load_registry, load_spec, probe, resolve
from generator.spec.sources import CACHE_ENV, cache_dir, mirror_dir, store_in_cache

__all__ = ["specs"]


@click.group()
def specs() -> None:
    """List, fetch and inspect the pinned upstream specs.

    \b
    Examples:
      AOAI_SPECS_MIRROR=../shared/upstream-specs aoai-conformance specs list
      aoai-conformance specs sync
      aoai-conformance specs show azure-openai-v1 --changes
      aoai-conformance specs diff 2024-08-01-preview 2024-09-01-preview
      aoai-conformance specs add 2025-04-01-preview
    """


@specs.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table, or JSON.",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
def list_cmd(fmt: str, as_json: bool) -> None:
    """Show every registered spec and where its verified bytes are found.

    Looks in the cache, the mirror ($AOAI_SPECS_MIRROR) and installed packages; never
    uses the network.

    \b
    Example:
      aoai-conformance specs list --format json
    """
    rows = [probe(entry) for entry in load_registry()]
    if as_json or fmt == "json":
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
    writable_folder(
        cache_dir(), f"the spec cache ({CACHE_ENV})", f"set {CACHE_ENV} to a writable folder"
    )
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


# -- spec diff and the new-api-version workflow (generator/diff) ------------------------

REGISTRY_ENV = "AOAI_SPECS_REGISTRY"

_registry_option = click.option(
    "--registry",
    "registry_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=REGISTRY_ENV,
    help=f"Registry file to use instead of the shipped specs/registry.json (env {REGISTRY_ENV}).",
)


def _open_registry(path: Path | None) -> Registry:
    if path is not None and not path.is_file():
        raise UsageError(
            f"--registry {path}: no such file; give an existing registry.json "
            "(copy specs/registry.json to start one)"
        )
    return load_registry(path)


@specs.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "md", "json"]),
    default="markdown",
    show_default=True,
    help="Markdown changelog (md is an alias) or JSON (shape in generator/diff/render.py).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "any"]),
    default=None,
    help="Exit 1 if the diff has a breaking change (or any change).",
)
@click.option(
    "--operation",
    "operations",
    multiple=True,
    metavar="OP",
    help="Only this operation: operationId, 'POST /path', or a path suffix. Repeatable.",
)
@_registry_option
def diff_cmd(
    old: str,
    new: str,
    fmt: str,
    fail_on: str | None,
    operations: tuple[str, ...],
    registry_path: Path | None,
) -> int:
    """What changed from OLD to NEW, each change breaking or not for a client.

    OLD and NEW are registered spec ids, api-versions, or paths to spec files.
    Exit codes: 0 done (or nothing to fail on), 1 --fail-on matched, 2 bad input.

    \b
    Examples:
      aoai-conformance specs diff 2024-08-01-preview 2024-09-01-preview
      aoai-conformance specs diff azure-openai-2024-10-21 2025-04-01-preview \\
          --operation ChatCompletions_Create --format json
      aoai-conformance specs diff old.yaml new.yaml --fail-on breaking
    """
    registry = _open_registry(registry_path)
    result = diff_specs(open_spec(old, registry), open_spec(new, registry), operations)
    click.echo(to_json_text(result) if fmt == "json" else to_markdown(result), nl=False)
    if fail_on == "breaking" and result.breaking:
        click.echo(
            f"breaking changes from {result.old.id} to {result.new.id} (--fail-on breaking)",
            err=True,
        )
        return 1
    if fail_on == "any" and result.operations:
        click.echo(f"changes from {result.old.id} to {result.new.id} (--fail-on any)", err=True)
        return 1
    return 0


@specs.command("add")
@click.argument("api_version")
@click.option(
    "--surface",
    type=click.Choice(["dated"]),
    default="dated",
    show_default=True,
    help="Surface of the new version (only dated versions have a canonical path).",
)
@click.option(
    "--sha256",
    "expected_sha256",
    default=None,
    metavar="HEX",
    help="Refuse the spec unless its sha256 is this (e.g. from a release note).",
)
@click.option(
    "--replace", is_flag=True, help="Re-pin a version that is already registered (new sha256)."
)
@click.option(
    "--no-generate", is_flag=True, help="Register and diff only; skip regenerating clients."
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the regenerated package (default: generated/; with --registry: a "
    "generated/ folder beside that registry file).",
)
@_registry_option
def add_cmd(
    api_version: str,
    surface: str,
    expected_sha256: str | None,
    replace: bool,
    no_generate: bool,
    output: Path | None,
    registry_path: Path | None,
) -> None:
    """Pin a new dated API_VERSION, regenerate, and print its changelog.

    Finds specification/cognitiveservices/data-plane/AzureOpenAI/inference/
    {preview|stable}/API_VERSION/inference.json in the mirror ($AOAI_SPECS_MIRROR) or at
    its canonical URL (not when AOAI_SPECS_OFFLINE=1), records its sha256 in the
    registry, and diffs it against the previous registered version of the surface.

    \b
    Example:
      aoai-conformance specs add 2025-04-01-preview
    """
    registry = _open_registry(registry_path)
    shipped = registry_path is None or registry_path.resolve() == REGISTRY_FILE.resolve()
    if shipped and not in_checkout():
        # never edit the installed package: the next upgrade would silently undo it
        raise UsageError(
            f"specs add would change the installed package's registry ({REGISTRY_FILE}); "
            f"copy it and pass --registry, e.g. cp {REGISTRY_FILE} ./registry.json && "
            f"aoai-conformance specs add {api_version} --registry ./registry.json"
        )
    writable_file(registry_path or REGISTRY_FILE, "--registry", "pass --registry FILE")
    if output is None and not shipped:
        assert registry_path is not None
        output = registry_path.parent / "generated"
    if output is not None and not no_generate:
        writable_folder(output, "--output", "pass --output DIR naming a writable folder")
    added = add_api_version(
        api_version,
        registry,
        surface=surface,
        expected_sha256=expected_sha256,
        registry_path=registry_path,
        replace=replace,
    )
    entry = added.entry
    verb = "re-pinned" if replace and added.replaced is not None else "registered"
    click.echo(f"{verb} {entry.id} ({entry.surface}, {entry.api_version}) in {added.registry_path}")
    if added.replaced is not None and added.replaced.sha256 != entry.sha256:
        click.echo(f"  was sha256 {added.replaced.sha256}")
    click.echo(f"  sha256 {entry.sha256}  ({entry.bytes} bytes, {entry.format})")
    click.echo(f"  from {added.found.source}: {added.found.location}")
    click.echo(
        f"  url {entry.url}" + ("" if entry.commit else "  (commit unknown: pinned by sha256 only)")
    )
    outcome = regenerate(
        entry, added.loaded, shipped_registry=shipped, output=output, skip=no_generate
    )
    click.echo(f"  regenerate: {outcome}")
    click.echo("")
    if added.diff is None:
        click.echo(f"no earlier {entry.surface} version is registered: nothing to compare with")
    else:
        click.echo(to_markdown(added.diff), nl=False)
