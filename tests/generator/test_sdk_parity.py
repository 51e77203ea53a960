"""Builders send what the official ``openai`` SDK sends for the same call.

Both go to a small recording HTTP server on 127.0.0.1 (the SDK's 3.x line runs on
httpx2, so an httpx mock transport would not see its requests); the builder's request is
sent there with httpx. Compared: method, path, query, auth header, JSON body.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from openai import AzureOpenAI, OpenAI

from aoai_conformance_generated.azure_openai_2025_04_01_preview import builders as dated_builders
from aoai_conformance_generated.azure_openai_v1 import builders as v1_builders

# credentials of one package work with the builders of every other (auth.AuthHeaders)
from aoai_conformance_generated.azure_openai_v1.auth import (
    ApiKeyAuth,
    BearerAuth,
    TokenCredentialAuth,
)

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1726041600,
    "model": "gpt-4o-mini",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class _Recorder(BaseHTTPRequestHandler):
    seen: list[Seen]

    def _record(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        self.seen.append(
            Seen(
                self.command,
                split.path,
                parse_qs(split.query),
                {k.lower(): v for k, v in self.headers.items()},
                json.loads(raw) if raw else None,
            )
        )
        payload = json.dumps(COMPLETION).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = _record  # noqa: N815 - http.server's naming
    do_GET = _record  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


@pytest.fixture()
def recorder() -> Iterator[tuple[str, list[Seen]]]:
    seen: list[Seen] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _send(request: httpx.Request) -> None:
    with httpx.Client() as client:
        client.send(request).raise_for_status()


def _assert_same(sdk: Seen, ours: Seen, auth_header: str) -> None:
    assert ours.method == sdk.method
    assert ours.path == sdk.path
    assert ours.query == sdk.query
    assert ours.headers.get(auth_header) == sdk.headers.get(auth_header)
    assert ours.headers.get(auth_header)
    assert ours.headers.get("content-type") == sdk.headers.get("content-type")
    assert ours.body == sdk.body


def test_dated_builder_matches_azure_openai_with_api_key(recorder: tuple[str, list[Seen]]) -> None:
    endpoint, seen = recorder
    client = AzureOpenAI(
        azure_endpoint=endpoint,
        api_version="2025-04-01-preview",
        azure_deployment="gpt-4o-mini",
        api_key="sdk-key",
        max_retries=0,
    )
    client.chat.completions.create(
        model="gpt-4o-mini",
        messages=MESSAGES,
        max_tokens=5,
        temperature=0.2,
        seed=7,  # type: ignore[arg-type]
    )
    _send(
        dated_builders.create_chat_completion(
            endpoint,
            deployment="gpt-4o-mini",
            # the SDK also sends `model` on the dated surface; the dated schema allows extras
            body={
                "model": "gpt-4o-mini",
                "messages": MESSAGES,
                "max_tokens": 5,
                "temperature": 0.2,
                "seed": 7,
            },
            auth=ApiKeyAuth("sdk-key"),
        )
    )
    sdk, ours = seen
    assert sdk.path == "/openai/deployments/gpt-4o-mini/chat/completions"
    assert sdk.query == {"api-version": ["2025-04-01-preview"]}
    _assert_same(sdk, ours, "api-key")


def test_dated_builder_matches_azure_openai_with_entra_token(
    recorder: tuple[str, list[Seen]],
) -> None:
    endpoint, seen = recorder

    class Credential:
        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            assert scopes == ("https://cognitiveservices.azure.com/.default",)
            return type("Token", (), {"token": "entra-token", "expires_on": 4_102_444_800})()

    client = AzureOpenAI(
        azure_endpoint=endpoint,
        api_version="2025-04-01-preview",
        azure_deployment="gpt-4o-mini",
        azure_ad_token_provider=lambda: "entra-token",
        max_retries=0,
    )
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
    _send(
        dated_builders.create_chat_completion(
            endpoint,
            deployment="gpt-4o-mini",
            body={"model": "gpt-4o-mini", "messages": MESSAGES},
            auth=TokenCredentialAuth(Credential()),
        )
    )
    sdk, ours = seen
    assert sdk.headers["authorization"] == "Bearer entra-token"
    _assert_same(sdk, ours, "authorization")


def test_v1_builder_matches_openai_with_base_url(recorder: tuple[str, list[Seen]]) -> None:
    endpoint, seen = recorder
    client = OpenAI(base_url=f"{endpoint}/openai/v1/", api_key="v1-key", max_retries=0)
    client.chat.completions.create(
        model="gpt-4o-mini",
        messages=MESSAGES,  # type: ignore[arg-type]
        max_completion_tokens=5,
        stop=["END"],
    )
    _send(
        v1_builders.create_chat_completion(
            endpoint,
            deployment="gpt-4o-mini",
            body={"messages": MESSAGES, "max_completion_tokens": 5, "stop": ["END"]},
            auth=BearerAuth("v1-key"),
        )
    )
    sdk, ours = seen
    assert sdk.path == "/openai/v1/chat/completions"
    assert sdk.query == {}  # v1: no api-version (seed 002)
    assert sdk.body["model"] == "gpt-4o-mini"
    _assert_same(sdk, ours, "authorization")


def test_v1_builder_api_key_header_and_typed_body(recorder: tuple[str, list[Seen]]) -> None:
    endpoint, seen = recorder
    from aoai_conformance_generated.azure_openai_v1 import models

    body = models.AzureCreateChatCompletionRequest.model_validate(
        {"model": "ignored", "messages": MESSAGES}
    )
    _send(
        v1_builders.create_chat_completion(
            endpoint, deployment="gpt-4o-mini", body=body, auth=ApiKeyAuth("k")
        )
    )
    (ours,) = seen
    assert ours.headers["api-key"] == "k"
    assert ours.body == {"model": "gpt-4o-mini", "messages": MESSAGES}


def test_foundry_builder_matches_azure_ai_inference(recorder: tuple[str, list[Seen]]) -> None:
    """seed 004: /chat/completions?api-version=2024-05-01-preview with extra-parameters and
    azureml-model-deployment; the official azure-ai-inference client as the reference."""
    from azure.ai.inference import ChatCompletionsClient
    from azure.core.credentials import AzureKeyCredential

    from aoai_conformance_generated.foundry_model_inference_2024_05_01_preview import (
        builders as foundry,
    )

    endpoint, seen = recorder
    client = ChatCompletionsClient(
        endpoint=f"{endpoint}/models", credential=AzureKeyCredential("k")
    )
    client.complete(
        messages=[{"role": "user", "content": "Hello"}],
        max_tokens=5,
        model_extras={"top_k": 3},  # sent with extra-parameters: pass-through
        headers={"azureml-model-deployment": "mistral-large"},
    )
    _send(
        foundry.create_chat_completion(
            f"{endpoint}/models",
            body={"messages": [{"role": "user", "content": "Hello"}], "max_tokens": 5, "top_k": 3},
            deployment="mistral-large",
            extra_parameters="pass-through",
            auth=ApiKeyAuth("k"),
        )
    )
    sdk, ours = seen
    assert sdk.path == "/models/chat/completions"
    assert sdk.query == {"api-version": ["2024-05-01-preview"]}
    for header in ("extra-parameters", "azureml-model-deployment"):
        assert ours.headers[header] == sdk.headers[header]
    _assert_same(sdk, ours, "api-key")
