"""Model families: what a deployment's model documents it supports, and how it answers.

The v1 API serves "models from other providers like DeepSeek and Grok" (seed 002 §API
evolution; seed 001 names ``grok-3-mini``, seed 002 ``MAI-DS-R1``). Their documented
behaviour differs from an Azure OpenAI model's, and a conformance run must tell a
documented limitation (a 400 that names the unsupported parameter) from a divergence.

Sources (Microsoft Foundry documentation, MicrosoftDocs/azure-ai-docs):

- ``FOUNDRY_MODELS``: "Foundry Models sold directly by Azure",
  https://learn.microsoft.com/azure/ai-foundry/foundry-models/concepts/models-sold-directly-by-azure?pivots=azure-direct-others
  §DeepSeek models / §Microsoft models / §xAI models (capabilities: "Tool calling: No",
  "Response formats: Text" for DeepSeek-R1, DeepSeek-R1-0528 and MAI-DS-R1;
  "chat-completion (with reasoning content)"; Grok 3 Mini "offering raw reasoning traces
  for user inspection with adjustable thinking budgets", tool calling yes).
- ``REASONING_HOWTO``: "How to use reasoning models with Foundry Models",
  https://learn.microsoft.com/azure/ai-foundry/foundry-models/how-to/use-chat-reasoning
  §Reasoning content: on the OpenAI API "the reasoning associated with the completion is
  included in the field ``reasoning_content``" (stream deltas carry it too); on the Model
  Inference API it is in the content "within the tags ``<think>`` and ``</think>``".
- ``REASONING_EFFORT``: "Azure OpenAI reasoning models",
  https://learn.microsoft.com/azure/ai-foundry/openai/how-to/reasoning §Reasoning effort
  (``low``, ``medium``, ``high``; a higher effort spends more ``reasoning_tokens``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from generator.errors import UsageError

__all__ = [
    "ModelFamily",
    "FAMILIES",
    "FAMILY_NAMES",
    "FOUNDRY_MODELS",
    "REASONING_HOWTO",
    "REASONING_EFFORT",
    "family_named",
    "detect_family",
    "limitation_of",
]

FOUNDRY_MODELS = (
    "https://learn.microsoft.com/azure/ai-foundry/foundry-models/concepts/"
    "models-sold-directly-by-azure?pivots=azure-direct-others"
)
REASONING_HOWTO = (
    "https://learn.microsoft.com/azure/ai-foundry/foundry-models/how-to/use-chat-reasoning"
)
REASONING_EFFORT = "https://learn.microsoft.com/azure/ai-foundry/openai/how-to/reasoning"


@dataclass(frozen=True)
class ModelFamily:
    """One family of models and its documented capabilities.

    ``unsupported`` maps a request parameter the family documents as unsupported to the
    citation that says so: the deployment refuses it with a 400 naming it, which is a
    documented limitation (the dependent clauses are skipped), not a divergence.
    ``reasoning_content``: the answer carries the model's reasoning apart from its content
    (``message.reasoning_content`` on the OpenAI surfaces, ``<think>`` tags on Foundry).
    """

    name: str
    provider: str
    # lower-case prefixes of the ``model`` an answer names (detection)
    models: tuple[str, ...] = ()
    reasoning_content: bool = False
    reasoning_effort: bool = False
    unsupported: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""

    def describe(self) -> str:
        parts = [f"{self.name} ({self.provider})"]
        if self.reasoning_content:
            parts.append("reasoning returned apart from the answer")
        if self.reasoning_effort:
            parts.append("reasoning_effort supported")
        if self.unsupported:
            parts.append("documented as unsupported: " + ", ".join(sorted(self.unsupported)))
        return "; ".join(parts)


_R1_LIMITS = MappingProxyType(
    {
        "tools": f"{FOUNDRY_MODELS} §DeepSeek models (Tool calling: No)",
        "tool_choice": f"{FOUNDRY_MODELS} §DeepSeek models (Tool calling: No)",
        "response_format": f"{FOUNDRY_MODELS} §DeepSeek models (Response formats: Text)",
    }
)
_MAI_LIMITS = MappingProxyType(
    {
        "tools": f"{FOUNDRY_MODELS} §Microsoft models, MAI-DS-R1 (Tool calling: No)",
        "tool_choice": f"{FOUNDRY_MODELS} §Microsoft models, MAI-DS-R1 (Tool calling: No)",
        "response_format": (
            f"{FOUNDRY_MODELS} §Microsoft models, MAI-DS-R1 (Response formats: Text)"
        ),
    }
)

FAMILIES: dict[str, ModelFamily] = {
    f.name: f
    for f in (
        ModelFamily("openai", "Azure OpenAI", source="seed 001, seed 002"),
        ModelFamily(
            "deepseek-r1",
            "DeepSeek",
            models=("deepseek-r1",),
            reasoning_content=True,
            unsupported=_R1_LIMITS,
            source=f"{FOUNDRY_MODELS} §DeepSeek models; {REASONING_HOWTO} §Reasoning content",
        ),
        ModelFamily(
            "mai-ds-r1",
            "Microsoft AI",
            models=("mai-ds-r1",),
            reasoning_content=True,
            unsupported=_MAI_LIMITS,
            source=f"{FOUNDRY_MODELS} §Microsoft models; {REASONING_HOWTO} §Reasoning content",
        ),
        ModelFamily(
            "grok-3-mini",
            "xAI",
            models=("grok-3-mini",),
            reasoning_content=True,
            reasoning_effort=True,
            source=f"{FOUNDRY_MODELS} §xAI models; {REASONING_EFFORT} §Reasoning effort",
        ),
    )
}
FAMILY_NAMES: tuple[str, ...] = tuple(FAMILIES)


def family_named(name: str) -> ModelFamily:
    """The family called ``name``; a one-line usage error naming the choices otherwise."""
    family = FAMILIES.get(name)
    if family is None:
        raise UsageError(f"unknown model family {name!r}; choose one of: {', '.join(FAMILY_NAMES)}")
    return family


def detect_family(model: object) -> ModelFamily | None:
    """The family an answer's ``model`` names (``DeepSeek-R1-0528`` → deepseek-r1), or None."""
    if not isinstance(model, str):
        return None
    lowered = model.strip().lower()
    for family in FAMILIES.values():
        if any(lowered.startswith(prefix) for prefix in family.models):
            return family
    return None


def limitation_of(family: ModelFamily, body: object, text: str) -> tuple[str, str] | None:
    """(parameter, citation) when a 400 answer to ``body`` names a documented limitation.

    The request must have sent the parameter and the answer must name it: a 400 about
    something else is no evidence of the limitation.
    """
    if not isinstance(body, dict):
        return None
    for param in family.unsupported:
        if param in body and param in text:
            return param, family.unsupported[param]
    return None
