"""The emulator's ASGI application: dispatch by path, api-version and surface.

The pieces a request goes through live beside this module (surfaces.py names the
surfaces and their paths): versions.py picks the spec an api-version names, auth.py
checks credentials, validation.py the body and the model rules, chat.py and
responses.py answer, errors.py renders every error; state.py holds what they share.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.emulator import auth, responses, validation, versions
from conformance.emulator.chat import chat
from conformance.emulator.config import EmulatorConfig
from conformance.emulator.errors import ApiError, answer_error, not_found
from conformance.emulator.faults import Fault
from conformance.emulator.state import EmulatorState
from conformance.emulator.surfaces import (
    DATED_PATH,
    DATED_RESPONSES_PATH,
    DATED_SINGULAR_PATH,
    FOUNDRY,
    FOUNDRY_PATHS,
    GATEWAY_PROFILE,
    V1,
    V1_PREFIX,
    gateway_path,
)
from generator.errors import AoaiError

__all__ = ["create_app", "handle", "EmulatorApp"]

log = logging.getLogger("conformance.emulator")

_V1_ROUTES = ("/chat/completions", "/responses", "/models")


async def handle(state: EmulatorState, request: Request) -> Response:
    """Answer one HTTP request; every failure is an error envelope, never an exception."""
    try:
        return await _dispatch(state, request)
    except ClientDisconnect:
        # the client went away mid-body: nobody will read an answer
        return Response(status_code=400)
    except ApiError as error:
        if error.type is not None and request.scope["path"].startswith(V1_PREFIX + "/"):
            # the v1 spec types error.type as the enum ["error"] (AzureErrorResponse);
            # leave it out rather than send an OpenAI-style "invalid_request_error"
            error.type = None
        return answer_error(error, state.config)
    except AoaiError as exc:
        # a spec this surface needs is not on this machine (offline, no mirror): an
        # honest 503 naming the fix, not a 500 that looks like a contract answer
        log.warning("emulator: cannot serve %s: %s", request.url.path, exc)
        return answer_error(
            ApiError(503, "SpecUnavailable", f"the emulator cannot serve this: {exc}"),
            state.config,
        )
    except Exception:  # noqa: BLE001 - the last line of defence: a 500 in the envelope
        state.internal_errors += 1
        log.exception("emulator: unexpected error on %s %s", request.method, request.url.path)
        return answer_error(
            ApiError(500, "InternalServerError", "the emulator failed unexpectedly"),
            state.config,
        )


async def _dispatch(state: EmulatorState, request: Request) -> Response:
    path = request.scope["path"]
    method = request.method
    if state.config.profile == GATEWAY_PROFILE:
        return await _gateway(state, request, path, method)
    if path.startswith(V1_PREFIX + "/"):
        return await _v1(state, request, path[len(V1_PREFIX) :], method)
    match = DATED_PATH.match(path)
    if match is None and state.config.has(Fault.WRONG_PATH_ACCEPTED):
        match = DATED_SINGULAR_PATH.match(path)
    if match is not None:
        _allow(method, "POST")
        return await _dated(state, request, match.group(1))
    if path in FOUNDRY_PATHS:
        _allow(method, "POST")
        return await _foundry(state, request)
    if path == DATED_RESPONSES_PATH:
        _allow(method, "POST")
        return await _dated_responses(state, request)
    raise not_found()


def _allow(method: str, allowed: str) -> None:
    if method != allowed:
        raise ApiError(
            405,
            "MethodNotAllowed",
            f"method {method} is not allowed on this path; use {allowed}",
            headers={"Allow": allowed},
        )


async def _dated(state: EmulatorState, request: Request, deployment_name: str) -> Response:
    surface = versions.dated_surface(state, versions.api_version(request))
    auth.authenticate(state, request, surface.name)
    deployment = validation.deployment_named(state, deployment_name)
    return await chat(state, request, surface, deployment)


async def _dated_responses(state: EmulatorState, request: Request) -> Response:
    surface = versions.dated_responses_surface(state, versions.api_version(request))
    auth.authenticate(state, request, surface.name)
    return await responses.create(state, request, surface)


async def _v1(state: EmulatorState, request: Request, rest: str, method: str) -> Response:
    if rest in _V1_ROUTES or rest.startswith("/models/"):
        versions.check_v1_api_version(state, versions.api_version(request))
    if rest == "/chat/completions":
        _allow(method, "POST")
        auth.authenticate(state, request, V1)
        return await chat(state, request, state.v1, None)
    if rest == "/responses":
        _allow(method, "POST")
        auth.authenticate(state, request, V1)
        return await responses.create(state, request)
    if rest == "/models" or rest.startswith("/models/"):
        _allow(method, "GET")
        auth.authenticate(state, request, V1)
        return responses.models(state, rest[len("/models/") :] if rest != "/models" else None)
    if state.config.has(Fault.V1_BASE_DATED_PATH_ACCEPTED):
        match = DATED_PATH.match("/openai" + rest)
        if match is not None:
            _allow(method, "POST")
            return await _dated(state, request, match.group(1))
    # seed 000 §Checklist (Endpoint): the dated shape under /openai/v1/ is a 404
    raise not_found()


async def _foundry(state: EmulatorState, request: Request) -> Response:
    surface = versions.foundry_surface(state, versions.api_version(request))
    auth.authenticate(state, request, FOUNDRY)
    deployment = validation.header_deployment(state, request)
    return await chat(state, request, surface, deployment)


async def _gateway(state: EmulatorState, request: Request, path: str, method: str) -> Response:
    deployment = state.config.deployments[0]
    if path != gateway_path(deployment.name):
        raise not_found()
    _allow(method, "POST")
    auth.authenticate_gateway(state, request)
    return await chat(state, request, state.gateway, deployment)


class EmulatorApp(Starlette):
    """A Starlette app whose HTTP requests go straight to the emulator.

    The emulator routes by itself (every miss must be a 404 in the error envelope, every
    method must reach it to be answered 405 in the envelope) and turns any unexpected
    exception into a 500 envelope, so Starlette's router and error middleware would only
    add cost per request; lifespan and other scopes still go through Starlette.
    """

    emulator: EmulatorState

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope["app"] = self
            response = await handle(self.emulator, Request(scope, receive, send))
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """The emulator as a Starlette app (serve it with uvicorn or use it via ASGITransport)."""
    state = EmulatorState(config or EmulatorConfig())

    async def endpoint(request: Request) -> Response:
        return await handle(state, request)

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    app = EmulatorApp(routes=[Route("/{path:path}", endpoint, methods=methods)])
    app.emulator = state
    app.state.emulator = state
    return app
