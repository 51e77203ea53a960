"""The code generator: normalised spec → ``generated/<package>/``.

Stages, one module each: :mod:`~generator.codegen.prepare` (names for every class-to-be),
:mod:`~generator.codegen.parse` (the typed IR in :mod:`~generator.codegen.ir`, with
problems collected in :mod:`~generator.codegen.problems`), :mod:`~generator.codegen.models`
(datamodel-code-generator), :mod:`~generator.codegen.render` (Jinja templates in
``generator/templates``), :mod:`~generator.codegen.fmt` (ruff) and
:mod:`~generator.codegen.pipeline` (generate, write, fingerprint, drift check). The Azure
rules per surface are in :mod:`~generator.codegen.surfaces`.
"""

from typing import Any

__all__ = [
    "GENERATED_DIR",
    "REGENERATE_COMMAND",
    "DriftError",
    "FileDrift",
    "GeneratedPackage",
    "SpecInput",
    "check",
    "generate",
    "generate_package",
    "package_name",
    "spec_file_input",
    "spec_input",
]


def __getattr__(name: str) -> Any:
    # the pipeline (datamodel-code-generator, jinja, ruff) loads on first use: importing
    # generator.codegen.surfaces, as the suite and the emulator do, does not pay for it
    if name in __all__:
        from generator.codegen import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
