"""Named faults: each breaks exactly one contract clause (see /work/briefs/clauses.md).

A fault is switched on with ``EmulatorConfig(faults=("no-done",))`` or
``aoai-conformance emulate --fault no-done``; it changes the behaviour of its clause
and nothing else, so that a conformance check can be shown to fail against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Fault", "FaultEntry", "FAULTS", "unknown_faults"]


class Fault(StrEnum):
    """One member per named fault; the value is the name used on the CLI and in configs."""

    V1_BASE_DATED_PATH_ACCEPTED = "v1-base-dated-path-accepted"
    UNKNOWN_DEPLOYMENT_400 = "unknown-deployment-400"
    WRONG_PATH_ACCEPTED = "wrong-path-accepted"
    UNSUPPORTED_API_VERSION_ACCEPTED = "unsupported-api-version-accepted"
    MISSING_API_VERSION_ACCEPTED = "missing-api-version-accepted"
    V1_ACCEPTS_DATED_API_VERSION = "v1-accepts-dated-api-version"
    MISSING_KEY_ACCEPTED = "missing-key-accepted"
    WRONG_KEY_ACCEPTED = "wrong-key-accepted"
    KEY_ECHOED_IN_401 = "key-echoed-in-401"
    BEARER_REJECTED = "bearer-rejected"
    ERROR_ENVELOPE_APIM = "error-envelope-apim"
    NO_X_MS_ERROR_CODE = "no-x-ms-error-code"
    FOUNDRY_422_NO_DETAIL = "foundry-422-no-detail"
    STREAM_CONTENT_TYPE_JSON = "stream-content-type-json"
    STREAM_BAD_JSON_CHUNK = "stream-bad-json-chunk"
    STREAM_WRONG_OBJECT = "stream-wrong-object"
    STREAM_NO_ROLE = "stream-no-role"
    STREAM_NO_FINISH_REASON = "stream-no-finish-reason"
    STREAM_NO_USAGE = "stream-no-usage"
    NO_DONE = "no-done"
    TEMPERATURE_ABOVE_MAX_ACCEPTED = "temperature-above-max-accepted"
    STREAM_SINGLE_NEWLINE = "stream-single-newline"
    STREAM_BARE_KEEPALIVE = "stream-bare-keepalive"
    RESPONSES_CONTENT_TYPE_TEXT = "responses-content-type-text"
    RESPONSES_INCOMPLETE_AS_COMPLETED = "responses-incomplete-as-completed"
    RESPONSES_USAGE_TOTAL_WRONG = "responses-usage-total-wrong"
    RESPONSES_SEQUENCE_REPEATS = "responses-sequence-repeats"
    WRONG_OBJECT = "wrong-object"
    FINISH_REASON_INVALID = "finish-reason-invalid"
    USAGE_TOTAL_WRONG = "usage-total-wrong"
    N_IGNORED = "n-ignored"
    MAX_TOKENS_IGNORED = "max-tokens-ignored"
    TOOL_ARGUMENTS_OBJECT = "tool-arguments-object"
    JSON_MODE_NOT_JSON = "json-mode-not-json"
    NO_RETRY_AFTER = "no-retry-after"
    CONTENT_FILTER_200 = "content-filter-200"
    FOUNDRY_EXTRA_PARAMETERS_IGNORED = "foundry-extra-parameters-ignored"
    FOUNDRY_DROP_REJECTED = "foundry-drop-rejected"
    FOUNDRY_UNKNOWN_DEPLOYMENT_200 = "foundry-unknown-deployment-200"
    REASONING_ACCEPTS_MAX_TOKENS = "reasoning-accepts-max-tokens"
    LIMITATION_ANSWERED_500 = "limitation-answered-500"


@dataclass(frozen=True)
class FaultEntry:
    """A fault's table entry: its name, the clause it breaks, and what it does."""

    name: str
    clause: str
    description: str


