"""The official clients against the emulator under real uvicorn on 127.0.0.1.

openai (sync and async; ``OpenAI(base_url=.../openai/v1/)`` and ``AzureOpenAI``),
azure-ai-inference's ``ChatCompletionsClient`` and an azure-identity token provider.
A recording ASGI wrapper shows what each client actually sent (path, query, headers).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest
from azure.core.credentials import AccessToken, AzureKeyCredential
from azure.identity import get_bearer_token_provider

from conformance.emulator import DEFAULT_API_KEY, Deployment, EmulatorConfig, create_app
from conformance.emulator.server import serve
from conformance.emulator.tokens import mint_token

KEY = DEFAULT_API_KEY
SECRET = "sdk-test-secret"
API_VERSION = "2024-10-21"
HELLO = [{"role": "user", "content": "Say hello"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}


class Recorder:
    """ASGI wrapper recording (method, path, query, headers) of every request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append(
                {
                    "method": scope["method"],
                    "path": scope["path"],
                    "query": scope["query_string"].decode(),
                    "headers": {k.decode().lower(): v.decode() for k, v in scope["headers"]},
                }
            )
        await self.app(scope, receive, send)


class EmulatorCredential:
    """An azure-core ``TokenCredential`` that mints tokens the emulator accepts."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(mint_token(self.secret), int(time.time()) + 3600)


DEPLOYMENTS = (
    Deployment("gpt-4o-mini", model="gpt-4o-mini-2024-07-18"),
    Deployment("gpt-5.1-mini", model="gpt-5.1-mini", kind="reasoning"),
    Deployment("tiny-quota", rpm=2),
    # one request per second: the 2nd request inside a second is throttled ~1 s
    Deployment("one-per-second", rpm=1, window_seconds=1.0),
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[str, Recorder, Any]]:
    app = create_app(EmulatorConfig(jwt_secret=SECRET, deployments=DEPLOYMENTS))
    recorder = Recorder(app)
    with serve(recorder) as url:
        yield url, recorder, app.state.emulator
    assert app.state.emulator.internal_errors == 0


@pytest.fixture
def url(emulator: tuple[str, Recorder, Any]) -> str:
    return emulator[0]


@pytest.fixture
def recorder(emulator: tuple[str, Recorder, Any]) -> Recorder:
    return emulator[1]


def v1_client(url: str, **kwargs: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/openai/v1/", api_key=KEY, max_retries=0, **kwargs)


def azure_client(url: str, **kwargs: Any) -> openai.AzureOpenAI:
    options: dict[str, Any] = {"api_key": KEY, "max_retries": 0, **kwargs}
    return openai.AzureOpenAI(azure_endpoint=url, api_version=API_VERSION, **options)


@pytest.fixture(params=["v1", "azure"])
def sync_client(request: pytest.FixtureRequest, url: str) -> openai.OpenAI:
    return v1_client(url) if request.param == "v1" else azure_client(url)


# ---------------------------------------------------------------- what goes over the wire
def test_v1_client_sends_bearer_key_and_no_api_version(url: str, recorder: Recorder) -> None:
    v1_client(url).chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    sent = recorder.seen[-1]
    assert (sent["method"], sent["path"], sent["query"]) == (
        "POST",
        "/openai/v1/chat/completions",
        "",
    )
    assert sent["headers"]["authorization"] == f"Bearer {KEY}"


def test_azure_client_sends_dated_path_api_version_and_api_key(
    url: str, recorder: Recorder
) -> None:
    azure_client(url).chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    sent = recorder.seen[-1]
    assert sent["path"] == "/openai/deployments/gpt-4o-mini/chat/completions"
    assert sent["query"] == f"api-version={API_VERSION}"
    assert sent["headers"]["api-key"] == KEY


# ---------------------------------------------------------------- the five calls, both clients
def test_plain(sync_client: openai.OpenAI) -> None:
    completion = sync_client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert completion.object == "chat.completion"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.content
    usage = completion.usage
    assert usage is not None and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_streaming_with_usage(sync_client: openai.OpenAI) -> None:
    stream = sync_client.chat.completions.create(
        model="gpt-4o-mini", messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finish = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finish == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    plain = sync_client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert text == plain.choices[0].message.content  # deterministic: same answer streamed
    assert chunks[-1].usage.completion_tokens == plain.usage.completion_tokens  # type: ignore[union-attr]


def test_forced_tool_call(sync_client: openai.OpenAI) -> None:
    completion = sync_client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Weather in Oslo?"}],
        tools=[WEATHER],  # type: ignore[list-item]
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    arguments = json.loads(call.function.arguments)  # type: ignore[union-attr]
    assert set(arguments) == {"city", "unit"} and arguments["unit"] in ("celsius", "fahrenheit")


def test_json_mode(sync_client: openai.OpenAI) -> None:
    completion = sync_client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Answer in JSON"}],
        response_format={"type": "json_object"},
    )
    assert isinstance(json.loads(completion.choices[0].message.content or ""), dict)


def test_n_2(sync_client: openai.OpenAI) -> None:
    completion = sync_client.chat.completions.create(model="gpt-4o-mini", messages=HELLO, n=2)
    assert [c.index for c in completion.choices] == [0, 1]
    assert completion.choices[0].message.content != completion.choices[1].message.content


# ---------------------------------------------------------------- async clients
def test_async_clients_plain_and_stream(url: str) -> None:
    async def run() -> None:
        clients = [
            openai.AsyncOpenAI(base_url=f"{url}/openai/v1/", api_key=KEY, max_retries=0),
            openai.AsyncAzureOpenAI(
                azure_endpoint=url, api_version=API_VERSION, api_key=KEY, max_retries=0
            ),
        ]
        for client in clients:
            completion = await client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
            assert completion.choices[0].message.content
            stream = await client.chat.completions.create(
                model="gpt-4o-mini",
                messages=HELLO,
                stream=True,
                stream_options={"include_usage": True},
            )
            chunks = [chunk async for chunk in stream]
            text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
            assert text == completion.choices[0].message.content
            assert chunks[-1].usage is not None
            await client.close()

    asyncio.run(run())


# ---------------------------------------------------------------- errors as SDK exceptions
def test_wrong_key_is_authentication_error(url: str) -> None:
    for client in (
        openai.OpenAI(base_url=f"{url}/openai/v1/", api_key="bad-key-7781", max_retries=0),
        openai.AzureOpenAI(
            azure_endpoint=url, api_version=API_VERSION, api_key="bad-key-7781", max_retries=0
        ),
    ):
        with pytest.raises(openai.AuthenticationError) as caught:
            client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
        assert caught.value.status_code == 401
        assert "bad-key-7781" not in str(caught.value.body)


def test_unknown_deployment_is_not_found_error(sync_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        sync_client.chat.completions.create(model="no-such-deployment", messages=HELLO)
    assert caught.value.code == "DeploymentNotFound"


def test_reasoning_max_tokens_is_bad_request_error(sync_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sync_client.chat.completions.create(model="gpt-5.1-mini", messages=HELLO, max_tokens=5)
    assert caught.value.param == "max_tokens"
    ok = sync_client.chat.completions.create(
        model="gpt-5.1-mini", messages=HELLO, max_completion_tokens=64
    )
    details = ok.usage.completion_tokens_details  # type: ignore[union-attr]
    assert details is not None and details.reasoning_tokens and details.reasoning_tokens > 0


def test_quota_is_rate_limit_error(url: str) -> None:
    client = azure_client(url)
    for _ in range(2):
        client.chat.completions.create(model="tiny-quota", messages=HELLO)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="tiny-quota", messages=HELLO)
    headers = caught.value.response.headers
    assert int(headers["retry-after"]) >= 1
    assert headers["x-ratelimit-remaining-requests"] == "0"


def test_sdk_retry_waits_the_advertised_retry_after(url: str) -> None:
    log: list[tuple[float, int, str | None]] = []

    def hook(response: httpx2.Response) -> None:
        log.append((time.monotonic(), response.status_code, response.headers.get("retry-after-ms")))

    http = httpx2.Client(event_hooks={"response": [hook]})
    client = openai.OpenAI(
        base_url=f"{url}/openai/v1/", api_key=KEY, max_retries=2, http_client=http
    )
    client.chat.completions.create(model="one-per-second", messages=HELLO)
    client.chat.completions.create(model="one-per-second", messages=HELLO)  # throttled, retried
    statuses = [status for _, status, _ in log]
    assert statuses == [200, 429, 200]
    (t_429, _, advertised), (t_retry, _, _) = log[1], log[2]
    assert advertised is not None and 0 < int(advertised) <= 1000
    assert t_retry - t_429 >= int(advertised) / 1000 * 0.95


# ---------------------------------------------------------------- Entra ID (azure-identity)
def test_azure_identity_token_provider_with_both_clients(url: str, recorder: Recorder) -> None:
    credential = EmulatorCredential(SECRET)
    provider = get_bearer_token_provider(credential, "https://cognitiveservices.azure.com/.default")
    v1 = openai.OpenAI(base_url=f"{url}/openai/v1/", api_key=provider, max_retries=0)
    assert v1.chat.completions.create(model="gpt-4o-mini", messages=HELLO).choices
    dated = openai.AzureOpenAI(
        azure_endpoint=url, api_version=API_VERSION, azure_ad_token_provider=provider, max_retries=0
    )
    assert dated.chat.completions.create(model="gpt-4o-mini", messages=HELLO).choices
    sent = recorder.seen[-1]["headers"]
    assert sent["authorization"].startswith("Bearer ey") and "api-key" not in sent
    assert ("https://cognitiveservices.azure.com/.default",) in credential.scopes


def test_token_from_another_signer_is_authentication_error(url: str) -> None:
    provider = get_bearer_token_provider(
        EmulatorCredential("not-the-emulator-secret"),
        "https://cognitiveservices.azure.com/.default",
    )
    client = openai.AzureOpenAI(
        azure_endpoint=url, api_version=API_VERSION, azure_ad_token_provider=provider, max_retries=0
    )
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)


# ---------------------------------------------------------------- azure-ai-inference
def test_azure_ai_inference_complete_and_stream(url: str, recorder: Recorder) -> None:
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage

    client = ChatCompletionsClient(endpoint=f"{url}/models", credential=AzureKeyCredential(KEY))
    messages = [SystemMessage("You are terse."), UserMessage("Say hello")]
    result = client.complete(messages=messages, max_tokens=64)
    assert result.choices[0].message.content
    assert result.usage.total_tokens == result.usage.prompt_tokens + result.usage.completion_tokens
    sent = recorder.seen[-1]
    assert sent["path"] == "/models/chat/completions"
    assert "api-version=2024-05-01-preview" in sent["query"]
    # azure-ai-inference 1.0.0b9 with AzureKeyCredential sends the key twice: as api-key
    # and as a bearer token (seed 004 §Security: "Bearer abcde12345")
    assert sent["headers"]["api-key"] == KEY
    assert sent["headers"]["authorization"] == f"Bearer {KEY}"

    updates = list(client.complete(messages=messages, max_tokens=64, stream=True))
    text = "".join(u.choices[0].delta.content or "" for u in updates if u.choices)
    assert text == result.choices[0].message.content
    client.close()


def test_azure_ai_inference_routes_by_model_deployment_header(url: str, recorder: Recorder) -> None:
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.exceptions import HttpResponseError

    client = ChatCompletionsClient(
        endpoint=f"{url}/models",
        credential=AzureKeyCredential(KEY),
        headers={"azureml-model-deployment": "no-such"},
    )
    with pytest.raises(HttpResponseError) as caught:
        client.complete(messages=[UserMessage("hi")])
    assert caught.value.status_code == 404
    assert recorder.seen[-1]["headers"]["azureml-model-deployment"] == "no-such"
    client.close()


# ---------------------------------------------------------------- v1 Responses API and models
def test_v1_responses_and_models(url: str) -> None:
    client = v1_client(url)
    response = client.responses.create(model="gpt-4o-mini", input="This is a test")
    assert response.status == "completed" and response.output_text
    usage = response.usage
    assert usage is not None and usage.total_tokens == usage.input_tokens + usage.output_tokens
    cut = client.responses.create(
        model="gpt-5.1-mini",
        input=[{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
        instructions="be brief",
        max_output_tokens=16,
    )
    assert cut.status == "incomplete" and cut.incomplete_details is not None
    assert cut.usage is not None and cut.usage.output_tokens == 16
    assert [m.id for m in client.models.list()] == [d.name for d in DEPLOYMENTS]
