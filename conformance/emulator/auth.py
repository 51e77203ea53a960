"""Credentials: api-key, ``Authorization: Bearer`` (Entra-shaped JWT or the key), seed 003's
api-key-only gateway (seed 000 §Authentication; seed 002 Entra ID; seed 003 §Authentication)."""

from __future__ import annotations

from starlette.requests import Request

from conformance.emulator.config import EmulatorConfig
from conformance.emulator.errors import ApiError
from conformance.emulator.faults import Fault
from conformance.emulator.ids import header
from conformance.emulator.state import EmulatorState
from conformance.emulator.surfaces import FOUNDRY, V1
from conformance.emulator.tokens import TokenError, verify_token

__all__ = ["authenticate", "authenticate_gateway"]


def _invalid_key(config: EmulatorConfig, key: str, message: str, code: str) -> ApiError:
    if config.has(Fault.KEY_ECHOED_IN_401):
        message = f"{message} '{key}'"
    return ApiError(401, code, message)


def authenticate(state: EmulatorState, request: Request, surface: str) -> None:
    """api-key or ``Authorization: Bearer`` (seed 000 §Authentication; seed 002 Entra ID)."""
    config = state.config
    code = "Unauthorized" if surface == FOUNDRY else "401"
    key = header(request.scope, b"api-key")
    if key is not None:
        if key == config.api_key or config.has(Fault.WRONG_KEY_ACCEPTED):
            return
        raise _invalid_key(
            config,
            key,
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure "
            "to provide a valid key for an active subscription and use a correct regional "
            "API endpoint for your resource.",
            code,
        )
    authorization = header(request.scope, b"authorization")
    if authorization is None or not authorization.strip():
        if config.has(Fault.MISSING_KEY_ACCEPTED):
            return
        raise ApiError(
            401,
            code,
            "Access denied due to missing credentials; send an api-key header or "
            "Authorization: Bearer <token>",
        )
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, code, "the Authorization header must be 'Bearer <token>'")
    if surface in (V1, FOUNDRY) and token == config.api_key:
        # The openai SDK's OpenAI(api_key=KEY) and azure-ai-inference send the key as a
        # bearer token (seed 001 §API Key; seed 004 §Security: "Bearer abcde12345").
        return
    if config.has(Fault.BEARER_REJECTED) and token.count(".") == 2:
        raise ApiError(401, code, "bearer tokens are not accepted")
    try:
        verify_token(token, config.jwt_secret)
    except TokenError as exc:
        if token.count(".") != 2 and config.has(Fault.WRONG_KEY_ACCEPTED):
            return
        raise ApiError(401, code, f"Access denied: {exc}") from None


def authenticate_gateway(state: EmulatorState, request: Request) -> None:
    """seed 003 §Authentication: api-key header only; §401 Unauthorized text."""
    config = state.config
    key = header(request.scope, b"api-key")
    if key is None and not config.has(Fault.MISSING_KEY_ACCEPTED):
        raise ApiError(401, "Unauthorized", "Access denied due to missing api-key header")
    if key is not None and key != config.api_key:
        if not config.has(Fault.WRONG_KEY_ACCEPTED):
            raise _invalid_key(config, key, "Access denied due to invalid api-key", "Unauthorized")
