"""User-facing errors shared by every layer.

Each error carries a one-line message that says what is wrong, where, and how to fix
it, and the documented exit code the CLI maps it to (2: usage or configuration error,
3: target unreachable). The CLI prints ``error: <message>`` and never a traceback.
"""

from __future__ import annotations

__all__ = [
    "AoaiError",
    "UsageError",
    "SpecError",
    "UnknownSpecError",
    "SpecUnavailableError",
    "ShaMismatchError",
    "InvalidSpecError",
    "OverlayError",
]


class AoaiError(Exception):
    """Base of every error a user can cause; ``str(err)`` is a single line."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        # Keep reports and terminals tidy: a user error is always one line.
        super().__init__(" ".join(message.split()))


class UsageError(AoaiError):
    """Bad command-line input or configuration."""


class SpecError(AoaiError):
    """A problem with a registered or user-supplied spec."""


class UnknownSpecError(SpecError):
    """The spec id is not in the registry."""


class SpecUnavailableError(SpecError):
    """No source yielded bytes for the spec."""


class ShaMismatchError(SpecError):
    """Bytes were found, but none matched the pinned sha256."""


class InvalidSpecError(SpecError):
    """The bytes are not a readable OpenAPI 3.x / Swagger 2.0 document."""


class OverlayError(SpecError):
    """An overlay in specs/overlays does not apply to the spec it names."""
