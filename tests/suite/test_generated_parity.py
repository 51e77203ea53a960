"""The suite's hand-built requests and the generated builders agree, surface by surface.

The catalog sends its requests through ``RunContext`` (small, and free to send the
deliberately odd requests clauses need); the generated builders are what SDK maintainers
ship. For the plain chat completion both must produce the same method, path, query,
routing/auth headers and JSON body, so the suite checks targets with the request shape
the generator derives from each pinned spec.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from conformance.emulator import DEFAULT_API_KEY, EmulatorConfig, create_app
from tests.schemathesis_phase.conftest import Recorder, make_ctx
from tests.support import requires_mirror

BASE = "http://testserver"


def _generated_request(surface: str, body: dict[str, Any]) -> httpx.Request:
    if surface == "dated":
        from aoai_conformance_generated.azure_openai_2024_10_21 import auth, builders

        return builders.create_chat_completion(
            BASE, deployment="gpt-4o-mini", body=body, auth=auth.ApiKeyAuth(DEFAULT_API_KEY)
        )
    if surface == "v1":
        from aoai_conformance_generated.azure_openai_v1 import auth as v1_auth
        from aoai_conformance_generated.azure_openai_v1 import builders as v1_builders

        return v1_builders.create_chat_completion(
            BASE, body=body, auth=v1_auth.ApiKeyAuth(DEFAULT_API_KEY)
        )
    from aoai_conformance_generated.foundry_model_inference_2024_05_01_preview import auth as f_auth
    from aoai_conformance_generated.foundry_model_inference_2024_05_01_preview import (
        builders as f_builders,
    )

    return f_builders.create_chat_completion(
        BASE + "/models",
        body=body,
        deployment="gpt-4o-mini",
        auth=f_auth.ApiKeyAuth(DEFAULT_API_KEY),
    )


@requires_mirror
@pytest.mark.parametrize("surface", ["dated", "v1", "foundry"])
def test_plain_chat_request_matches_the_generated_builder(surface: str) -> None:
    recorder = Recorder(create_app(EmulatorConfig()))
    ctx = make_ctx(recorder, surface, base_url=BASE)
    exchange = ctx.chat(max_tokens=4)
    assert exchange.status == 200
    (sent,) = recorder.requests
    sent_body = json.loads(sent["body"])

    built = _generated_request(surface, sent_body)
    assert built.method == sent["method"]
    assert built.url.path == sent["path"]
    assert dict(parse_qsl(built.url.query.decode())) == dict(parse_qsl(sent["query"]))
    for name in ("api-key", "azureml-model-deployment", "content-type"):
        assert built.headers.get(name) == sent["headers"].get(name), name
    assert json.loads(built.content) == sent_body
