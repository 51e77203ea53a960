"""The run's token spend counts the Responses API's usage as well as chat's."""

from __future__ import annotations

import json

from conformance.run.context import Budget, Exchange, RunContext


def _exchange(text: str, content_type: str) -> Exchange:
    return Exchange("POST", "http://x/", {}, None, 200, {"content-type": content_type}, text)


def test_usage_of_chat_and_responses_answers_is_counted() -> None:
    budget = Budget()
    ctx = RunContext(base_url="http://x", surface="v1", deployment="d", client=None, budget=budget)  # type: ignore[arg-type]
    ctx._count_tokens(
        _exchange(
            json.dumps({"usage": {"input_tokens": 5, "output_tokens": 7}}), "application/json"
        )
    )
    completed = {
        "type": "response.completed",
        "response": {"usage": {"input_tokens": 2, "output_tokens": 3}},
    }
    chunk = {"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}
    stream = (
        f"data: {json.dumps(chunk)}\n\nevent: response.completed\ndata: {json.dumps(completed)}\n\n"
    )
    ctx._count_tokens(_exchange(stream, "text/event-stream"))
    assert (budget.spend.prompt_tokens, budget.spend.completion_tokens) == (8, 11)
