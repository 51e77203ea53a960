"""The one table that decides whether a spec change breaks a client.

"Client" means code written against the *old* spec (or a client generated from it):
it sends requests the old spec allowed and reads responses the old spec described.
A change is **breaking** when such code can stop working against the new spec: a
request it builds is now rejected, a value it reads is no longer there, or a response
value no longer fits the (generated, closed) types it parses into.

The README ("New api-version workflow") prints the same table; a test keeps the two
in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Direction", "Rule", "RULES", "rule", "rules_markdown"]

Direction = Literal["request", "response", "operation", "any"]


@dataclass(frozen=True)
class Rule:
    """One kind of change on one side of the wire, and whether it breaks a client."""

    id: str
    direction: Direction
    change: str  # what changed, in words
    breaking: bool
    why: str


RULES: tuple[Rule, ...] = (
    # Operations
    Rule(
        "operation-removed",
        "operation",
        "operation removed",
        True,
        "calls to it fail (404) and generated methods disappear",
    ),
    Rule("operation-added", "operation", "operation added", False, "nothing existing changes"),
    # Parameters (path, query, header, cookie) and the request body
    Rule(
        "parameter-removed",
        "request",
        "parameter removed",
        True,
        "callers passing it lose the argument; the server may reject it",
    ),
    Rule(
        "parameter-added-required",
        "request",
        "required parameter added",
        True,
        "existing calls do not send it and are rejected",
    ),
    Rule(
        "parameter-added-optional",
        "request",
        "optional parameter added",
        False,
        "existing calls stay valid",
    ),
    Rule(
        "request-field-removed",
        "request",
        "request field removed",
        True,
        "callers that set it break (generated models lose the attribute)",
    ),
    Rule(
        "request-field-added-required",
        "request",
        "required request field added",
        True,
        "existing requests lack it and are rejected",
    ),
    Rule(
        "request-field-added-optional",
        "request",
        "optional request field added",
        False,
        "existing requests stay valid",
    ),
    Rule(
        "request-became-required",
        "request",
        "parameter/field/body became required",
        True,
        "requests that omit it are rejected",
    ),
    Rule(
        "request-became-optional",
        "request",
        "parameter/field/body became optional",
        False,
        "requests that send it stay valid",
    ),
    Rule(
        "request-enum-narrowed",
        "request",
        "enum values removed (request)",
        True,
        "requests using a removed value are rejected",
    ),
    Rule(
        "request-enum-widened",
        "request",
        "enum values added or enum opened (request)",
        False,
        "every old value is still accepted",
    ),
    Rule(
        "request-type-widened",
        "request",
        "type widened (request), e.g. string → string|array",
        False,
        "every old value is still accepted",
    ),
    Rule(
        "request-type-changed",
        "request",
        "type changed or narrowed (request)",
        True,
        "values of the old type are rejected",
    ),
    Rule(
        "request-nullable-added",
        "request",
        "became nullable (request)",
        False,
        "non-null values are still accepted",
    ),
    Rule(
        "request-nullable-removed",
        "request",
        "no longer nullable (request)",
        True,
        "requests sending null are rejected",
    ),
    Rule(
        "request-media-type-removed",
        "request",
        "request content type removed",
        True,
        "requests in that content type are rejected",
    ),
    Rule(
        "request-media-type-added",
        "request",
        "request content type added",
        False,
        "the old content types still work",
    ),
    # Responses
    Rule(
        "response-removed",
        "response",
        "success (2xx) response removed",
        True,
        "clients expecting it get an undescribed status",
    ),
    Rule(
        "response-error-removed",
        "response",
        "non-2xx response removed",
        False,
        "errors fall back to the default/error handling",
    ),
    Rule(
        "response-added",
        "response",
        "response status added",
        False,
        "a new status is described; old ones are unchanged",
    ),
    Rule(
        "response-media-type-removed",
        "response",
        "response content type removed",
        True,
        "clients parsing that content type no longer get it",
    ),
    Rule(
        "response-media-type-added",
        "response",
        "response content type added",
        False,
        "old content types are still served",
    ),
    Rule(
        "response-field-removed",
        "response",
        "response field removed",
        True,
        "clients reading it get nothing (generated models lose the attribute)",
    ),
    Rule(
        "response-field-added",
        "response",
        "response field added",
        False,
        "clients ignore fields they do not know",
    ),
    Rule(
        "response-became-optional",
        "response",
        "response field no longer required",
        True,
        "clients relying on its presence break",
    ),
    Rule(
        "response-became-required",
        "response",
        "response field became required",
        False,
        "clients get a value they already handled",
    ),
    Rule(
        "response-enum-widened",
        "response",
        "enum values added or enum opened (response)",
        True,
        "closed (Literal) enums in generated models reject the new value",
    ),
    Rule(
        "response-enum-narrowed",
        "response",
        "enum values removed (response)",
        False,
        "clients still understand every value they receive",
    ),
    Rule(
        "response-type-narrowed",
        "response",
        "type narrowed (response)",
        False,
        "every value received fits the old type",
    ),
    Rule(
        "response-type-changed",
        "response",
        "type changed or widened (response)",
        True,
        "values of the new type do not fit the old model",
    ),
    Rule(
        "response-nullable-added",
        "response",
        "became nullable (response)",
        True,
        "clients that do not expect null break",
    ),
    Rule(
        "response-nullable-removed",
        "response",
        "no longer nullable (response)",
        False,
        "clients get a value they already handled",
    ),
    Rule(
        "response-header-removed",
        "response",
        "response header removed",
        True,
        "clients reading it (e.g. a request id for support) get nothing",
    ),
    Rule(
        "response-header-added",
        "response",
        "response header added",
        False,
        "clients ignore headers they do not know",
    ),
    # Informational
    Rule(
        "default-changed",
        "request",
        "default value changed",
        False,
        "requests stay valid; behaviour when omitted changes (worth a note)",
    ),
    Rule(
        "deprecated",
        "any",
        "operation, parameter or field marked deprecated",
        False,
        "it still works; plan the migration",
    ),
)

_BY_ID = {r.id: r for r in RULES}
if len(_BY_ID) != len(RULES):  # pragma: no cover - guards the table itself
    raise RuntimeError("duplicate rule id in generator.diff.rules.RULES")


def rule(rule_id: str) -> Rule:
    """Look a rule up by id (a KeyError here is a bug in the diff engine)."""
    return _BY_ID[rule_id]


def rules_markdown() -> str:
    """The rule table as Markdown, as the README shows it."""
    lines = [
        "| rule | side | change | breaking | why |",
        "|---|---|---|---|---|",
    ]
    for r in RULES:
        mark = "**yes**" if r.breaking else "no"
        lines.append(f"| `{r.id}` | {r.direction} | {r.change} | {mark} | {r.why} |")
    return "\n".join(lines)
