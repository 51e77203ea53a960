"""Typed models: pydantic v2 classes from the prepared spec, via datamodel-code-generator.

The prepared spec (see :mod:`generator.codegen.prepare`) has a chosen name for every
schema that becomes a class, so dcg's own naming never has to invent one. Options are
fixed here, in one place, and documented: they are part of the generator's fingerprint.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

__all__ = ["EXTRA_FIELDS_ALLOWED", "dcg_options", "render_models"]

# Services send fields newer than the spec; the shared base model keeps them
# (``extra="allow"``) so payloads round-trip. ``prepare`` relies on this to drop
# ``additionalProperties: true`` (which would only restate it on one class).
EXTRA_FIELDS_ALLOWED = True


@functools.lru_cache(maxsize=1)
def dcg_options() -> dict[str, Any]:
    """The options every package is generated with (dcg is imported only when needed)."""
    import datamodel_code_generator as dcg
    from datamodel_code_generator.enums import DataModelType

    return {
        "input_file_type": dcg.InputFileType.OpenAPI,
        "output_model_type": DataModelType.PydanticV2BaseModel,
        "target_python_version": dcg.PythonVersion.PY_311,
        # Enums become Literal types: no Role1/Type2 classes, and values stay plain strings.
        "enum_field_as_literal": dcg.LiteralType.All,
        # Constraints in Field(...) rather than conint()/constr() annotations (mypy-friendly).
        "field_constraints": True,
        # required + nullable stays required-but-None-allowed, as the spec says.
        "strict_nullable": True,
        "allow_extra_fields": EXTRA_FIELDS_ALLOWED,
        "allow_population_by_field_name": True,
        # One generated ``BaseModel`` (subclass of pydantic's) carries the model_config
        # above; every object class inherits from it instead of repeating the config.
        "use_generic_base_class": True,
        "use_schema_description": True,
        # Defaults of enum-typed fields are enum members, not bare strings (mypy --strict).
        "set_default_enum_member": True,
        "use_double_quotes": True,
        # Constraints and descriptions in Annotated[...] (types stay readable for mypy).
        "use_annotated": True,
        "disable_timestamp": True,
        # No dcg formatter: ruff formats the whole package afterwards (generator.codegen.fmt).
        "formatters": [],
    }


def render_models(document: dict[str, Any], header: str) -> str:
    """The source of ``models.py`` for a prepared document (not yet ruff-formatted)."""
    with warnings.catch_warnings():
        # dcg warns about unknown string formats and its future defaults; the output is
        # checked by the tests (import, mypy --strict, ruff, round-trips) instead.
        warnings.simplefilter("ignore")
        import datamodel_code_generator as dcg

        out = dcg.generate(document, custom_file_header=header, **dcg_options())
    if not isinstance(out, str):  # pragma: no cover - only with dotted names left over
        raise TypeError("datamodel-code-generator produced a package instead of one module")
    return out
