"""The emulator's ASGI application: routing per surface, auth, limits, chat completions.

Surfaces (DESIGN "The surfaces"):
- dated ``/openai/deployments/{deployment}/chat/completions?api-version=V`` (seeds 000, 002);
- v1 ``/openai/v1/chat/completions``, ``/openai/v1/responses``, ``/openai/v1/models`` (001, 002);
- Foundry model inference ``/models/chat/completions`` and ``/chat/completions`` (004);
- the gateway profile of seed 003 (``EmulatorConfig(profile="seed-003")``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from conformance.emulator import responses_api
from conformance.emulator.body import read_json_object
from conformance.emulator.config import CONTENT_FILTER_TRIGGER, Deployment, EmulatorConfig
from conformance.emulator.errors import ApiError, error_response
from conformance.emulator.faults import Fault
from conformance.emulator.generate import Completion, complete
from conformance.emulator.ids import header, query_param, request_id
from conformance.emulator.ratelimit import RateLimiter
from conformance.emulator.render import Render, completion_body, stream_events
from conformance.emulator.schemas import first_error, schema_of, validator
from conformance.emulator.tokens import TokenError, verify_token
from generator.errors import AoaiError
from generator.spec import load_registry, load_spec

__all__ = ["create_app", "Emulator", "Surface"]

log = logging.getLogger("conformance.emulator")

_DATED = re.compile(r"^/openai/deployments/([^/]+)/chat/completions$")
# fault wrong-path-accepted only: the singular ".../chat/completion"
_DATED_SINGULAR = re.compile(r"^/openai/deployments/([^/]+)/chat/completion$")
_FOUNDRY_PATHS = ("/models/chat/completions", "/chat/completions")
_V1_API_VERSIONS = ("v1", "preview")  # v1 spec: AzureAIFoundryModelsApiVersion enum
_FOUNDRY_SPEC_ID = "foundry-model-inference-2024-05-01-preview"
_GATEWAY_SPEC_ID = "azure-openai-2024-10-21"


@dataclass(frozen=True)
class Surface:
    """Where a request landed: the surface name, its spec and its request schema."""

    name: str  # dated | v1 | foundry | gateway
    spec_id: str
    request_schema: str
    response_schema: str
    stream_schema: str


def _not_found(message: str = "Resource not found", code: str = "404") -> ApiError:
    return ApiError(404, code, message)


def _paths_or_none(spec_id: str) -> dict[str, Any]:
    """The spec's paths, or none when it is not on this machine (a version it cannot serve)."""
    try:
        paths: dict[str, Any] = load_spec(spec_id).document.get("paths", {})
    except AoaiError:
        return {}
    return paths


