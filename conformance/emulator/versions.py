"""api-version per surface: read it, choose the spec it names, or refuse it.

- dated: missing or unsupported → 404 (seed 000 §Checklist to resolve the 404);
- v1: none, ``v1`` or ``preview``; a dated version → 400 (seed 002 §Troubleshooting);
- Foundry: required, one of the registered versions → else 400;
- dated ``/openai/responses``: only the versions whose spec has the operation → else 404.
"""

from __future__ import annotations

from starlette.requests import Request

from conformance.emulator.errors import ApiError, not_found
from conformance.emulator.faults import Fault
from conformance.emulator.ids import query_param
from conformance.emulator.state import EmulatorState
from conformance.emulator.surfaces import V1_API_VERSIONS, Surface, dated_responses

__all__ = [
    "api_version",
    "dated_surface",
    "check_v1_api_version",
    "foundry_surface",
    "dated_responses_surface",
]


def api_version(request: Request) -> str | None:
    """The ``api-version`` query parameter, or None when absent."""
    return query_param(request.scope["query_string"], b"api-version")


def dated_surface(state: EmulatorState, version: str | None) -> Surface:
    # seed 000 §Checklist to resolve the 404 (API version): missing or unsupported → 404
    config = state.config
    if version is None:
        if not config.has(Fault.MISSING_API_VERSION_ACCEPTED) or state.latest_dated is None:
            raise not_found("Resource not found: the api-version query parameter is missing")
        return state.latest_dated
    if version in state.dated:
        return state.dated[version]
    if config.has(Fault.UNSUPPORTED_API_VERSION_ACCEPTED) and state.latest_dated is not None:
        return state.latest_dated
    raise not_found(f"Resource not found: api-version '{version[:40]}' is not supported")


def check_v1_api_version(state: EmulatorState, version: str | None) -> None:
    if version is None or version in V1_API_VERSIONS:
        return
    if state.config.has(Fault.V1_ACCEPTS_DATED_API_VERSION):
        return
    # seed 002 §Troubleshooting: "api-version parameter rejected"; the v1 spec allows
    # only v1 and preview (AzureAIFoundryModelsApiVersion)
    raise ApiError(
        400,
        "BadRequest",
        f"api-version '{version[:40]}' is not allowed on the v1 API; remove the api-version "
        "query parameter (v1 accepts only 'v1' or 'preview')",
        param="api-version",
        type_="invalid_request_error",
    )


def foundry_surface(state: EmulatorState, version: str | None) -> Surface:
    if version is None:
        raise ApiError(
            400,
            "MissingApiVersionParameter",
            "the api-version query parameter is required; add ?api-version=2024-05-01-preview",
            param="api-version",
        )
    surface = state.foundry.get(version)
    if surface is None:
        raise ApiError(
            400,
            "UnsupportedApiVersion",
            f"api-version '{version[:40]}' is not supported; use "
            + " or ".join(sorted(state.foundry)),
            param="api-version",
        )
    return surface


def dated_responses_surface(state: EmulatorState, version: str | None) -> Surface:
    """seed 000 §Relationship to Responses API: ``/openai/responses`` on the dated
    surface, for the api-versions whose spec has the operation."""
    spec_id = state.dated_responses.get(version or "")
    if spec_id is None:
        known = ", ".join(sorted(state.dated_responses)) or "none"
        raise not_found(
            f"Resource not found: the Responses API needs an api-version that has it ({known})"
        )
    return dated_responses(spec_id)
