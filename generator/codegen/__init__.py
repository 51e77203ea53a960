"""The code generator: normalised spec → ``generated/<package>/``.

Stages, one module each: :mod:`~generator.codegen.prepare` (names for every class-to-be),
:mod:`~generator.codegen.parse` (the typed IR in :mod:`~generator.codegen.ir`, with
problems collected in :mod:`~generator.codegen.problems`), :mod:`~generator.codegen.models`
(datamodel-code-generator), :mod:`~generator.codegen.render` (Jinja templates in
``generator/templates``), :mod:`~generator.codegen.fmt` (ruff) and
:mod:`~generator.codegen.pipeline` (generate, write, fingerprint, drift check). The Azure
rules per surface are in :mod:`~generator.codegen.surfaces`.

Nothing is re-exported here: importing the package (as the suite and the emulator do for
:mod:`~generator.codegen.surfaces`) loads no pipeline, datamodel-code-generator or ruff;
callers import :mod:`generator.codegen.pipeline` by name.
"""
