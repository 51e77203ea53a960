"""Spec diff: what changed between two api-versions, and whether it breaks a client.

``diff_specs(old, new)`` compares two normalised specs operation by operation
(parameters, request and response fields, enums, required-ness, types, nullability);
every change is classified by one rule table (:mod:`generator.diff.rules`). Render with
:func:`to_markdown` (a changelog) or :func:`to_json`.
"""

from generator.diff.compare import diff_documents
from generator.diff.flatten import FieldShape, flatten_schema
from generator.diff.model import Change, OperationDiff, SpecDiff, SpecRef
from generator.diff.open import diff_specs, open_spec, spec_ref
from generator.diff.render import JSON_FORMAT, to_json, to_json_text, to_markdown
from generator.diff.rules import RULES, Rule, rules_markdown

__all__ = [
    "JSON_FORMAT",
    "RULES",
    "Change",
    "FieldShape",
    "OperationDiff",
    "Rule",
    "SpecDiff",
    "SpecRef",
    "diff_documents",
    "diff_specs",
    "flatten_schema",
    "open_spec",
    "rules_markdown",
    "spec_ref",
    "to_json",
    "to_json_text",
    "to_markdown",
]
