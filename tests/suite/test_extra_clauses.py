"""Clauses beyond the fault table: each passes on the emulator and fails on a broken answer.

The emulator has no named fault for these, so an ASGI wrapper breaks exactly one property
of its answers (tests/suite/helpers.py: ``mutating``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import REGISTRY
from conformance.checks.boundary import CASES
from conformance.emulator import DEFAULT_API_KEY, FAULTS
from conformance.model import Outcome
from tests.suite.helpers import (
    Answer,
    Seen,
    chat_completion,
    ids,
    map_chunks,
    mutating,
    run_emulator,
    stream_answer,
)
from tests.support import requires_mirror

pytestmark = requires_mirror


def _completion(edit: Callable[[dict], None]) -> Callable[[Seen, Answer], None]:
    def mutate(seen: Seen, answer: Answer) -> None:
        if chat_completion(seen, answer):
            body = answer.json
            edit(body)
            answer.set_json(body)

    return mutate


def _chunks(edit: Callable[[int, dict], None]) -> Callable[[Seen, Answer], None]:
    def mutate(seen: Seen, answer: Answer) -> None:
        if stream_answer(seen, answer):
            map_chunks(answer, edit)

    return mutate


def _ignore_stop(seen: Seen, answer: Answer) -> None:
    if chat_completion(seen, answer) and isinstance(seen.body, dict) and seen.body.get("stop"):
        body = answer.json
        body["choices"][0]["message"]["content"] += " " + seen.body["stop"][0]
        answer.set_json(body)


def _no_apim_request_id(seen: Seen, answer: Answer) -> None:
    answer.headers.pop("apim-request-id", None)


def _serve_without_messages(seen: Seen, answer: Answer) -> None:
    if isinstance(seen.body, dict) and "messages" not in seen.body and answer.status in (400, 422):
        answer.status = 200


def _refuse_key_as_bearer(seen: Seen, answer: Answer) -> None:
    if seen.headers.get("authorization") == f"Bearer {DEFAULT_API_KEY}":
        answer.status = 401
        answer.set_json({"error": {"code": "401", "message": "no"}})


def _models_not_list(seen: Seen, answer: Answer) -> None:
    if seen.path == "/openai/v1/models":
        body = answer.json
        body["object"] = "models"
        answer.set_json(body)


def _responses_wrong_object(seen: Seen, answer: Answer) -> None:
    if seen.path == "/openai/v1/responses" and answer.status == 200:
        body = answer.json
        body["object"] = "chat.completion"
        answer.set_json(body)


def _422_without_detail(seen: Seen, answer: Answer) -> None:
    if answer.status == 422:
        body = answer.json
        body.pop("detail", None)
        body["error"].pop("detail", None)
        answer.set_json(body)


def _second_chunk_id(i: int, chunk: dict) -> None:
    if i == 1:
        chunk["id"] = "chatcmpl-other"


def _no_content(i: int, chunk: dict) -> None:
    for choice in chunk.get("choices", []):
        choice["delta"].pop("content", None)


def _set(path: tuple, value: object) -> Callable[[dict], None]:
    def edit(body: dict) -> None:
        node = body
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


BREAKS: dict[str, Callable[[Seen, Answer], None]] = {
    "RESP-008": _completion(_set(("id",), "")),
    "RESP-009": _completion(_set(("created",), "2026-11-22")),
    "RESP-010": _completion(_set(("model",), None)),
    "RESP-011": _completion(_set(("choices", 0, "index"), 3)),
    "RESP-012": _completion(_set(("choices", 0, "message", "role"), "user")),
    "RESP-014": _ignore_stop,
    "RESP-015": _completion(_set(("system_fingerprint",), 42)),
    "RESP-016": _completion(_set(("usage", "prompt_tokens"), -1)),
    "RESP-017": _completion(
        lambda b: (
            b["choices"][0]["message"].get("tool_calls")
            and b["choices"][0]["message"]["tool_calls"][0].update(type="tool")
        )
    ),
    "HDR-001": _no_apim_request_id,
    "STREAM-008": _chunks(_second_chunk_id),
    "STREAM-009": _chunks(lambda i, c: c.update(created="now")),
    "STREAM-010": _chunks(_no_content),
    "ERR-003": _422_without_detail,
    "ERR-004": _serve_without_messages,
    "AUTH-005": _refuse_key_as_bearer,
    "V1-001": _models_not_list,
    "V1-002": _responses_wrong_object,
}


def _content_type_text(seen: Seen, answer: Answer) -> None:
    if chat_completion(seen, answer):
        answer.headers["content-type"] = "text/plain"


BREAKS["RESP-013"] = _content_type_text


def _chat_server_error(seen: Seen, answer: Answer) -> None:
    if chat_completion(seen, answer):
        answer.status = 500
        answer.set_json({"error": {"code": "InternalServerError", "message": "boom"}})


BREAKS["SRV-001"] = _chat_server_error


def _boundary_accepted(seen: Seen, answer: Answer) -> None:
    # a target that serves the invalid request of a boundary case (BOUND-*)
    if seen.path.endswith("/chat/completions") and answer.status in (400, 422):
        answer.status = 200
        answer.headers["content-type"] = "application/json"
        answer.set_json({"object": "chat.completion", "choices": []})


BREAKS.update({cid: _boundary_accepted for cid in CASES if cid not in BREAKS})


def test_every_clause_has_a_failing_case() -> None:
    # SCHEMA-* (the schemathesis phase's clauses) fail in tests/schemathesis_phase
    catalog = {c.id for c in REGISTRY if c.phase != "schemathesis"}
    covered = set(BREAKS) | {f.clause for f in FAULTS.values()} | {"PROFILE-001"}
    assert catalog <= covered, sorted(catalog - covered)


@pytest.mark.parametrize("clause", sorted(BREAKS))
def test_clause_passes_then_fails_when_broken(clause: str) -> None:
    clean = run_emulator(select=(clause,))
    assert ids(clean, Outcome.PASSED) == {clause}, [(f.surface, f.reason) for f in clean.findings]
    broken = run_emulator(select=(clause,), wrap_app=mutating(BREAKS[clause]))
    assert ids(broken, Outcome.FAILED) == {clause}, [(f.surface, f.reason) for f in broken.findings]
    assert broken.exit_code() == 1


def test_full_run_with_one_break_fails_only_that_clause() -> None:
    result = run_emulator(wrap_app=mutating(BREAKS["STREAM-008"]))
    assert ids(result, Outcome.FAILED) == {"STREAM-008"}
