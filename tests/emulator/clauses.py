"""A small, independent reading of each contract clause (clauses.md) as a predicate.

Used to show that the emulator conforms by default and that each fault breaks exactly
its own clause. Deliberately separate from conformance/checks: the emulator's tests must
not depend on the suite they serve. A clause that inspects ``error.code`` only does so
when the answer has an error object at all (a missing envelope is ERR-001's divergence).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from conformance.emulator import CONTENT_FILTER_TRIGGER
from conformance.emulator.tokens import mint_token

__all__ = ["CLAUSE_PROBES", "evaluate", "sse_data"]

KEY_HEADERS = {"api-key": "emulator-key-0000"}
DATED = "/openai/deployments/{d}/chat/completions?api-version=2024-10-21"
V1 = "/openai/v1/chat/completions"
FOUNDRY = "/models/chat/completions?api-version=2024-05-01-preview"
HELLO = [{"role": "user", "content": "Tell me a long story about rivers"}]
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
SECRET_KEY = "wrong-key-SECRET-4711"

Probe = Callable[[httpx.Client, str], bool]


def _post(client: httpx.Client, url: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return client.post(url, json=body, headers={**KEY_HEADERS, **headers})


def _chat(client: httpx.Client, **body: Any) -> httpx.Response:
    return _post(client, DATED.format(d="gpt-4o-mini"), {"messages": HELLO, **body})


def sse_data(text: str) -> list[str]:
    """The ``data:`` payloads of an SSE body, in order."""
    return [line[len("data: ") :] for line in text.split("\n") if line.startswith("data: ")]


def _chunks(text: str) -> list[dict[str, Any]]:
    out = []
    for data in sse_data(text):
        if data == "[DONE]":
            continue
        try:
            out.append(json.loads(data))
        except json.JSONDecodeError:
            continue
    return out


def _error(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return (
        body.get("error")
        if isinstance(body, dict) and isinstance(body.get("error"), dict)
        else None
    )


def _stream(client: httpx.Client) -> httpx.Response:
    return _chat(client, stream=True, stream_options={"include_usage": True})


def _errors(client: httpx.Client) -> list[httpx.Response]:
    # errors that only the ERR-* faults alter (a 401 would also move with AUTH-* faults)
    return [
        _chat(client, messages="not a list"),  # 400
        client.post("/openai/nowhere", json={}, headers=KEY_HEADERS),  # 404
        client.get(DATED.format(d="gpt-4o-mini"), headers=KEY_HEADERS),  # 405
        _post(client, FOUNDRY, {"messages": "x"}),  # 422
    ]


def _usage_chunk_ok(chunks: list[dict[str, Any]]) -> bool:
    for chunk in chunks:
        usage = chunk.get("usage")
        if chunk.get("choices") == [] and isinstance(usage, dict):
            # the totals are there (their arithmetic is RESP-003's business)
            keys = ("prompt_tokens", "completion_tokens", "total_tokens")
            return all(isinstance(usage.get(k), int) for k in keys)
    return False


def _filter_ok(client: httpx.Client) -> bool:
    r = _chat(client, messages=[{"role": "user", "content": f"x {CONTENT_FILTER_TRIGGER}"}])
    error = _error(r)
    return r.status_code == 400 and (
        error is None and "error" not in r.text or (error or {}).get("code") == "content_filter"
    )


def _model_ok(client: httpx.Client) -> bool:
    url = DATED.format(d="gpt-5.1-mini")
    rejected = _post(client, url, {"messages": HELLO, "max_tokens": 5})
    accepted = _post(client, url, {"messages": HELLO, "max_completion_tokens": 50})
    return (
        rejected.status_code == 400
        and "max_tokens" in rejected.text
        and accepted.status_code == 200
    )


def _rate_ok(client: httpx.Client) -> bool:
    url = DATED.format(d="tiny-quota")
    answers = [_post(client, url, {"messages": HELLO}) for _ in range(3)]
    last = answers[-1]
    has_hint = "retry-after" in last.headers or "retry-after-ms" in last.headers
    return [a.status_code for a in answers] == [200, 200, 429] and has_hint


def _tool_ok(client: httpx.Client) -> bool:
    r = _chat(
        client, tools=[TOOL], tool_choice={"type": "function", "function": {"name": "get_weather"}}
    )
    choice = r.json()["choices"][0]
    args = choice["message"]["tool_calls"][0]["function"]["arguments"]
    return (
        isinstance(args, str)
        and isinstance(json.loads(args), dict)
        and choice["finish_reason"] == "tool_calls"
    )


def _json_mode_ok(client: httpx.Client) -> bool:
    r = _chat(client, response_format={"type": "json_object"})
    try:
        return isinstance(json.loads(r.json()["choices"][0]["message"]["content"]), dict)
    except ValueError:
        return False


CLAUSE_PROBES: dict[str, Probe] = {}


def clause(clause_id: str) -> Callable[[Probe], Probe]:
    def register(probe: Probe) -> Probe:
        CLAUSE_PROBES[clause_id] = probe
        return probe

    return register


def _hello(client: httpx.Client, url: str, **headers: str) -> httpx.Response:
    return _post(client, url, {"messages": HELLO}, **headers)


def _dated_url(version: str | None, path: str = "chat/completions") -> str:
    url = f"/openai/deployments/gpt-4o-mini/{path}"
    return url if version is None else f"{url}?api-version={version}"


@clause("ROUTE-001")
def route_v1_base(c: httpx.Client, _: str) -> bool:
    return (
        _hello(
            c, "/openai/v1/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
        ).status_code
        == 404
    )


@clause("ROUTE-002")
def route_unknown_deployment(c: httpx.Client, _: str) -> bool:
    return _hello(c, DATED.format(d="no-such-deployment")).status_code == 404


@clause("ROUTE-003")
def route_wrong_path(c: httpx.Client, _: str) -> bool:
    return _hello(c, _dated_url("2024-10-21", "chat/completion")).status_code == 404


@clause("APIVER-001")
def apiver_unsupported(c: httpx.Client, _: str) -> bool:
    return _hello(c, _dated_url("2023-01-01-nope")).status_code == 404


@clause("APIVER-002")
def apiver_missing(c: httpx.Client, _: str) -> bool:
    return _hello(c, _dated_url(None)).status_code == 404


@clause("APIVER-003")
def apiver_v1_dated(c: httpx.Client, _: str) -> bool:
    body = {"model": "gpt-4o-mini", "messages": HELLO}
    return _post(c, V1 + "?api-version=2025-04-01-preview", body).status_code == 400


def _no_key(c: httpx.Client, **headers: str) -> httpx.Response:
    return c.post(DATED.format(d="gpt-4o-mini"), json={"messages": HELLO}, headers=headers)


@clause("AUTH-001")
def auth_missing(c: httpx.Client, _: str) -> bool:
    return _no_key(c).status_code == 401


@clause("AUTH-002")
def auth_wrong(c: httpx.Client, _: str) -> bool:
    return _no_key(c, **{"api-key": "wrong"}).status_code == 401


@clause("AUTH-003")
def auth_no_echo(c: httpx.Client, _: str) -> bool:
    r = _no_key(c, **{"api-key": SECRET_KEY})
    return SECRET_KEY not in r.text and all(SECRET_KEY not in v for v in r.headers.values())


@clause("AUTH-004")
def auth_bearer(c: httpx.Client, secret: str) -> bool:
    return _no_key(c, Authorization="Bearer " + mint_token(secret)).status_code == 200


@clause("ERR-001")
def err_envelope(c: httpx.Client, _: str) -> bool:
    for r in _errors(c):
        e = _error(r)
        if not (e and isinstance(e.get("code"), str) and isinstance(e.get("message"), str)):
            return False
    return True


@clause("ERR-002")
def err_header(c: httpx.Client, _: str) -> bool:
    return all("x-ms-error-code" in r.headers for r in _errors(c))


@clause("ERR-003")
def err_foundry_detail(c: httpx.Client, _: str) -> bool:
    r = _post(c, FOUNDRY, {"messages": "x"})
    detail = r.json().get("detail") or (_error(r) or {}).get("detail") or {}
    return r.status_code == 422 and "loc" in detail and "value" in detail


@clause("STREAM-001")
def stream_content_type(c: httpx.Client, _: str) -> bool:
    return _stream(c).headers["content-type"].startswith("text/event-stream")


@clause("STREAM-002")
def stream_json(c: httpx.Client, _: str) -> bool:
    return all(_is_json(d) for d in sse_data(_stream(c).text) if d != "[DONE]")


@clause("STREAM-003")
def stream_object(c: httpx.Client, _: str) -> bool:
    return all(ch.get("object") == "chat.completion.chunk" for ch in _chunks(_stream(c).text))


@clause("STREAM-004")
def stream_role(c: httpx.Client, _: str) -> bool:
    return _chunks(_stream(c).text)[0]["choices"][0]["delta"].get("role") == "assistant"


@clause("STREAM-005")
def stream_finish(c: httpx.Client, _: str) -> bool:
    chunks = _chunks(_stream(c).text)
    return any(choice.get("finish_reason") for ch in chunks for choice in ch["choices"])


@clause("STREAM-006")
def stream_usage(c: httpx.Client, _: str) -> bool:
    return _usage_chunk_ok(_chunks(_stream(c).text))


@clause("STREAM-007")
def stream_done(c: httpx.Client, _: str) -> bool:
    return sse_data(_stream(c).text)[-1] == "[DONE]"


@clause("STREAM-011")
def stream_blank_lines(c: httpx.Client, _: str) -> bool:
    # every event is "data: ..." + an empty line; the body ends with that empty line
    text = _stream(c).text
    blocks = text.split("\n\n")
    return text.endswith("\n\n") and all(b.count("\n") == 0 for b in blocks if b)


@clause("STREAM-012")
def stream_known_fields(c: httpx.Client, _: str) -> bool:
    lines = [line for line in _stream(c).text.split("\n") if line]
    return all(line.startswith((":", "data:", "event:", "id:", "retry:")) for line in lines)


@clause("BOUND-001")
def boundary_temperature(c: httpx.Client, _: str) -> bool:
    return _chat(c, temperature=2.5, max_tokens=5).status_code == 400


def _responses(c: httpx.Client, **body: Any) -> httpx.Response:
    payload = {"model": "gpt-4o-mini", "input": "Say hello.", "max_output_tokens": 16, **body}
    return _post(c, "/openai/v1/responses", payload)


def _responses_events(c: httpx.Client) -> list[dict[str, Any]]:
    return [json.loads(d) for d in sse_data(_responses(c, stream=True).text)]


@clause("RESPONSES-001")
def responses_types(c: httpx.Client, _: str) -> bool:
    final = _responses_events(c)[-1]["response"]
    return all(
        item["type"] == "message" and [p["type"] for p in item["content"]] == ["output_text"]
        for body in (_responses(c).json(), final)
        for item in body["output"]
    )


@clause("RESPONSES-002")
def responses_status(c: httpx.Client, _: str) -> bool:
    cut = _responses(c, input="Describe the water cycle in detail, in at least three paragraphs.")
    body = cut.json()
    return body["status"] == "incomplete" and body["incomplete_details"] == {
        "reason": "max_output_tokens"
    }


@clause("RESPONSES-003")
def responses_usage(c: httpx.Client, _: str) -> bool:
    usage = _responses(c).json()["usage"]
    return usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


@clause("RESPONSES-004")
def responses_sequence(c: httpx.Client, _: str) -> bool:
    numbers = [e["sequence_number"] for e in _responses_events(c)]
    return numbers == list(range(len(numbers)))


@clause("RESP-001")
def resp_object(c: httpx.Client, _: str) -> bool:
    return _chat(c).json()["object"] == "chat.completion"


@clause("RESP-002")
def resp_finish(c: httpx.Client, _: str) -> bool:
    choices = _chat(c).json()["choices"] + _chat(c, max_tokens=1).json()["choices"]
    return all(
        ch["finish_reason"] in ("stop", "length", "content_filter", "tool_calls") for ch in choices
    )


@clause("RESP-003")
def resp_usage(c: httpx.Client, _: str) -> bool:
    usage = _chat(c).json()["usage"]
    return usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


@clause("RESP-004")
def resp_n(c: httpx.Client, _: str) -> bool:
    return [ch["index"] for ch in _chat(c, n=2).json()["choices"]] == [0, 1]


@clause("RESP-005")
def resp_max_tokens(c: httpx.Client, _: str) -> bool:
    body = _chat(c, max_tokens=1).json()
    return (
        body["choices"][0]["finish_reason"] == "length" and body["usage"]["completion_tokens"] <= 1
    )


@clause("RESP-006")
def resp_tool(c: httpx.Client, _: str) -> bool:
    return _tool_ok(c)


@clause("RESP-007")
def resp_json_mode(c: httpx.Client, _: str) -> bool:
    return _json_mode_ok(c)


@clause("RATE-001")
def rate(c: httpx.Client, _: str) -> bool:
    return _rate_ok(c)


@clause("FILTER-001")
def content_filter(c: httpx.Client, _: str) -> bool:
    return _filter_ok(c)


def _foundry_extra(c: httpx.Client, mode: str) -> httpx.Response:
    body = {"messages": HELLO, "unknown_knob": 1}
    return _post(c, FOUNDRY, body, **{"extra-parameters": mode})


@clause("FOUNDRY-001")
def foundry_extra_error(c: httpx.Client, _: str) -> bool:
    r = _foundry_extra(c, "error")
    return r.status_code in (400, 422) and "unknown_knob" in r.text


@clause("FOUNDRY-002")
def foundry_extra_drop(c: httpx.Client, _: str) -> bool:
    return _foundry_extra(c, "drop").status_code == 200


@clause("FOUNDRY-003")
def foundry_unknown_deployment(c: httpx.Client, _: str) -> bool:
    r = _hello(c, FOUNDRY, **{"azureml-model-deployment": "no-such"})
    return r.status_code in (400, 404)


@clause("MODEL-001")
def model_reasoning(c: httpx.Client, _: str) -> bool:
    return _model_ok(c)


@clause("MODEL-002")
def model_limitation(c: httpx.Client, _: str) -> bool:
    # DeepSeek-R1 documents no tool support: tools are refused with 400 naming them
    r = _post(c, V1, {"model": "DeepSeek-R1", "messages": HELLO, "tools": [TOOL]})
    served = _post(c, V1, {"model": "DeepSeek-R1", "messages": HELLO})
    message = served.json()["choices"][0]["message"] if served.status_code == 200 else {}
    return (
        r.status_code == 400
        and "tools" in r.text
        and isinstance(message.get("reasoning_content"), str)
        and "<think>" not in (message.get("content") or "")
    )


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def evaluate(client: httpx.Client, secret: str) -> dict[str, bool]:
    """Run every clause probe; ``{clause: holds}``."""
    return {clause: probe(client, secret) for clause, probe in CLAUSE_PROBES.items()}