class Emulator:
    """Request handling for one configuration (one instance per app)."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.faults = frozenset(config.faults)
        self.deployments = {d.name: d for d in config.deployments}
        self.limiter = RateLimiter()
        self.internal_errors = 0  # unexpected exceptions answered 500 (tests assert 0)
        self.throttled = 0  # requests answered 429
        registry = load_registry()
        dated = registry.by_surface("dated")
        self.dated: dict[str, Surface] = {
            e.api_version: Surface(
                "dated",
                e.id,
                "createChatCompletionRequest",
                "createChatCompletionResponse",
                "createChatCompletionStreamResponse",
            )
            for e in dated
        }
        # dated api-versions whose spec has POST /responses (loaded lazily, on first use)
        self._dated_ids = {e.api_version: e.id for e in dated}
        latest = registry.latest("dated")
        self.latest_dated = self.dated[latest.api_version] if latest else None
        v1 = registry.latest("v1")
        self.v1 = Surface(
            "v1",
            v1.id if v1 else "azure-openai-v1",
            "AzureCreateChatCompletionRequest",
            "AzureCreateChatCompletionResponse",
            "AzureCreateChatCompletionStreamResponse",
        )
        self.foundry: dict[str, Surface] = {
            e.api_version: Surface(
                "foundry", e.id, "ChatCompletionsOptions", "ChatCompletions", "ChatCompletions"
            )
            for e in registry.by_surface("foundry")
        }
        self.gateway = Surface(
            "gateway",
            _GATEWAY_SPEC_ID,
            "createChatCompletionRequest",
            "createChatCompletionResponse",
            "createChatCompletionStreamResponse",
        )
        self._foundry_known: dict[str, frozenset[str]] = {}
        self.missing_specs: dict[str, str] = {}  # spec id -> why (filled by warm_up)
        self._validators: dict[tuple[str, str], Any] = {}
        self._render_flags = dict(
            wrong_object=config.has(Fault.WRONG_OBJECT),
            invalid_finish_reason=config.has(Fault.FINISH_REASON_INVALID),
            usage_total_wrong=config.has(Fault.USAGE_TOTAL_WRONG),
            arguments_as_object=config.has(Fault.TOOL_ARGUMENTS_OBJECT),
            stream_wrong_object=config.has(Fault.STREAM_WRONG_OBJECT),
            stream_bad_json=config.has(Fault.STREAM_BAD_JSON_CHUNK),
            stream_no_role=config.has(Fault.STREAM_NO_ROLE),
            stream_no_finish_reason=config.has(Fault.STREAM_NO_FINISH_REASON),
            stream_no_usage=config.has(Fault.STREAM_NO_USAGE),
            no_done=config.has(Fault.NO_DONE),
        )
        self._renders = {
            d.name: Render(model=d.model, **self._render_flags) for d in config.deployments
        }

    @property
    def dated_responses(self) -> dict[str, str]:
        found: dict[str, str] | None = getattr(self, "_responses_versions", None)
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
                    validator(self.v1.spec_id, "AzureCreateResponse")
                if surface.name == "foundry":
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

    # ------------------------------------------------------------------ entry point
    async def handle(self, request: Request) -> Response:
        try:
            return await self._dispatch(request)
        except ClientDisconnect:
            # the client went away mid-body: nobody will read an answer
            return Response(status_code=400)
        except ApiError as error:
            if error.type is not None and request.scope["path"].startswith("/openai/v1/"):
                # the v1 spec types error.type as the enum ["error"] (AzureErrorResponse);
                # leave it out rather than send an OpenAI-style "invalid_request_error"
                error.type = None
            return self.error(error)
        except AoaiError as exc:
            # a spec this surface needs is not on this machine (offline, no mirror): an
            # honest 503 naming the fix, not a 500 that looks like a contract answer
            log.warning("emulator: cannot serve %s: %s", request.url.path, exc)
            return self.error(
                ApiError(503, "SpecUnavailable", f"the emulator cannot serve this: {exc}")
            )
        except Exception:  # noqa: BLE001 - the last line of defence: a 500 in the envelope
            self.internal_errors += 1
            log.exception("emulator: unexpected error on %s %s", request.method, request.url.path)
            return self.error(
                ApiError(500, "InternalServerError", "the emulator failed unexpectedly")
            )

    def error(self, error: ApiError) -> Response:
        if error.status == 422 and self.config.has(Fault.FOUNDRY_422_NO_DETAIL):
            error.extra.pop("detail", None)
            error.top_level.pop("detail", None)
        return error_response(
            error,
            apim_envelope=self.config.has(Fault.ERROR_ENVELOPE_APIM),
            ms_error_code=not self.config.has(Fault.NO_X_MS_ERROR_CODE),
        )

    async def _dispatch(self, request: Request) -> Response:
        path = request.scope["path"]
        method = request.method
        if self.config.profile == "seed-003":
            return await self._gateway(request, path, method)
        if path.startswith("/openai/v1/"):
            return await self._v1(request, path[len("/openai/v1") :], method)
        match = _DATED.match(path)
        if match is None and self.config.has(Fault.WRONG_PATH_ACCEPTED):
            match = _DATED_SINGULAR.match(path)
        if match is not None:
            self._allow(method, "POST")
            return await self._dated(request, match.group(1))
        if path in _FOUNDRY_PATHS:
            self._allow(method, "POST")
            return await self._foundry(request)
        if path == "/openai/responses":
            self._allow(method, "POST")
            return await self._dated_responses(request)
        raise _not_found()

    async def _dated_responses(self, request: Request) -> Response:
        """seed 000 §Relationship to Responses API: ``/openai/responses`` on the dated
        surface, for the api-versions whose spec has the operation."""
        version = query_param(request.scope["query_string"], b"api-version")
        spec_id = self.dated_responses.get(version or "")
        if spec_id is None:
            known = ", ".join(sorted(self.dated_responses)) or "none"
            raise _not_found(
                f"Resource not found: the Responses API needs an api-version that has it ({known})"
            )
        self.authenticate(request, "dated")
        surface = Surface("dated", spec_id, "createResponse", "response", "responseStreamEvent")
        return await responses_api.create(self, request, surface)

    @staticmethod
    def _allow(method: str, allowed: str) -> None:
        if method != allowed:
            raise ApiError(
                405,
                "MethodNotAllowed",
                f"method {method} is not allowed on this path; use {allowed}",
                headers={"Allow": allowed},
            )

    # ------------------------------------------------------------------ surfaces
    async def _dated(self, request: Request, deployment_name: str) -> Response:
        # seed 000 §Checklist to resolve the 404 (API version): missing or unsupported → 404
        version = query_param(request.scope["query_string"], b"api-version")
        if version is None:
            if not self.config.has(Fault.MISSING_API_VERSION_ACCEPTED) or self.latest_dated is None:
                raise _not_found("Resource not found: the api-version query parameter is missing")
            surface = self.latest_dated
        elif version in self.dated:
            surface = self.dated[version]
        elif (
            self.config.has(Fault.UNSUPPORTED_API_VERSION_ACCEPTED)
            and self.latest_dated is not None
        ):
            surface = self.latest_dated
        else:
            raise _not_found(f"Resource not found: api-version '{version[:40]}' is not supported")
        self.authenticate(request, surface.name)
        deployment = self._deployment(deployment_name)
        return await self.chat(request, surface, deployment)

    async def _v1(self, request: Request, rest: str, method: str) -> Response:
        if rest in ("/chat/completions", "/responses", "/models") or rest.startswith("/models/"):
            self._check_v1_api_version(request)
        if rest == "/chat/completions":
            self._allow(method, "POST")
            self.authenticate(request, "v1")
            return await self.chat(request, self.v1, None)
        if rest == "/responses":
            self._allow(method, "POST")
            self.authenticate(request, "v1")
            return await responses_api.create(self, request)
        if rest == "/models" or rest.startswith("/models/"):
            self._allow(method, "GET")
            self.authenticate(request, "v1")
            return responses_api.models(
                self, rest[len("/models/") :] if rest != "/models" else None
            )
        if self.config.has(Fault.V1_BASE_DATED_PATH_ACCEPTED):
            match = _DATED.match("/openai" + rest)
            if match is not None:
                self._allow(method, "POST")
                return await self._dated(request, match.group(1))
        # seed 000 §Checklist (Endpoint): the dated shape under /openai/v1/ is a 404
        raise _not_found()

    def _check_v1_api_version(self, request: Request) -> None:
        version = query_param(request.scope["query_string"], b"api-version")
        if version is None or version in _V1_API_VERSIONS:
            return
        if self.config.has(Fault.V1_ACCEPTS_DATED_API_VERSION):
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

    async def _foundry(self, request: Request) -> Response:
        version = query_param(request.scope["query_string"], b"api-version")
        if version is None:
            raise ApiError(
                400,
                "MissingApiVersionParameter",
                "the api-version query parameter is required; add ?api-version=2024-05-01-preview",
                param="api-version",
            )
        surface = self.foundry.get(version)
        if surface is None:
            raise ApiError(
                400,
                "UnsupportedApiVersion",
                f"api-version '{version[:40]}' is not supported; use "
                + " or ".join(sorted(self.foundry)),
                param="api-version",
            )
        self.authenticate(request, "foundry")
        header_value = header(request.scope, b"azureml-model-deployment")
        deployment = None
        if header_value is not None:
            deployment = self.deployments.get(header_value)
            if deployment is None:
                if not self.config.has(Fault.FOUNDRY_UNKNOWN_DEPLOYMENT_200):
                    # seed 004 §Request Header azureml-model-deployment
                    raise _not_found(
                        f"deployment '{header_value[:64]}' (azureml-model-deployment) does "
                        "not exist; use one of: " + ", ".join(self.deployments),
                        "DeploymentNotFound",
                    )
                deployment = self.config.deployments[0]
        return await self.chat(request, surface, deployment)

    async def _gateway(self, request: Request, path: str, method: str) -> Response:
        deployment = self.config.deployments[0]
        if path != f"/openai/deployments/{deployment.name}/chat/completions":
            raise _not_found()
        self._allow(method, "POST")
        # seed 003 §Authentication: api-key header only; §401 Unauthorized text
        key = header(request.scope, b"api-key")
        if key is None and not self.config.has(Fault.MISSING_KEY_ACCEPTED):
            raise ApiError(401, "Unauthorized", "Access denied due to missing api-key header")
        if key is not None and key != self.config.api_key:
            if not self.config.has(Fault.WRONG_KEY_ACCEPTED):
                raise self._invalid_key(key, "Access denied due to invalid api-key", "Unauthorized")
        return await self.chat(request, self.gateway, deployment)

    # ------------------------------------------------------------------ shared steps
    def _invalid_key(self, key: str, message: str, code: str) -> ApiError:
        if self.config.has(Fault.KEY_ECHOED_IN_401):
            message = f"{message} '{key}'"
        return ApiError(401, code, message)

    def authenticate(self, request: Request, surface: str) -> None:
        """api-key or ``Authorization: Bearer`` (seed 000 §Authentication; seed 002 Entra ID)."""
        code = "Unauthorized" if surface == "foundry" else "401"
        key = header(request.scope, b"api-key")
        if key is not None:
            if key == self.config.api_key or self.config.has(Fault.WRONG_KEY_ACCEPTED):
                return
            raise self._invalid_key(
                key,
                "Access denied due to invalid subscription key or wrong API endpoint. Make sure "
                "to provide a valid key for an active subscription and use a correct regional "
                "API endpoint for your resource.",
                code,
            )
        authorization = header(request.scope, b"authorization")
        if authorization is None or not authorization.strip():
            if self.config.has(Fault.MISSING_KEY_ACCEPTED):
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
        if surface in ("v1", "foundry") and token == self.config.api_key:
            # The openai SDK's OpenAI(api_key=KEY) and azure-ai-inference send the key as a
            # bearer token (seed 001 §API Key; seed 004 §Security: "Bearer abcde12345").
            return
        if self.config.has(Fault.BEARER_REJECTED) and token.count(".") == 2:
            raise ApiError(401, code, "bearer tokens are not accepted")
        try:
            verify_token(token, self.config.jwt_secret)
        except TokenError as exc:
            if token.count(".") != 2 and self.config.has(Fault.WRONG_KEY_ACCEPTED):
                return
            raise ApiError(401, code, f"Access denied: {exc}") from None

    def _deployment(self, name: str) -> Deployment:
        deployment = self.deployments.get(name)
        if deployment is not None:
            return deployment
        shown = name[:64]
        if self.config.has(Fault.UNKNOWN_DEPLOYMENT_400):
            raise ApiError(
                400,
                "400",
                f"Invalid model name passed in model={shown}",
                param="model",
                type_="invalid_request_error",
            )
        # seed 000 §Checklist (Path): the deployment name must exactly match
        raise _not_found(
            f"The API deployment '{shown}' for this resource does not exist; check the "
            "deployment name (configured: " + ", ".join(self.deployments) + ")",
            "DeploymentNotFound",
        )

    async def read_body(self, request: Request, surface: Surface) -> dict[str, Any]:
        try:
            return await read_json_object(
                request,
                max_bytes=self.config.max_body_bytes,
                max_depth=self.config.max_json_depth,
            )
        except ApiError as error:
            if surface.name == "gateway" and error.status == 400:
                raise _gateway_bad_request() from None
            raise

    def validate(self, surface: Surface, body: dict[str, Any], schema: str | None = None) -> None:
        """400 naming the wrong field when the body breaks the spec's request schema."""
        if not self.config.validate_requests:
            return
        temperature = body.get("temperature")
        if (
            self.config.has(Fault.TEMPERATURE_ABOVE_MAX_ACCEPTED)
            and isinstance(temperature, int | float)
            and temperature > 2
        ):
            body = {k: v for k, v in body.items() if k != "temperature"}
        key = (surface.spec_id, schema or surface.request_schema)
        compiled = self._validators.get(key)
        if compiled is None:
            compiled = self._validators[key] = validator(*key)
        found = first_error(compiled, body)
        if found is None:
            return
        where, why = _sharpen(body, *found)
        if surface.name == "gateway":
            raise _gateway_bad_request()
        if surface.name == "foundry":
            raise _unprocessable(where or "body", _value_at(body, where), why)
        field = where or "body"
        raise ApiError(
            400,
            "invalid_request_body" if surface.name != "v1" else "invalid_value",
            f"Invalid value for '{field}': {why[:300]}",
            param=field,
            type_="invalid_request_error",
        )

    def _foundry_extra_parameters(
        self, request: Request, surface: Surface, body: dict[str, Any]
    ) -> dict[str, Any]:
        known = self._foundry_known.get(surface.spec_id)
        if known is None:
            known = frozenset(schema_of(surface.spec_id, surface.request_schema)["properties"])
            self._foundry_known[surface.spec_id] = known
        mode = header(request.scope, b"extra-parameters") or "error"
        if mode not in ("error", "drop", "pass-through"):
            raise ApiError(
                400,
                "InvalidHeader",
                f"extra-parameters must be error, drop or pass-through, not '{mode[:40]}'",
                param="extra-parameters",
            )
        extra = [name for name in body if name not in known]
        if not extra:
            return body
        # seed 004 §Request Header extra-parameters: "error" (the default) rejects,
        # "drop" removes the unknown parameters, "pass-through" hands them to the model.
        rejects = mode == "error" and not self.config.has(Fault.FOUNDRY_EXTRA_PARAMETERS_IGNORED)
        if mode == "drop" and self.config.has(Fault.FOUNDRY_DROP_REJECTED):
            rejects = True
        if rejects:
            name = extra[0]
            raise _unprocessable(
                name,
                body[name],
                f"extra parameter '{name}' is not allowed; remove it or send the header "
                "extra-parameters: drop or pass-through",
            )
        return {k: v for k, v in body.items() if k in known}

    def _family_rules(self, deployment: Deployment, body: dict[str, Any]) -> None:
        """The documented limitations of a model of another provider (model_families).

        DeepSeek-R1 and MAI-DS-R1 document "Tool calling: No" and "Response formats: Text"
        (FOUNDRY_MODELS §DeepSeek models, §Microsoft models): tools and a JSON response
        format are refused with a 400 that names the parameter.
        """
        family = deployment.model_family
        for param in family.unsupported:  # tools first: the documented order
            value = body.get(param)
            if (
                value is None
                or value == []
                or (
                    param == "response_format"
                    and isinstance(value, dict)
                    and value.get("type") == "text"
                )
            ):
                continue
            if self.config.has(Fault.LIMITATION_ANSWERED_500):
                raise ApiError(
                    500, "InternalServerError", "The server had an error processing your request."
                )
            raise ApiError(
                400,
                "unsupported_parameter",
                f"Unsupported parameter: '{param}' is not supported with this model "
                f"({deployment.model}).",
                param=param,
                type_="invalid_request_error",
            )

    def _model_rules(self, deployment: Deployment, body: dict[str, Any]) -> dict[str, Any]:
        self._family_rules(deployment, body)
        if not deployment.reasoning:
            return body
        # seed 002 §changelog 2024-09-01-preview: max_tokens doesn't work with o1-series
        # (reasoning) models; max_completion_tokens replaces it
        if body.get("max_tokens") is not None:
            if not self.config.has(Fault.REASONING_ACCEPTS_MAX_TOKENS):
                raise ApiError(
                    400,
                    "unsupported_parameter",
                    "Unsupported parameter: 'max_tokens' is not supported with this model. "
                    "Use 'max_completion_tokens' instead.",
                    param="max_tokens",
                    type_="invalid_request_error",
                )
        temperature = body.get("temperature")
        if temperature is not None and temperature != 1:
            raise ApiError(
                400,
                "unsupported_value",
                f"Unsupported value: 'temperature' does not support {temperature} with this "
                "model. Only the default (1) value is supported.",
                param="temperature",
                type_="invalid_request_error",
            )
        return body

    def _content_filter(self, body: dict[str, Any]) -> bool:
        for message in body.get("messages") or ():
            if not isinstance(message, dict) or message.get("role") != "user":
                continue
            content = message.get("content")
            if isinstance(content, list):
                content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            if isinstance(content, str) and CONTENT_FILTER_TRIGGER in content:
                return True
        return False

    def _tool_choice(self, body: dict[str, Any]) -> None:
        choice = body.get("tool_choice")
        if choice is None:
            return
        tools = body.get("tools") or []
        names = {(t.get("function") or {}).get("name") for t in tools if isinstance(t, dict)}
        if choice == "required" and not tools:
            raise ApiError(
                400,
                "invalid_value",
                "tool_choice 'required' needs at least one tool in 'tools'",
                param="tool_choice",
                type_="invalid_request_error",
            )
        if isinstance(choice, dict):
            name = (choice.get("function") or {}).get("name")
            if name not in names:
                raise ApiError(
                    400,
                    "invalid_value",
                    f"tool_choice names the function '{str(name)[:64]}', which is not in 'tools'",
                    param="tool_choice",
                    type_="invalid_request_error",
                )

    @staticmethod
    def _ranges(body: dict[str, Any]) -> None:
        """Value ranges some specs leave open (OpenAI API reference: n is 1..128,
        max_tokens / max_completion_tokens are positive, at most 4 stop sequences)."""

        def bad(param: str, message: str) -> ApiError:
            return ApiError(
                400, "invalid_value", message, param=param, type_="invalid_request_error"
            )

        n = body.get("n")
        if n is not None and not (isinstance(n, int) and 1 <= n <= 128):
            raise bad("n", f"Invalid value for 'n': {str(n)[:20]}; it must be between 1 and 128")
        for name in ("max_tokens", "max_completion_tokens"):
            value = body.get(name)
            if value is not None and not (isinstance(value, int) and value >= 1):
                raise bad(name, f"Invalid value for '{name}': {str(value)[:20]}; it must be >= 1")
        stop = body.get("stop")
        if isinstance(stop, list) and (len(stop) > 4 or not all(isinstance(s, str) for s in stop)):
            raise bad("stop", "Invalid value for 'stop': give at most 4 strings")

    def rate_limit(self, deployment: Deployment, tokens: int) -> dict[str, str]:
        decision = self.limiter.check(deployment, tokens)
        if decision is None:
            return {}
        if decision.allowed:
            return decision.headers()
        headers = decision.headers()
        self.throttled += 1
        if not self.config.has(Fault.NO_RETRY_AFTER):
            # seed 004 §429 Too Many Requests: the client must pace its requests
            headers.update(self.limiter.retry_after_header(decision.retry_after))
        raise ApiError(
            429,
            "429",
            f"Requests to deployment '{deployment.name}' have exceeded its rate limit "
            f"({_limits(deployment)}). Retry after {max(1, round(decision.retry_after))} "
            "second(s).",
            headers=headers,
        )

    def generate(
        self, body: dict[str, Any], deployment: Deployment, default_temperature: float
    ) -> Completion:
        family = deployment.model_family
        return complete(
            body,
            deployment=deployment.name,
            reasoning=deployment.reasoning or family.reasoning_content,
            visible_reasoning=family.reasoning_content,
            reasoning_effort=family.reasoning_effort,
            default_temperature=default_temperature,
            ignore_n=self.config.has(Fault.N_IGNORED),
            ignore_max_tokens=self.config.has(Fault.MAX_TOKENS_IGNORED),
            json_mode_prose=self.config.has(Fault.JSON_MODE_NOT_JSON),
        )

    # ------------------------------------------------------------------ chat completions
    async def chat(
        self, request: Request, surface: Surface, deployment: Deployment | None
    ) -> Response:
        body = await self.read_body(request, surface)
        if surface.name == "foundry":
            body = self._foundry_extra_parameters(request, surface, body)
        self.validate(surface, body)
        if deployment is None:  # v1 and Foundry: the deployment is the body's model
            model = body.get("model")
            if surface.name == "foundry" and model is None:
                deployment = self.config.deployments[0]
            elif surface.name == "foundry" and model not in self.deployments:
                if self.config.has(Fault.FOUNDRY_UNKNOWN_DEPLOYMENT_200):
                    deployment = self.config.deployments[0]
                else:
                    raise _not_found(
                        f"model '{str(model)[:64]}' is not deployed here; use one of: "
                        + ", ".join(self.deployments),
                        "DeploymentNotFound",
                    )
            else:
                deployment = self._deployment(str(model))
        body = self._model_rules(deployment, body)
        filtered = self._content_filter(body)
        if filtered and not self.config.has(Fault.CONTENT_FILTER_200):
            raise _content_filter_error()
        self._tool_choice(body)
        self._ranges(body)
        n = body.get("n") or 1
        budget = body.get("max_completion_tokens") or body.get("max_tokens") or 16
        completion = self.generate(body, deployment, 0.7 if surface.name == "gateway" else 1.0)
        headers = self.rate_limit(deployment, completion.prompt_tokens + int(budget) * int(n))
        if filtered:  # fault content-filter-200 only
            for choice in completion.choices:
                choice.content, choice.finish_reason, choice.tool_calls = "", "content_filter", []
                choice.completion_tokens = 0
        if surface.name == "foundry":
            # the Model Inference API returns the reasoning in the content, within <think>
            # tags (model_families REASONING_HOWTO §Reasoning content)
            for choice in completion.choices:
                if choice.reasoning is not None:
                    answer = choice.content or ""
                    choice.content = f"<think>\n{choice.reasoning}\n</think>\n\n{answer}"
                    choice.reasoning = None
        headers["apim-request-id"] = request_id()
        render = self._renders[deployment.name]
        if body.get("stream") is True:
            options = body.get("stream_options") or {}
            include_usage = isinstance(options, dict) and options.get("include_usage") is True
            events = stream_events(
                completion,
                render,
                include_usage=include_usage,
                full_tool_deltas=surface.name == "foundry",
            )
            media = (
                "application/json"
                if self.config.has(Fault.STREAM_CONTENT_TYPE_JSON)
                else "text/event-stream"
            )
            headers["cache-control"] = "no-cache"
            events = self._framing_faults(events)
            return StreamingResponse(self._paced(events), media_type=media, headers=headers)
        return JSONBytes(completion_body(completion, render), headers)

    def _framing_faults(self, events: Iterator[bytes]) -> Iterator[bytes]:
        """Faults stream-single-newline and stream-bare-keepalive (strict SSE framing)."""
        if self.config.has(Fault.STREAM_BARE_KEEPALIVE):
            yield b"ping\n\n"
        single = self.config.has(Fault.STREAM_SINGLE_NEWLINE)
        for event in events:
            yield event[:-1] if single and event.endswith(b"\n\n") else event

    async def _paced(self, events: Iterator[bytes]) -> AsyncIterator[bytes]:
        """The events, one write each when paced; without a delay, up to ``stream_batch``
        events share one write (the bytes on the wire are the same SSE events)."""
        delay = self.config.stream_delay
        if delay:
            for event in events:
                yield event
                await asyncio.sleep(delay)
            return
        batch = max(1, self.config.stream_batch)
        pending: list[bytes] = []
        for event in events:
            pending.append(event)
            if len(pending) >= batch:
                yield b"".join(pending)
                pending.clear()
        if pending:
            yield b"".join(pending)


