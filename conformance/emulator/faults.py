"""Named faults: each breaks exactly one contract clause (see /work/briefs/clauses.md).

A fault is switched on with ``EmulatorConfig(faults=("no-done",))`` or
``aoai-conformance emulate --fault no-done``; it changes the behaviour of its clause
and nothing else, so that a conformance check can be shown to fail against it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Fault", "FAULTS", "unknown_faults"]


@dataclass(frozen=True)
class Fault:
    name: str
    clause: str
    description: str


_TABLE: tuple[tuple[str, str, str], ...] = (
    (
        "v1-base-dated-path-accepted",
        "ROUTE-001",
        "serves the dated path under the /openai/v1/ base instead of answering 404",
    ),
    (
        "unknown-deployment-400",
        "ROUTE-002",
        "answers an unknown deployment name with 400 (as LiteLLM does) instead of 404",
    ),
    (
        "wrong-path-accepted",
        "ROUTE-003",
        "serves /chat/completion (singular) as if it were /chat/completions",
    ),
    (
        "unsupported-api-version-accepted",
        "APIVER-001",
        "serves an unsupported api-version on the dated surface instead of answering 404",
    ),
    (
        "missing-api-version-accepted",
        "APIVER-002",
        "serves a dated request without api-version instead of answering 404",
    ),
    (
        "v1-accepts-dated-api-version",
        "APIVER-003",
        "accepts a dated api-version query parameter on the v1 surface instead of 400",
    ),
    ("missing-key-accepted", "AUTH-001", "serves requests that carry no credentials at all"),
    ("wrong-key-accepted", "AUTH-002", "serves requests whose api-key is present but wrong"),
    ("key-echoed-in-401", "AUTH-003", "echoes the presented api-key in the 401 message"),
    (
        "bearer-rejected",
        "AUTH-004",
        "rejects valid Entra bearer tokens with 401 (api-key still works)",
    ),
    (
        "error-envelope-apim",
        "ERR-001",
        'error bodies are APIM-style {"statusCode": ..., "message": ...} without "error"',
    ),
    ("no-x-ms-error-code", "ERR-002", "error responses carry no x-ms-error-code header"),
    ("foundry-422-no-detail", "ERR-003", "Foundry 422 bodies carry no detail (loc/value)"),
    (
        "stream-content-type-json",
        "STREAM-001",
        "streams are sent with Content-Type application/json instead of text/event-stream",
    ),
    (
        "stream-bad-json-chunk",
        "STREAM-002",
        'one data: line is invalid JSON ({"delta":{"} as in seed 003\'s example)',
    ),
    (
        "stream-wrong-object",
        "STREAM-003",
        "chunks carry object chat.completion instead of chat.completion.chunk",
    ),
    ("stream-no-role", "STREAM-004", "the first chunk's delta carries no role"),
    ("stream-no-finish-reason", "STREAM-005", "no chunk carries a non-null finish_reason"),
    ("stream-no-usage", "STREAM-006", "stream_options.include_usage is ignored: no usage chunk"),
    ("no-done", "STREAM-007", "the stream ends without data: [DONE]"),
    (
        "temperature-above-max-accepted",
        "BOUND-001",
        "a temperature above the spec's maximum (2) is served instead of answered 400",
    ),
    (
        "stream-single-newline",
        "STREAM-011",
        "stream events end with a single newline instead of a blank line",
    ),
    (
        "stream-bare-keepalive",
        "STREAM-012",
        "the stream opens with a keep-alive line 'ping' that is not a ': ' comment",
    ),
    (
        "responses-content-type-text",
        "RESPONSES-001",
        "Responses API message content parts are labelled 'text' instead of 'output_text'",
    ),
    (
        "responses-incomplete-as-completed",
        "RESPONSES-002",
        "a Responses API answer cut by max_output_tokens is reported status completed",
    ),
    (
        "responses-usage-total-wrong",
        "RESPONSES-003",
        "Responses API usage.total_tokens is off by one",
    ),
    (
        "responses-sequence-repeats",
        "RESPONSES-004",
        "the last event of a Responses API stream repeats the previous sequence_number",
    ),
    ("wrong-object", "RESP-001", "non-stream responses carry object chat.completion.chunk"),
    ("finish-reason-invalid", "RESP-002", "finish_reason 'stop' is reported as 'end_turn'"),
    ("usage-total-wrong", "RESP-003", "usage.total_tokens is off by one"),
    ("n-ignored", "RESP-004", "n is ignored: always one choice"),
    (
        "max-tokens-ignored",
        "RESP-005",
        "max_tokens / max_completion_tokens are ignored: the full answer, finish_reason stop",
    ),
    (
        "tool-arguments-object",
        "RESP-006",
        "tool_calls[].function.arguments is a JSON object instead of a JSON string",
    ),
    ("json-mode-not-json", "RESP-007", "response_format json_object answers plain prose"),
    ("no-retry-after", "RATE-001", "429 responses carry neither Retry-After nor retry-after-ms"),
    (
        "content-filter-200",
        "FILTER-001",
        "a content-filtered prompt is answered 200 with finish_reason content_filter",
    ),
    (
        "foundry-extra-parameters-ignored",
        "FOUNDRY-001",
        "Foundry: unknown body parameters are accepted even with extra-parameters: error",
    ),
    (
        "foundry-drop-rejected",
        "FOUNDRY-002",
        "Foundry: extra-parameters: drop still rejects unknown parameters with 422",
    ),
    (
        "foundry-unknown-deployment-200",
        "FOUNDRY-003",
        "Foundry: an unknown azureml-model-deployment is served by the default deployment",
    ),
    (
        "reasoning-accepts-max-tokens",
        "MODEL-001",
        "the reasoning deployment accepts max_tokens instead of answering 400",
    ),
    (
        "limitation-answered-500",
        "MODEL-002",
        "a documented model limitation (tools sent to DeepSeek-R1 / MAI-DS-R1, which have "
        "no tool support) is answered 500 instead of 400 naming tools",
    ),
)

FAULTS: dict[str, Fault] = {name: Fault(name, clause, text) for name, clause, text in _TABLE}


def unknown_faults(names: tuple[str, ...] | list[str]) -> list[str]:
    """The names that are not registered faults (for a one-line configuration error)."""
    return [n for n in names if n not in FAULTS]
