"""Parsing problems collected as values, reported together (strict mode: fail on any).

Each problem says where it is (a JSON pointer into the normalised spec), what is wrong,
what the generator did about it (the consequence) and how a user fixes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from generator.errors import AoaiError

__all__ = ["Problem", "Problems", "StrictModeError"]

# info: reported, never fails --strict; warning: fails --strict; error: something is left out.
Severity = Literal["info", "warning", "error"]


@dataclass(frozen=True, order=True)
class Problem:
    location: str
    message: str
    consequence: str
    fix: str
    severity: Severity = "warning"

    def describe(self) -> str:
        return f"{self.location}: {self.message}; {self.consequence}; fix: {self.fix}"


@dataclass
class Problems:
    """An ordered, de-duplicated collection of problems for one spec."""

    spec_id: str
    items: list[Problem] = field(default_factory=list)

    def add(
        self,
        location: str,
        message: str,
        *,
        consequence: str,
        fix: str,
        severity: Severity = "warning",
    ) -> None:
        problem = Problem(location, message, consequence, fix, severity)
        if problem not in self.items:
            self.items.append(problem)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    def failing(self) -> list[Problem]:
        """What ``--strict`` fails on: warnings and errors (not info)."""
        return [p for p in self.items if p.severity != "info"]


class StrictModeError(AoaiError):
    """``generate --strict`` and the spec produced parsing problems."""

    exit_code = 1