class JSONBytes(Response):
    """A 200 ``application/json`` answer whose raw headers are built directly (hot path)."""

    media_type = "application/json"

    def __init__(self, body: bytes, headers: dict[str, str]) -> None:
        self.status_code = 200
        self.background = None
        self.body = body
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw.append((b"content-length", str(len(body)).encode("latin-1")))
        raw.append((b"content-type", b"application/json"))
        self.raw_headers = raw


def _limits(deployment: Deployment) -> str:
    parts = []
    if deployment.rpm is not None:
        parts.append(f"{deployment.rpm} requests")
    if deployment.tpm is not None:
        parts.append(f"{deployment.tpm} tokens")
    return " and ".join(parts) + f" per {deployment.window_seconds:g} s"


# Roles a chat message may have across the registered specs (the request schemas' oneOf
# members, discriminated by role).
_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
_MESSAGE = re.compile(r"^messages\[(\d+)\]$")
_REQUIRED = re.compile(r'^"([^"]+)" is a required property$')


def _sharpen(body: dict[str, Any], where: str, why: str) -> tuple[str, str]:
    """Point a vague "not valid under any of the schemas" at the field that is wrong.

    A message matches one member of a oneOf chosen by its ``role``; when the role itself
    is unknown, the validator can only say that no member matched: name the role instead.
    """
    missing = _REQUIRED.match(why)
    if missing is not None:  # "x" is a required property: name x itself
        return (f"{where}.{missing.group(1)}" if where else missing.group(1)), why
    match = _MESSAGE.match(where)
    if match is None:
        return where, why
    messages = body.get("messages")
    message = messages[int(match.group(1))] if isinstance(messages, list) else None
    if isinstance(message, dict):
        role = message.get("role")
        if role not in _ROLES:
            shown = json.dumps(role)[:40]
            return f"{where}.role", f"{shown} is not one of {', '.join(_ROLES)}"
        if "content" not in message and role in ("system", "user", "developer", "tool"):
            return f"{where}.content", f"a {role} message needs 'content'"
    return where, why


