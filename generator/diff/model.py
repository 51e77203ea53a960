"""The result of a spec diff: changes grouped by operation, each classified by a rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from generator.diff.rules import Rule, rule

__all__ = [
    "Change",
    "OperationDiff",
    "SpecRef",
    "SpecDiff",
    "OperationStatus",
    "CHAT_COMPLETIONS_SUFFIX",
]

OperationStatus = Literal["added", "removed", "changed"]
CHAT_COMPLETIONS_SUFFIX = "/chat/completions"


@dataclass(frozen=True)
class Change:
    """One difference a client can notice."""

    rule_id: str
    location: str  # "operation", "parameter", "request body", "response 200", ...
    path: str  # dotted field path, parameter "query api-version", or "" for the whole thing
    message: str  # one line, human readable
    old: Any = None
    new: Any = None
    children: tuple[str, ...] = ()  # sub-fields that came or went with this one

    @property
    def rule(self) -> Rule:
        return rule(self.rule_id)

    @property
    def breaking(self) -> bool:
        return self.rule.breaking

    def names(self) -> set[str]:
        """Every field/parameter name this change mentions (for searching a changelog)."""
        found: set[str] = set()
        for text in (self.path, *self.children):
            for token in text.replace("[]", ".").replace("{}", ".").split("."):
                if token:
                    found.add(token.split(" ")[-1])
        return found

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule_id,
            "breaking": self.breaking,
            "location": self.location,
            "path": self.path,
            "message": self.message,
        }
        if self.old is not None:
            data["old"] = self.old
        if self.new is not None:
            data["new"] = self.new
        if self.children:
            data["children"] = list(self.children)
        return data


@dataclass
class OperationDiff:
    key: str  # "POST /deployments/{deployment-id}/chat/completions" (path as in the new spec)
    operation_id: str
    status: OperationStatus
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        return any(c.breaking for c in self.changes)

    @property
    def is_chat_completions(self) -> bool:
        return self.key.endswith(CHAT_COMPLETIONS_SUFFIX)

    def sort_key(self) -> tuple[int, str, str]:
        method, _, path = self.key.partition(" ")
        return (0 if self.is_chat_completions else 1, path, method)

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.key,
            "operation_id": self.operation_id,
            "status": self.status,
            "breaking": self.breaking,
            "changes": [c.to_json() for c in self.changes],
        }


@dataclass(frozen=True)
class SpecRef:
    """Which document a side of the diff is."""

    id: str
    api_version: str | None
    sha256: str | None
    origin: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "api_version": self.api_version,
            "sha256": self.sha256,
            "origin": self.origin,
        }


@dataclass
class SpecDiff:
    old: SpecRef
    new: SpecRef
    operations: list[OperationDiff]

    @property
    def changes(self) -> list[Change]:
        return [c for op in self.operations for c in op.changes]

    @property
    def breaking(self) -> bool:
        return any(op.breaking for op in self.operations)

    def operation(self, needle: str) -> OperationDiff | None:
        """The diff of one operation, by operationId, ``METHOD /path`` or path suffix."""
        lowered = needle.lower()
        for op in self.operations:
            if op.operation_id.lower() == lowered or op.key.lower() == lowered:
                return op
        for op in self.operations:
            if op.key.lower().endswith(lowered):
                return op
        return None

    def summary(self) -> dict[str, int]:
        changes = self.changes
        return {
            "breaking": sum(1 for c in changes if c.breaking),
            "non_breaking": sum(1 for c in changes if not c.breaking),
            "operations_added": sum(1 for op in self.operations if op.status == "added"),
            "operations_removed": sum(1 for op in self.operations if op.status == "removed"),
            "operations_changed": sum(1 for op in self.operations if op.status == "changed"),
        }