_TABLE: tuple[tuple[Fault, str, str], ...] = (
    (
        Fault.V1_BASE_DATED_PATH_ACCEPTED,
        "ROUTE-001",
        "serves the dated path under the /openai/v1/ base instead of answering 404",
    ),
    (
        Fault.UNKNOWN_DEPLOYMENT_400,
        "ROUTE-002",
        "answers an unknown deployment name with 400 (as LiteLLM does) instead of 404",
    ),
    (
        Fault.WRONG_PATH_ACCEPTED,
        "ROUTE-003",
        "serves /chat/completion (singular) as if it were /chat/completions",
    ),
    (
        Fault.UNSUPPORTED_API_VERSION_ACCEPTED,
        "APIVER-001",
        "serves an unsupported api-version on the dated surface instead of answering 404",
    ),
    (
        Fault.MISSING_API_VERSION_ACCEPTED,
        "APIVER-002",
        "serves a dated request without api-version instead of answering 404",
    ),
    (
        Fault.V1_ACCEPTS_DATED_API_VERSION,
        "APIVER-003",
        "accepts a dated api-version query parameter on the v1 surface instead of 400",
    ),
    (Fault.MISSING_KEY_ACCEPTED, "AUTH-001", "serves requests that carry no credentials at all"),
    (Fault.WRONG_KEY_ACCEPTED, "AUTH-002", "serves requests whose api-key is present but wrong"),
    (Fault.KEY_ECHOED_IN_401, "AUTH-003", "echoes the presented api-key in the 401 message"),
    (
        Fault.BEARER_REJECTED,
        "AUTH-004",
        "rejects valid Entra bearer tokens with 401 (api-key still works)",
    ),
    (
        Fault.ERROR_ENVELOPE_APIM,
        "ERR-001",
        'error bodies are APIM-style {"statusCode": ..., "message": ...} without "error"',
    ),
    (Fault.NO_X_MS_ERROR_CODE, "ERR-002", "error responses carry no x-ms-error-code header"),
    (Fault.FOUNDRY_422_NO_DETAIL, "ERR-003", "Foundry 422 bodies carry no detail (loc/value)"),
    (
        Fault.STREAM_CONTENT_TYPE_JSON,
        "STREAM-001",
        "streams are sent with Content-Type application/json instead of text/event-stream",
    ),
    (
        Fault.STREAM_BAD_JSON_CHUNK,
        "STREAM-002",
        'one data: line is invalid JSON ({"delta":{"} as in seed 003\'s example)',
    ),
    (
        Fault.STREAM_WRONG_OBJECT,
        "STREAM-003",
        "chunks carry object chat.completion instead of chat.completion.chunk",
    ),
    (Fault.STREAM_NO_ROLE, "STREAM-004", "the first chunk's delta carries no role"),
    (Fault.STREAM_NO_FINISH_REASON, "STREAM-005", "no chunk carries a non-null finish_reason"),
    (
        Fault.STREAM_NO_USAGE,
        "STREAM-006",
        "stream_options.include_usage is ignored: no usage chunk",
    ),
    (Fault.NO_DONE, "STREAM-007", "the stream ends without data: [DONE]"),
    (
        Fault.TEMPERATURE_ABOVE_MAX_ACCEPTED,
        "BOUND-001",
        "a temperature above the spec's maximum (2) is served instead of answered 400",
    ),
    (
        Fault.STREAM_SINGLE_NEWLINE,
        "STREAM-011",
        "stream events end with a single newline instead of a blank line",
    ),
    (
        Fault.STREAM_BARE_KEEPALIVE,
        "STREAM-012",
        "the stream opens with a keep-alive line 'ping' that is not a ': ' comment",
    ),
    (
        Fault.RESPONSES_CONTENT_TYPE_TEXT,
        "RESPONSES-001",
        "Responses API message content parts are labelled 'text' instead of 'output_text'",
    ),
    (
        Fault.RESPONSES_INCOMPLETE_AS_COMPLETED,
        "RESPONSES-002",
        "a Responses API answer cut by max_output_tokens is reported status completed",
    ),
    (
        Fault.RESPONSES_USAGE_TOTAL_WRONG,
        "RESPONSES-003",
        "Responses API usage.total_tokens is off by one",
    ),
    (
        Fault.RESPONSES_SEQUENCE_REPEATS,
        "RESPONSES-004",
        "the last event of a Responses API stream repeats the previous sequence_number",
    ),
    (Fault.WRONG_OBJECT, "RESP-001", "non-stream responses carry object chat.completion.chunk"),
    (Fault.FINISH_REASON_INVALID, "RESP-002", "finish_reason 'stop' is reported as 'end_turn'"),
    (Fault.USAGE_TOTAL_WRONG, "RESP-003", "usage.total_tokens is off by one"),
    (Fault.N_IGNORED, "RESP-004", "n is ignored: always one choice"),
    (
        Fault.MAX_TOKENS_IGNORED,
        "RESP-005",
        "max_tokens / max_completion_tokens are ignored: the full answer, finish_reason stop",
    ),
    (
        Fault.TOOL_ARGUMENTS_OBJECT,
        "RESP-006",
        "tool_calls[].function.arguments is a JSON object instead of a JSON string",
    ),
    (Fault.JSON_MODE_NOT_JSON, "RESP-007", "response_format json_object answers plain prose"),
    (
        Fault.NO_RETRY_AFTER,
        "RATE-001",
        "429 responses carry neither Retry-After nor retry-after-ms",
    ),
    (
        Fault.CONTENT_FILTER_200,
        "FILTER-001",
        "a content-filtered prompt is answered 200 with finish_reason content_filter",
    ),
    (
        Fault.FOUNDRY_EXTRA_PARAMETERS_IGNORED,
        "FOUNDRY-001",
        "Foundry: unknown body parameters are accepted even with extra-parameters: error",
    ),
    (
        Fault.FOUNDRY_DROP_REJECTED,
        "FOUNDRY-002",
        "Foundry: extra-parameters: drop still rejects unknown parameters with 422",
    ),
    (
        Fault.FOUNDRY_UNKNOWN_DEPLOYMENT_200,
        "FOUNDRY-003",
        "Foundry: an unknown azureml-model-deployment is served by the default deployment",
    ),
    (
        Fault.REASONING_ACCEPTS_MAX_TOKENS,
        "MODEL-001",
        "the reasoning deployment accepts max_tokens instead of answering 400",
    ),
    (
        Fault.LIMITATION_ANSWERED_500,
        "MODEL-002",
        "a documented model limitation (tools sent to DeepSeek-R1 / MAI-DS-R1, which have "
        "no tool support) is answered 500 instead of 400 naming tools",
    ),
)

FAULTS: dict[str, FaultEntry] = {
    fault.value: FaultEntry(fault.value, clause, text) for fault, clause, text in _TABLE
}


def unknown_faults(names: tuple[str, ...] | list[str]) -> list[str]:
    """The names that are not registered faults (for a one-line configuration error)."""
    return [n for n in names if n not in FAULTS]
