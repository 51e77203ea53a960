"""``aoai-conformance generate``: typed models and request builders under generated/."""

from __future__ import annotations

import time
from pathlib import Path

import click

from generator.codegen.pipeline import (
    GENERATED_DIR,
    REGENERATE_COMMAND,
    DriftError,
    check,
)
from generator.codegen.pipeline import (
    generate as generate_packages,
)
from generator.errors import UsageError
from generator.paths import in_checkout, writable_folder

__all__ = ["generate"]


@click.command("generate")
@click.option(
    "--spec",
    "spec_ids",
    multiple=True,
    metavar="ID",
    help="Generate only this registered spec (repeatable; default: all).",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 if generated/ is stale (drift check for CI).",
)
@click.option(
    "--full",
    is_flag=True,
    help="With --check: regenerate everything and compare byte for byte, even when the "
    "recorded fingerprints match.",
)
@click.option("--force", is_flag=True, help="Regenerate even when the fingerprint matches.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on any generator warning.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Also list info-level problems (not only warnings)."
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Folder to write the packages into (default: generated/ of the checkout; an "
    "installed copy needs --output).",
)
def generate(
    spec_ids: tuple[str, ...],
    check_only: bool,
    full: bool,
    force: bool,
    strict: bool,
    verbose: bool,
    output: Path | None,
) -> None:
    """Generate one package per spec: pydantic models, request builders, auth.

    A package whose recorded fingerprint (normalised spec + generator sources) and file
    hashes still match is skipped. --check compares without writing.

    \b
    Examples:
      aoai-conformance generate
      aoai-conformance generate --spec azure-openai-2025-04-01-preview --force
      aoai-conformance generate --check
    """
    started = time.perf_counter()
    if output is None:
        if not check_only and not in_checkout():
            # never write into site-packages: an installed copy is not the user's project
            raise UsageError(
                f"generate would write into the installed package ({GENERATED_DIR}); "
                "pass --output DIR (e.g. --output ./generated)"
            )
        output = GENERATED_DIR
    if not check_only:
        writable_folder(output, "--output", "pass --output DIR naming a writable folder")
    if check_only:
        drifts = check(spec_ids or None, output=output, full=full)
        if drifts:
            for drift in drifts:
                click.echo(f"  {drift.describe()}", err=True)
            raise DriftError(
                f"{output} is stale: {len(drifts)} file(s) differ from what the generator "
                f"produces; run `{REGENERATE_COMMAND}` and commit the result"
            )
        click.echo(f"generated code is up to date ({time.perf_counter() - started:.1f}s)")
        return
    report = generate_packages(spec_ids or None, output=output, force=force, strict=strict)
    for spec_id in report.written:
        problems = report.problems.get(spec_id, [])
        shown = [p for p in problems if verbose or p.severity != "info"]
        note = f" ({len(problems)} problem(s); -v lists all)" if len(shown) < len(problems) else ""
        click.echo(f"generated {spec_id}{note}")
        for problem in shown:
            click.echo(f"  {problem.severity}: {problem.describe()}", err=True)
    if report.skipped:
        click.echo(f"up to date: {len(report.skipped)} spec(s)")
    click.echo(f"done in {time.perf_counter() - started:.1f}s")
