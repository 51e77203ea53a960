"""Issue 14 item 1: models of other providers on v1, and a capability-aware suite.

- the emulator serves DeepSeek-R1 (reasoning in ``reasoning_content``, no tool support,
  text responses only) and grok-3-mini (reasoning content, ``reasoning_effort``);
- the default run on those deployments (v1 surface) is clean: the documented limitation
  (a 400 naming ``tools`` / ``response_format``) is a note and the dependent clauses are
  skipped with that reason;
- fault ``limitation-answered-500`` turns the limitation into a 500: caught (exit 1);
- the real ``openai`` SDK reads the separate reasoning content (uvicorn on 127.0.0.1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest

from conformance.cli import main
from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app
from conformance.emulator.server import serve
from conformance.model import Outcome, RunResult
from conformance.run.options import RunOptions, TargetOptions
from conformance.run.runner import run_suite, schemathesis_available
from tests.suite.helpers import ids, run_emulator
from tests.support import requires_mirror

pytestmark = requires_mirror

HELLO = [{"role": "user", "content": "How many languages are in the world?"}]


def _v1(deployment: str, **target: object) -> RunResult:
    return run_emulator(surface="v1", deployment=deployment, **target)


def _not_passed(result: RunResult) -> list[tuple[str, str, str]]:
    return [
        (f.clause_id, f.outcome.value, f.reason)
        for f in result.findings
        if f.outcome is not Outcome.PASSED
    ]


def test_deepseek_r1_default_run_is_clean_and_names_its_limitations() -> None:
    result = _v1("DeepSeek-R1")
    assert result.exit_code() == 0, _not_passed(result)
    assert ids(result, Outcome.FAILED) == set()
    assert ids(result, Outcome.INCONCLUSIVE) == set()
    skipped = {f.clause_id: f.reason for f in result.findings if f.outcome is Outcome.SKIPPED}
    # the tool clauses and JSON mode depend on what DeepSeek-R1 documents it lacks
    for clause in ("RESP-006", "RESP-007"):
        assert skipped[clause].startswith("model limitation: deepseek-r1 does not support")
        assert "models-sold-directly-by-azure" in skipped[clause]
    assert "tools" in skipped["RESP-006"] and "response_format" in skipped["RESP-007"]
    # MODEL-002 checked the limitation itself: a 400 naming tools
    assert "MODEL-002" in ids(result, Outcome.PASSED)
    notes = "\n".join(result.notes)
    assert "v1: model family deepseek-r1 (DeepSeek)" in notes
    assert "detected from the answer's model DeepSeek-R1" in notes
    assert "refuses tools with 400 naming it, a documented limitation" in notes


def test_grok_3_mini_default_run_is_clean_and_keeps_its_tool_clauses() -> None:
    result = _v1("grok-3-mini")
    assert result.exit_code() == 0, _not_passed(result)
    assert ids(result, Outcome.FAILED) == set()
    # grok-3-mini documents tool calling: the tool clause runs and passes
    assert {"RESP-006", "RESP-007"} <= ids(result, Outcome.PASSED)
    assert any("model family grok-3-mini (xAI)" in n for n in result.notes)
    assert not any("documented limitation" in n for n in result.notes)


def test_limitation_answered_500_is_caught() -> None:
    result = _v1("DeepSeek-R1", faults=("limitation-answered-500",))
    assert result.exit_code() == 1
    failed = ids(result, Outcome.FAILED)
    # an undocumented 5xx is a divergence: SRV-001 (the valid request's 500) and MODEL-002
    assert failed == {"SRV-001", "MODEL-002"}, _not_passed(result)
    # the clauses that needed the tool answer are inconclusive, not skipped as limitations
    resp006 = next(f for f in result.findings if f.clause_id == "RESP-006")
    assert resp006.outcome is Outcome.INCONCLUSIVE and "SRV-001" in resp006.reason


def _refuse_tools(app):  # type: ignore[no-untyped-def]
    """An OpenAI deployment answering tools with a 400 that names them (no documented
    limitation of its family)."""

    async def wrapped(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http" or scope["method"] != "POST":
            return await app(scope, receive, send)
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if b'"tools"' not in body:
            done = False

            async def replay():  # type: ignore[no-untyped-def]
                nonlocal done
                if done:
                    return {"type": "http.disconnect"}
                done = True
                return {"type": "http.request", "body": body, "more_body": False}

            return await app(scope, replay, send)
        error = {"code": "unsupported_parameter", "message": "'tools' is not supported"}
        payload = json.dumps({"error": {**error, "param": "tools"}}).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        return None

    return wrapped


def test_an_undocumented_400_is_not_a_limitation() -> None:
    """gpt-4o-mini documents tools: a 400 naming tools stays what it was, never a skip."""
    refused = _v1("gpt-4o-mini", wrap_app=_refuse_tools, select=("RESP-006",))
    finding = next(f for f in refused.findings if f.clause_id == "RESP-006")
    assert finding.outcome is Outcome.INCONCLUSIVE, finding.reason
    assert not any("documented limitation" in n for n in refused.notes)
    # the same 400 under DeepSeek-R1's rules (--model-family) is the documented limitation
    hinted = _v1(
        "gpt-4o-mini", wrap_app=_refuse_tools, select=("RESP-006",), model_family="deepseek-r1"
    )
    finding = next(f for f in hinted.findings if f.clause_id == "RESP-006")
    assert finding.outcome is Outcome.SKIPPED and "model limitation" in finding.reason


def test_model_family_hint_says_which_rules_apply() -> None:
    # the hint overrides detection: gpt-4o-mini under DeepSeek-R1's rules
    result = _v1("gpt-4o-mini", model_family="deepseek-r1", select=("MODEL-002", "RESP-001"))
    notes = "\n".join(result.notes)
    assert "model family deepseek-r1 (DeepSeek)" in notes and "from --model-family" in notes
    # gpt-4o-mini serves tools: the documented limitation is lifted, not a failure
    assert ids(result, Outcome.FAILED) == set()
    # no hint and an OpenAI model: nothing to report, openai rules apply
    plain = _v1("gpt-4o-mini", select=("RESP-001",))
    assert not any("model family" in n for n in plain.notes)


@pytest.mark.skipif(not schemathesis_available(), reason="schemathesis phase not installed")
def test_deepseek_r1_run_with_the_schemathesis_phase_is_clean() -> None:
    result = run_suite(
        RunOptions(target=TargetOptions(env={}, surface="v1", deployment="DeepSeek-R1"))
    )
    assert ids(result, Outcome.FAILED) == set(), _not_passed(result)
    assert result.exit_code() == 0


def test_cli_model_family_option(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name in ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    argv = ["run", "--surface", "v1", "--deployment", "DeepSeek-R1", "--no-schemathesis"]
    code = main([*argv, "--model-family", "deepseek-r1", "--select", "RESP-00*,MODEL-*"])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert main(["run", "--model-family", "llama"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "llama" in err and "deepseek-r1" in err


# ------------------------------------------------------------ the real openai SDK (v1)


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    app = create_app(EmulatorConfig())
    with serve(app) as url:
        yield url
    assert app.state.emulator.internal_errors == 0


def _client(url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/openai/v1/", api_key=DEFAULT_API_KEY, max_retries=0)


def test_openai_sdk_reads_reasoning_content_apart_from_the_answer(emulator_url: str) -> None:
    response = _client(emulator_url).chat.completions.create(model="DeepSeek-R1", messages=HELLO)
    assert response.model == "DeepSeek-R1"
    message = response.choices[0].message
    reasoning = (message.model_extra or {}).get("reasoning_content")
    assert isinstance(reasoning, str) and reasoning.startswith("Thinking:")
    assert message.content and "<think>" not in message.content
    assert response.usage is not None
    # the reasoning counts toward the completion tokens (REASONING_HOWTO)
    assert response.usage.completion_tokens == len(message.content.split()) + len(reasoning.split())


def test_openai_sdk_streams_reasoning_content_deltas(emulator_url: str) -> None:
    stream = _client(emulator_url).chat.completions.create(
        model="DeepSeek-R1", messages=HELLO, stream=True
    )
    reasoning, content = [], []
    for chunk in stream:
        for choice in chunk.choices:
            extra = choice.delta.model_extra or {}
            if extra.get("reasoning_content"):
                reasoning.append(extra["reasoning_content"])
            if choice.delta.content:
                content.append(choice.delta.content)
    assert "".join(reasoning).startswith("Thinking:")
    assert content and "<think>" not in "".join(content)


def test_openai_sdk_tools_on_deepseek_r1_is_a_400_naming_tools(emulator_url: str) -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    with pytest.raises(openai.BadRequestError) as caught:
        _client(emulator_url).chat.completions.create(
            model="DeepSeek-R1", messages=HELLO, tools=[tool]
        )
    assert "tools" in str(caught.value)


def test_openai_sdk_grok_reasoning_effort_spends_more_reasoning_tokens(emulator_url: str) -> None:
    client = _client(emulator_url)
    used = {}
    for effort in ("low", "high"):
        response = client.chat.completions.create(
            model="grok-3-mini", messages=HELLO, reasoning_effort=effort
        )
        assert response.usage is not None and response.usage.completion_tokens_details
        used[effort] = response.usage.completion_tokens_details.reasoning_tokens
        reasoning = (response.choices[0].message.model_extra or {}).get("reasoning_content")
        assert isinstance(reasoning, str) and len(reasoning.split()) == used[effort]
    assert used["low"] < used["high"]


def test_foundry_returns_the_reasoning_within_think_tags() -> None:
    from starlette.testclient import TestClient

    client = TestClient(create_app(EmulatorConfig()))
    r = client.post(
        "/models/chat/completions?api-version=2024-05-01-preview",
        headers={"api-key": DEFAULT_API_KEY, "azureml-model-deployment": "DeepSeek-R1"},
        json={"messages": HELLO},
    )
    assert r.status_code == 200, r.text
    message = r.json()["choices"][0]["message"]
    assert (
        message["content"].startswith("<think>\nThinking:") and "</think>\n\n" in message["content"]
    )
    assert "reasoning_content" not in message


def test_emulate_deployment_family_option() -> None:
    from conformance.cli.emulate import parse_deployment
    from generator.errors import UsageError

    d = parse_deployment("r1:family=deepseek-r1:rpm=5")
    assert (d.name, d.model, d.family, d.rpm) == ("r1", "r1", "deepseek-r1", 5)
    with pytest.raises(UsageError, match="unknown model family 'llama'"):
        parse_deployment("x:family=llama")
