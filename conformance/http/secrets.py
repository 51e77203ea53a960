"""The one set of a run's credentials: every place that masks or redacts reads it.

A :class:`Secrets` is made with the run's options, seeded with the api key (given or from
the environment), handed to the target, its contexts and the Entra token provider, and
grows while the run lasts: a refreshed Entra token joins it the moment it is issued, so
the response masking, the log redaction and the reports all see it without being told.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from conformance.http.redact import Redactor, mask_secrets

__all__ = ["Secrets", "KEY_ENV_VARS"]

#: The environment variables the SDKs read an api key from (seed 000 §Authentication).
KEY_ENV_VARS = ("AZURE_OPENAI_API_KEY", "OPENAI_API_KEY")


class Secrets:
    """An ordered, growing, thread-safe set of credential values (never printed)."""

    def __init__(self, values: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, None] = {}
        self._redactor: tuple[int, Redactor] | None = None
        self.add(*values)

    def add(self, *values: str | None) -> None:
        """Remember each non-empty value (a value known already keeps its place)."""
        with self._lock:
            for value in values:
                if value:
                    self._values.setdefault(value, None)

    def snapshot(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._values)

    def __iter__(self) -> Iterator[str]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def __contains__(self, value: object) -> bool:
        with self._lock:
            return value in self._values

    def __repr__(self) -> str:  # never the values
        return f"Secrets({len(self)} values)"

    def mask(self, text: str) -> str:
        """``text`` with these exact values (and their encodings) masked (responses)."""
        return mask_secrets(text, self.snapshot())

    def redact(self, text: str) -> str:
        """``text`` redacted for a report or a log: these values and credential shapes."""
        return self.redactor()(text)

    def redactor(self) -> Redactor:
        """A :class:`Redactor` for the values known now (rebuilt only when the set grew)."""
        values = self.snapshot()
        cached = self._redactor
        if cached is None or cached[0] != len(values):
            cached = (len(values), Redactor(values))
            self._redactor = cached
        return cached[1]
