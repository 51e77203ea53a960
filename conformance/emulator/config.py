"""Emulator configuration: key, deployments, faults, profile, limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from conformance.emulator.faults import FAULTS, Fault, unknown_faults
from conformance.model_families import FAMILIES, FAMILY_NAMES, ModelFamily
from generator.errors import UsageError

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_JWT_SECRET",
    "CONTENT_FILTER_TRIGGER",
    "PROFILES",
    "DeploymentKind",
    "Deployment",
    "DEFAULT_DEPLOYMENTS",
    "EmulatorConfig",
]

# Not a secret: the emulator is a local stand-in; the key is printed in --help and the banner.
DEFAULT_API_KEY = "emulator-key-0000"
DEFAULT_JWT_SECRET = "emulator-jwt-secret-0000"
# A user message containing this text is "filtered" (seed 004 §Content filter error).
CONTENT_FILTER_TRIGGER = "[[trigger-content-filter]]"
PROFILES: tuple[str, ...] = ("seed-003",)

DeploymentKind = Literal["classic", "reasoning"]


@dataclass(frozen=True)
class Deployment:
    """One model deployment: its name, model, kind and per-window limits.

    ``rpm``/``tpm`` are requests and tokens allowed per ``window_seconds`` (60 by default,
    i.e. per minute); ``None`` is unlimited. ``family`` names the model family
    (:mod:`conformance.model_families`): what the model documents it supports and how it
    returns its reasoning.
    """

    name: str
    model: str = "gpt-4o-mini"
    kind: DeploymentKind = "classic"
    family: str = "openai"
    rpm: int | None = None
    tpm: int | None = None
    window_seconds: float = 60.0

    @property
    def reasoning(self) -> bool:
        return self.kind == "reasoning"

    @property
    def model_family(self) -> ModelFamily:
        return FAMILIES[self.family]


DEFAULT_DEPLOYMENTS: tuple[Deployment, ...] = (
    Deployment("gpt-4o-mini", model="gpt-4o-mini-2024-07-18"),
    Deployment("gpt-5.1-mini", model="gpt-5.1-mini", kind="reasoning"),
    # requests-per-minute 2: the 3rd request within a minute is answered 429 (RATE-001)
    Deployment("tiny-quota", model="gpt-4o-mini-2024-07-18", rpm=2),
    # models of other providers on v1 (seed 001, seed 002; conformance.model_families):
    # reasoning content apart from the answer, no tools, no JSON response format
    Deployment("DeepSeek-R1", model="DeepSeek-R1", family="deepseek-r1"),
    Deployment("MAI-DS-R1", model="MAI-DS-R1", family="mai-ds-r1"),
    # reasoning content and reasoning_effort, tools supported
    Deployment("grok-3-mini", model="grok-3-mini", family="grok-3-mini"),
)


@dataclass(frozen=True)
class EmulatorConfig:
    api_key: str = DEFAULT_API_KEY
    deployments: tuple[Deployment, ...] = DEFAULT_DEPLOYMENTS
    faults: tuple[str, ...] = ()
    profile: str | None = None
    jwt_secret: str = DEFAULT_JWT_SECRET
    max_body_bytes: int = 1_048_576
    max_json_depth: int = 64
    # seconds between streamed chunks (0: as fast as possible)
    stream_delay: float = 0.0
    # without a delay, how many SSE events may share one write (1: one write per event)
    stream_batch: int = 8
    # check request bodies against the spec's request schema (400 naming the field)
    validate_requests: bool = True

    def __post_init__(self) -> None:
        bad = unknown_faults(list(self.faults))
        if bad:
            raise UsageError(
                f"unknown fault {bad[0]!r}; run `aoai-conformance emulate --list-faults` "
                f"to see the {len(FAULTS)} faults"
            )
        if self.profile is not None and self.profile not in PROFILES:
            raise UsageError(
                f"unknown profile {self.profile!r}; choose one of: {', '.join(PROFILES)}"
            )
        if not self.deployments:
            raise UsageError("no deployments configured; pass at least one --deployment NAME")
        for d in self.deployments:
            if d.family not in FAMILIES:
                raise UsageError(
                    f"deployment {d.name!r}: unknown model family {d.family!r}; choose one "
                    f"of: {', '.join(FAMILY_NAMES)}"
                )
        names = [d.name for d in self.deployments]
        if len(set(names)) != len(names):
            raise UsageError("a deployment name is configured twice; give each a unique name")
        if not self.api_key:
            raise UsageError("the api key must not be empty; pass --api-key KEY")

    def has(self, fault: Fault) -> bool:
        """Is ``fault`` switched on (``faults`` holds the names given on the CLI or in code)?"""
        return fault in self.faults

    def deployment(self, name: str) -> Deployment | None:
        for d in self.deployments:
            if d.name == name:
                return d
        return None