def _value_at(body: Any, where: str) -> Any:
    node = body
    for part in re.findall(r"[^.\[\]]+", where):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def _unprocessable(where: str, value: Any, message: str) -> ApiError:
    """seed 004 §422 UnprocessableContentError: ``detail`` with ``loc`` and ``value``."""
    loc = ["body", *[p for p in re.findall(r"[^.\[\]]+", where)]]
    detail = {"loc": loc, "value": value if isinstance(value, str) else _short_json(value)}
    return ApiError(
        422,
        "UnprocessableContent",
        message,
        extra={"status": 422, "detail": detail},
        top_level={"detail": detail},
    )


def _short_json(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 200 else text[:197] + "..."


def _gateway_bad_request() -> ApiError:
    # seed 003 §400 Bad Request
    return ApiError(400, "BadRequest", "Invalid request format")


def _content_filter_error() -> ApiError:
    """seed 004 §Content filter error / ContentFilterError; Azure's innererror shape."""
    safe = {"filtered": False, "severity": "safe"}
    return ApiError(
        400,
        "content_filter",
        "The response was filtered due to the prompt triggering Azure OpenAI's content "
        "management policy. Please modify your prompt and retry.",
        param="prompt",
        extra={
            "status": 400,
            "innererror": {
                "code": "ResponsibleAIPolicyViolation",
                "content_filter_result": {
                    "hate": {"filtered": True, "severity": "high"},
                    "self_harm": safe,
                    "sexual": safe,
                    "violence": safe,
                },
            },
        },
    )


class EmulatorApp(Starlette):
    """A Starlette app whose HTTP requests go straight to the emulator.

    The emulator routes by itself (every miss must be a 404 in the error envelope, every
    method must reach it to be answered 405 in the envelope) and turns any unexpected
    exception into a 500 envelope, so Starlette's router and error middleware would only
    add cost per request; lifespan and other scopes still go through Starlette.
    """

    emulator: Emulator

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope["app"] = self
            response = await self.emulator.handle(Request(scope, receive, send))
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """The emulator as a Starlette app (serve it with uvicorn or use it via ASGITransport)."""
    emulator = Emulator(config or EmulatorConfig())
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    app = EmulatorApp(routes=[Route("/{path:path}", emulator.handle, methods=methods)])
    app.emulator = emulator
    app.state.emulator = emulator
    return app
