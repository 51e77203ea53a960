"""The independent validator that confirms SCHEMA-004's negative cases (issue 11)."""

from __future__ import annotations

from typing import Any

import pytest

from generator.spec import load_spec
from generator.spec.json_schema import request_violations

KEY = frozenset({"api-key", "authorization"})


@pytest.fixture(scope="module")
def v1() -> dict[str, Any]:
    return load_spec("azure-openai-v1").document


@pytest.fixture(scope="module")
def dated() -> dict[str, Any]:
    return load_spec("azure-openai-2024-10-21").document


def _responses(
    document: dict[str, Any], body: Any, query: dict[str, Any] | None = None
) -> list[str]:
    return request_violations(
        document,
        "POST",
        "/responses",
        query=query or {},
        headers={"api-key": "k", "content-type": "application/json"},
        body=body,
        media_type="application/json",
        ignore_headers=KEY,
    )


def test_the_case_that_made_the_gate_flake_is_valid(v1: dict[str, Any]) -> None:
    # issue 11: max_output_tokens is nullable, and unknown query keys are not forbidden
    body = {"model": "gpt-4o-mini", "input": "hi", "max_output_tokens": None, "store": False}
    assert _responses(v1, body, {"\x1f junk": "0", "other": "1"}) == []


def test_a_wrong_type_in_the_body_is_named(v1: dict[str, Any]) -> None:
    found = _responses(v1, {"model": "gpt-4o-mini", "input": "hi", "max_output_tokens": "lots"})
    assert found and found[0].startswith("body/max_output_tokens")


def test_a_body_that_is_not_an_object_is_a_violation(v1: dict[str, Any]) -> None:
    assert _responses(v1, "\x00")


def test_a_declared_query_parameter_is_judged(dated: dict[str, Any]) -> None:
    path = "/deployments/{deployment-id}/chat/completions"
    body = {"messages": [{"role": "user", "content": "hi"}]}

    def check(query: dict[str, Any]) -> list[str]:
        return request_violations(
            dated,
            "POST",
            path,
            query=query,
            headers={},
            body=body,
            media_type="application/json",
            ignore_headers=KEY,
        )

    assert check({"api-version": "2024-10-21"}) == []
    assert check({"api-version": "2024-10-21", "unknown": "x"}) == []
    assert check({}) == ["query parameter 'api-version' is required"]


def test_a_missing_required_body_and_an_undocumented_media_type(v1: dict[str, Any]) -> None:
    def check(body: Any, media: str | None) -> list[str]:
        return request_violations(
            v1,
            "POST",
            "/chat/completions",
            query={},
            headers={},
            body=body,
            media_type=media,
            ignore_headers=KEY,
        )

    assert check(None, None) == ["the request body is required"]
    assert check({"model": "m", "messages": []}, "text/plain") == [
        "media type 'text/plain' is not documented"
    ]
