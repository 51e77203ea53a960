"""The code generator: normalised spec → ``generated/<package>/``.

Stages, one module each: :mod:`~generator.codegen.prepare` (names for every class-to-be),
:mod:`~generator.codegen.parse` (the typed IR in :mod:`~generator.codegen.ir`, with
problems collected in :mod:`~generator.codegen.problems`), :mod:`~generator.codegen.models`
(datamodel-code-generator), :mod:`~generator.codegen.render` (Jinja templates in
``generator/templates``), :mod:`~generator.codegen.fmt` (ruff) and
:mod:`~generator.codegen.pipeline` (generate, write, fingerprint, drift check). The Azure
rules per surface are in :mod:`~generator.codegen.surfaces`.
"""

from generator.codegen.pipeline import (
    GENERATED_DIR,
    REGENERATE_COMMAND,
    DriftError,
    FileDrift,
    GeneratedPackage,
    SpecInput,
    check,
    generate,
    generate_package,
    package_name,
    spec_file_input,
    spec_input,
)

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
