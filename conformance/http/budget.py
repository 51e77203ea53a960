"""The budget of a run: how many requests and tokens it may spend, and what it spent.

One :class:`Budget` is shared by every surface of a target; :class:`~conformance.http.client.
HttpClient` checks it before each attempt and records the usage every successful answer
reports (chat completions and the Responses API name the counts differently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.model import Spend

__all__ = ["Budget", "BudgetExhausted"]


class BudgetExhausted(Exception):
    """The request or token budget is spent; the clause is inconclusive."""


@dataclass
class Budget:
    """Request and token limits of one run, shared by every surface's context."""

    max_requests: int = 150
    max_tokens_total: int | None = None
    spend: Spend = field(default_factory=Spend)

    def check(self) -> None:
        if self.spend.requests >= self.max_requests:
            raise BudgetExhausted(
                f"request budget exhausted ({self.max_requests} requests; raise --max-requests)"
            )
        if self.max_tokens_total is not None and self.spend.total_tokens >= self.max_tokens_total:
            raise BudgetExhausted(
                f"token budget exhausted ({self.spend.total_tokens} of "
                f"{self.max_tokens_total} tokens; raise --max-tokens-total)"
            )

    def record_usage(self, usage: Any) -> None:
        if not isinstance(usage, dict):
            return
        # chat completions name them prompt/completion, the Responses API input/output
        prompt = usage.get("prompt_tokens", usage.get("input_tokens"))
        completion = usage.get("completion_tokens", usage.get("output_tokens"))
        if isinstance(prompt, int) and not isinstance(prompt, bool):
            self.spend.prompt_tokens += max(prompt, 0)
        if isinstance(completion, int) and not isinstance(completion, bool):
            self.spend.completion_tokens += max(completion, 0)
