"""The emulator: the embedded default endpoint (issue 4).

An ASGI app (Starlette) serving the dated, v1 and Foundry chat-completions surfaces and
seed 003's gateway profile, with deterministic answers, streaming, tools, JSON mode, auth
(api-key or Entra-shaped bearer), rate limits, error envelopes and named faults.

    from conformance.emulator import create_app, EmulatorConfig
    app = create_app(EmulatorConfig(faults=("no-done",)))
"""

from conformance.emulator.app import create_app
from conformance.emulator.config import (
    CONTENT_FILTER_TRIGGER,
    DEFAULT_API_KEY,
    DEFAULT_DEPLOYMENTS,
    DEFAULT_JWT_SECRET,
    PROFILES,
    Deployment,
    EmulatorConfig,
)
from conformance.emulator.faults import FAULTS, Fault, FaultEntry

__all__ = [
    "CONTENT_FILTER_TRIGGER",
    "DEFAULT_API_KEY",
    "DEFAULT_DEPLOYMENTS",
    "DEFAULT_JWT_SECRET",
    "FAULTS",
    "PROFILES",
    "Deployment",
    "EmulatorConfig",
    "Fault",
    "FaultEntry",
    "create_app",
]
