"""Surface facts the emulator serves by: names, spec ids, path shapes, request schemas.

Surfaces (DESIGN "The surfaces"):
- dated ``/openai/deployments/{deployment}/chat/completions?api-version=V`` (seeds 000, 002);
- v1 ``/openai/v1/chat/completions``, ``/openai/v1/responses``, ``/openai/v1/models`` (001, 002);
- Foundry model inference ``/models/chat/completions`` and ``/chat/completions`` (004);
- the gateway profile of seed 003 (``EmulatorConfig(profile="seed-003")``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance.surfaces import GATEWAY_SPEC_ID

__all__ = [
    "DATED",
    "V1",
    "FOUNDRY",
    "GATEWAY",
    "GATEWAY_PROFILE",
    "GATEWAY_SPEC_ID",
    "V1_FALLBACK_SPEC_ID",
    "DATED_PATH",
    "DATED_SINGULAR_PATH",
    "DATED_RESPONSES_PATH",
    "FOUNDRY_PATHS",
    "V1_PREFIX",
    "V1_API_VERSIONS",
    "V1_RESPONSES_SCHEMA",
    "DEPLOYMENT_IN_BODY",
    "Surface",
    "dated_chat",
    "dated_responses",
    "v1_chat",
    "foundry_chat",
    "gateway_chat",
    "gateway_path",
]

# surface names (Surface.name; the registry's surfaces plus seed 003's gateway)
DATED = "dated"
V1 = "v1"
FOUNDRY = "foundry"
GATEWAY = "gateway"
#: the configuration profile that serves the gateway surface alone
GATEWAY_PROFILE = "seed-003"

#: the v1 spec id when the registry lists no v1 entry
V1_FALLBACK_SPEC_ID = "azure-openai-v1"

DATED_PATH = re.compile(r"^/openai/deployments/([^/]+)/chat/completions$")
# fault wrong-path-accepted only: the singular ".../chat/completion"
DATED_SINGULAR_PATH = re.compile(r"^/openai/deployments/([^/]+)/chat/completion$")
DATED_RESPONSES_PATH = "/openai/responses"
FOUNDRY_PATHS = ("/models/chat/completions", "/chat/completions")
V1_PREFIX = "/openai/v1"
V1_API_VERSIONS = ("v1", "preview")  # v1 spec: AzureAIFoundryModelsApiVersion enum
V1_RESPONSES_SCHEMA = "AzureCreateResponse"

#: the surfaces whose path names no deployment: the body's ``model`` does (Foundry: or the
#: azureml-model-deployment header)
DEPLOYMENT_IN_BODY = frozenset({V1, FOUNDRY})


@dataclass(frozen=True)
class Surface:
    """Where a request landed: the surface name, its spec and its request schema."""

    name: str  # dated | v1 | foundry | gateway
    spec_id: str
    request_schema: str
    response_schema: str
    stream_schema: str


def dated_chat(spec_id: str) -> Surface:
    return Surface(
        DATED,
        spec_id,
        "createChatCompletionRequest",
        "createChatCompletionResponse",
        "createChatCompletionStreamResponse",
    )


def dated_responses(spec_id: str) -> Surface:
    """seed 000 §Relationship to Responses API: ``/openai/responses`` on the dated surface."""
    return Surface(DATED, spec_id, "createResponse", "response", "responseStreamEvent")


def v1_chat(spec_id: str) -> Surface:
    return Surface(
        V1,
        spec_id,
        "AzureCreateChatCompletionRequest",
        "AzureCreateChatCompletionResponse",
        "AzureCreateChatCompletionStreamResponse",
    )


def foundry_chat(spec_id: str) -> Surface:
    return Surface(FOUNDRY, spec_id, "ChatCompletionsOptions", "ChatCompletions", "ChatCompletions")


def gateway_chat() -> Surface:
    return Surface(
        GATEWAY,
        GATEWAY_SPEC_ID,
        "createChatCompletionRequest",
        "createChatCompletionResponse",
        "createChatCompletionStreamResponse",
    )


def gateway_path(deployment: str) -> str:
    """The one path the seed-003 gateway serves (its first deployment's dated path)."""
    return f"/openai/deployments/{deployment}/chat/completions"
