"""Regenerate the clients of a newly added spec, through the code generator's library."""

from __future__ import annotations

from pathlib import Path

from generator.codegen.pipeline import (
    GENERATED_DIR,
    REGENERATE_COMMAND,
    SpecInput,
    generate,
    generate_package,
)
from generator.spec import LoadedSpec, SpecEntry

__all__ = ["regenerate"]


def regenerate(
    entry: SpecEntry,
    loaded: LoadedSpec,
    *,
    shipped_registry: bool,
    output: Path | None = None,
    skip: bool = False,
) -> str:
    """Write the package for ``entry`` and say, in one line, what was done.

    With the shipped registry this is ``aoai-conformance generate --spec ID`` (the package
    and generated/__init__.py, which lists every registered spec). With another registry
    (``--registry``), only the package is written, into ``output``.
    """
    command = f"{REGENERATE_COMMAND} --spec {entry.id}"
    if skip:
        return f"skipped (--no-generate); run `{command}` when ready"
    if shipped_registry:
        target = output or GENERATED_DIR
        report = generate([entry.id], output=target)
        problems = len(report.problems.get(entry.id, []))
        verb = "wrote" if entry.id in report.written else "up to date:"
    else:
        if output is None:
            raise AssertionError("a registry copy needs an explicit output folder")
        target = output
        package = generate_package(
            SpecInput(entry.id, entry.sha256, entry.surface, entry.api_version, loaded)
        )
        folder = target / package.package
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in package.files.items():
            (folder / name).write_bytes(data)
        problems = len(package.problems)
        verb = "wrote"
    where = target / entry.id.replace("-", "_").replace(".", "_")
    note = f"; {problems} generator problem(s): see `{command}`" if problems else ""
    return f"{verb} {where}{note}"
