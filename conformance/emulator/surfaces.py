"""Surface facts the emulator serves by: names, spec ids, path shapes, request schemas.

Surfaces (DESIGN "The surfaces"):
- dated ``/openai/deployments/{deployment}/chat/completions?api-version=V`` (seeds 000, 002);
- v1 ``/openai/v1/chat/completions``, ``/openai/v1/responses``, ``/openai/v1/models`` (001, 002);
- Foundry model inference ``/models/chat/completions`` and ``/chat/completions`` (004);
- the gateway profile of seed 003 (``EmulatorConfig(profile="seed-003")``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from conformance.surfaces import GATEWAY_SPEC_ID, SURFACES, chat_path, rules_for

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

# the path shapes are the suite's (conformance.surfaces, from generator.codegen.surfaces)
_DATED_BASE = re.escape(rules_for(DATED).base_path)
DATED_PATH = re.compile(rf"^{_DATED_BASE}/deployments/([^/]+)/chat/completions$")
# fault wrong-path-accepted only: the singular ".../chat/completion"
DATED_SINGULAR_PATH = re.compile(rf"^{_DATED_BASE}/deployments/([^/]+)/chat/completion$")
DATED_RESPONSES_PATH = rules_for(DATED).base_path + "/responses"
# the resource endpoint's /models prefix and a serverless endpoint's root (seed 004)
FOUNDRY_PATHS = (chat_path(FOUNDRY, ""), chat_path(FOUNDRY, "", foundry_prefix=""))
V1_PREFIX = rules_for(V1).base_path
V1_API_VERSIONS = ("v1", "preview")  # v1 spec: AzureAIFoundryModelsApiVersion enum
V1_RESPONSES_SCHEMA = "AzureCreateResponse"

#: the surfaces whose path names no deployment: the body's ``model`` does (Foundry: or the
#: azureml-model-deployment header)
DEPLOYMENT_IN_BODY = frozenset(s for s in SURFACES if rules_for(s).deployment != "path")


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
    """Seed 003's gateway: the dated chat operation, validated with the gateway's spec."""
    return replace(dated_chat(GATEWAY_SPEC_ID), name=GATEWAY)


def gateway_path(deployment: str) -> str:
    """The one path the seed-003 gateway serves (its first deployment's dated path)."""
    return chat_path(DATED, deployment)
