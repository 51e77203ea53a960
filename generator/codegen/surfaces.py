"""Hand-written Azure rules per surface: where the deployment goes, which api-version.

These rules are not in the upstream specs (or are stated differently there); they come
from the seeds and are rendered into the generated builders through the templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["SurfaceRules", "rules_for", "TOKEN_SCOPE"]

# seed 000 (Authentication: Microsoft Entra ID) and seed 001 (token provider): the scope
# of the bearer token for every Azure OpenAI / Foundry surface.
TOKEN_SCOPE = "https://cognitiveservices.azure.com/.default"

DeploymentPlacement = Literal["path", "body", "header"]


@dataclass(frozen=True)
class SurfaceRules:
    surface: str
    base_path: str  # appended to the endpoint before the spec's paths
    endpoint_example: str
    deployment: DeploymentPlacement
    deployment_parameter: str  # wire name: path parameter, body field or header
    pin_api_version: bool  # send the spec's api-version by default
    source: str  # where the rules are documented


_RULES = {
    # seed 000 (endpoint shape): POST {endpoint}/openai/deployments/{deployment-id}/chat/
    # completions?api-version=2025-04-01-preview; the dated specs' server URL is
    # https://{endpoint}/openai and their paths start at /deployments.
    "dated": SurfaceRules(
        surface="dated",
        base_path="/openai",
        endpoint_example="https://my-resource.openai.azure.com",
        deployment="path",
        deployment_parameter="deployment-id",
        pin_api_version=True,
        source="seed 000 (chat completions endpoint); seed 002 (api-version changelog)",
    ),
    # seed 001 and seed 002 (v1 API): base_url {endpoint}/openai/v1/, the deployment name
    # goes in the body as `model`, and no api-version query parameter is needed.
    "v1": SurfaceRules(
        surface="v1",
        base_path="/openai/v1",
        endpoint_example="https://my-resource.openai.azure.com",
        deployment="body",
        deployment_parameter="model",
        pin_api_version=False,
        source="seed 001 (OpenAI(base_url=.../openai/v1/)); seed 002 (v1 API, no api-version)",
    ),
    # seed 004 (URI parameters, request header): POST /chat/completions?api-version=
    # 2024-05-01-preview relative to the inference endpoint; the deployment is routed with
    # the `azureml-model-deployment` header.
    "foundry": SurfaceRules(
        surface="foundry",
        base_path="",
        endpoint_example="https://my-resource.services.ai.azure.com/models",
        deployment="header",
        deployment_parameter="azureml-model-deployment",
        pin_api_version=True,
        source="seed 004 (URI Parameters; Request Header: azureml-model-deployment)",
    ),
}


def rules_for(surface: str) -> SurfaceRules:
    return _RULES[surface]
