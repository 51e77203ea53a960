"""The run's token spend counts the Responses API's usage as well as chat's."""

from __future__ import annotations

import json

from conformance.http.budget import Budget
from conformance.http.client import Exchange, HttpClient


def _exchange(text: str, content_type: str) -> Exchange:
    return Exchange("POST", "http://x/", {}, None, 200, {"content-type": content_type}, text)


def test_usage_of_chat_and_responses_answers_is_counted() -> None:
    budget = Budget()
    http = HttpClient(base_url="http://x", client=None, budget=budget)
    http.count_tokens(
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
    http.count_tokens(_exchange(stream, "text/event-stream"))
    assert (budget.spend.prompt_tokens, budget.spend.completion_tokens) == (8, 11)
