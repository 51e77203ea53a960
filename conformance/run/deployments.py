"""Several deployments in one run: per-deployment clauses for each, the budget split fairly.

``run_target`` runs a surface's *target* clauses once (on the first deployment) and hands
the *deployment* clauses (``conformance.checks.scope``) to :func:`run_deployments`, which
runs them for every deployment, each on a context of its own (own cache, own probe of the
basic completion, so a reasoning deployment switches to ``max_completion_tokens`` alone)
that shares the target's client, retry policy and circuit breaker.

Fair budget: when a surface's deployment clauses start, what is left of the run's request
(and token) budget is split equally; each deployment may spend at most its share there
(:class:`ShareBudget`), so an expensive first deployment cannot starve the last. What a
deployment leaves unspent stays in the run's budget for the next surface.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from conformance.http.budget import Budget, BudgetExhausted
from conformance.model import Finding, Spend
from conformance.run.context import RunContext

__all__ = ["ShareBudget", "run_deployments"]


@dataclass
class ShareBudget(Budget):
    """One deployment's share of the run's budget: the run's limits and spend (the same
    ``Spend`` object, so the report's totals are the run's), plus a cap on what is spent
    through this share."""

    parent: Budget = field(default_factory=Budget)
    name: str = ""
    share_requests: int = 1
    share_tokens: int | None = None
    _start: Spend = field(default_factory=Spend)

    def __post_init__(self) -> None:
        self.max_requests = self.parent.max_requests
        self.max_tokens_total = self.parent.max_tokens_total
        self.spend = self.parent.spend
        self._start = replace(self.parent.spend)

    def check(self) -> None:
        self.parent.check()
        used = self.spend.requests - self._start.requests
        if used >= self.share_requests:
            raise BudgetExhausted(
                f"deployment {self.name!r} spent its share of the request budget "
                f"({self.share_requests} requests; raise --max-requests)"
            )
        if self.share_tokens is not None:
            tokens = self.spend.total_tokens - self._start.total_tokens
            if tokens >= self.share_tokens:
                raise BudgetExhausted(
                    f"deployment {self.name!r} spent its share of the token budget "
                    f"({self.share_tokens} tokens; raise --max-tokens-total)"
                )


RunCheck = Callable[[RunContext], Iterator[Finding]]


def run_deployments(
    ctx: RunContext,
    deployments: tuple[str, ...],
    initial_token_param: str,
    run: Callable[[RunContext, bool], Iterator[Finding]],
) -> Iterator[Finding]:
    """For each deployment: a context of its own with a fair budget share, then ``run``
    (given whether the context still needs its basic-completion probe); every finding
    it yields is labelled with the deployment."""
    budget = ctx.http.budget
    left = max(budget.max_requests - budget.spend.requests, 0)
    share = max(left // len(deployments), 1)
    tokens = None
    if budget.max_tokens_total is not None:
        tokens = max((budget.max_tokens_total - budget.spend.total_tokens) // len(deployments), 1)
    for index, name in enumerate(deployments):
        own = ShareBudget(parent=budget, name=name, share_requests=share, share_tokens=tokens)
        if index == 0:
            # the surface's own context: its probe (and the cache it filled) is this one's
            dctx = replace(ctx, http=replace(ctx.http, budget=own, server_errors={}))
        else:
            dctx = replace(
                ctx,
                http=replace(ctx.http, budget=own, exchanges=[], server_errors={}),
                deployment=name,
                cache={},
                token_param=initial_token_param,
            )
        for finding in run(dctx, index > 0):
            yield replace(finding, deployment=name)
