"""The emulator's runtime state: one per app, handed to every request handler.

Configuration, deployments by name, the rate limiter, the surfaces the spec registry
offers, per-spec caches (validators, Foundry's known parameters, which dated specs have
the Responses API), the renderers, and the counters tests read (``internal_errors``,
``throttled``). It imports no handler, so every handler can take it.
"""

from __future__ import annotations

import gc
from typing import Any

from conformance.emulator.config import Deployment, EmulatorConfig
from conformance.emulator.faults import Fault
from conformance.emulator.ratelimit import RateLimiter
from conformance.emulator.render import Render
from conformance.emulator.schemas import schema_of, validator
from conformance.emulator.surfaces import (
    FOUNDRY,
    V1_FALLBACK_SPEC_ID,
    V1_RESPONSES_SCHEMA,
    Surface,
    dated_chat,
    foundry_chat,
    gateway_chat,
    v1_chat,
)
from generator.errors import AoaiError
from generator.spec import load_registry, load_spec

__all__ = ["EmulatorState"]


def _paths_or_none(spec_id: str) -> dict[str, Any]:
    """The spec's paths, or none when it is not on this machine (a version it cannot serve)."""
    try:
        paths: dict[str, Any] = load_spec(spec_id).document.get("paths", {})
    except AoaiError:
        return {}
    return paths


class EmulatorState:
    """Everything request handling shares for one configuration (one instance per app)."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.deployments: dict[str, Deployment] = {d.name: d for d in config.deployments}
        self.limiter = RateLimiter()
        self.internal_errors = 0  # unexpected exceptions answered 500 (tests assert 0)
        self.throttled = 0  # requests answered 429
        registry = load_registry()
        dated = registry.by_surface("dated")
        self.dated: dict[str, Surface] = {e.api_version: dated_chat(e.id) for e in dated}
        # dated api-versions whose spec has POST /responses (loaded lazily, on first use)
        self._dated_ids = {e.api_version: e.id for e in dated}
        self._responses_versions: dict[str, str] | None = None
        latest = registry.latest("dated")
        self.latest_dated = self.dated[latest.api_version] if latest else None
        v1 = registry.latest("v1")
        self.v1 = v1_chat(v1.id if v1 else V1_FALLBACK_SPEC_ID)
        self.foundry: dict[str, Surface] = {
            e.api_version: foundry_chat(e.id) for e in registry.by_surface("foundry")
        }
        self.gateway = gateway_chat()
        self.foundry_known: dict[str, frozenset[str]] = {}
        self.missing_specs: dict[str, str] = {}  # spec id -> why (filled by warm_up)
        self.validators: dict[tuple[str, str], Any] = {}
        has = config.has
        flags = dict(
            wrong_object=has(Fault.WRONG_OBJECT),
            invalid_finish_reason=has(Fault.FINISH_REASON_INVALID),
            usage_total_wrong=has(Fault.USAGE_TOTAL_WRONG),
            arguments_as_object=has(Fault.TOOL_ARGUMENTS_OBJECT),
            stream_wrong_object=has(Fault.STREAM_WRONG_OBJECT),
            stream_bad_json=has(Fault.STREAM_BAD_JSON_CHUNK),
            stream_no_role=has(Fault.STREAM_NO_ROLE),
            stream_no_finish_reason=has(Fault.STREAM_NO_FINISH_REASON),
            stream_no_usage=has(Fault.STREAM_NO_USAGE),
            no_done=has(Fault.NO_DONE),
        )
        self.renders = {d.name: Render(model=d.model, **flags) for d in config.deployments}

    @property
    def dated_responses(self) -> dict[str, str]:
        """Dated api-version -> spec id, for the specs that have ``POST /responses``."""
        found = self._responses_versions
        if found is None:
            found = {
                version: spec_id
                for version, spec_id in self._dated_ids.items()
                if "/responses" in _paths_or_none(spec_id)
            }
            self._responses_versions = found
        return found

    def warm_up(self) -> None:
        """Load every served spec and compile its validators now, then freeze the heap.

        For long-running servers: the first request of each api-version is then as fast
        as the rest, and ``gc.freeze()`` keeps the large spec documents out of the
        collector's generations (full collections over them cause latency spikes).
        """
        surfaces = [*self.dated.values(), self.v1, *self.foundry.values(), self.gateway]
        missing: dict[str, str] = {}
        for surface in surfaces:
            try:
                validator(surface.spec_id, surface.request_schema)
                if surface is self.v1:
                    validator(self.v1.spec_id, V1_RESPONSES_SCHEMA)
                if surface.name == FOUNDRY:
                    schema_of(surface.spec_id, surface.request_schema)
            except AoaiError as exc:
                # not on this machine: requests it would validate are answered 503
                missing[surface.spec_id] = str(exc)
        self.missing_specs = missing
        gc.collect()
        gc.freeze()
        # Requests allocate many short-lived, acyclic objects (freed by reference
        # counting); collect the young generation less often.
        gc.set_threshold(20_000, 20, 20)
