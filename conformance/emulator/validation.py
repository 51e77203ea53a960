"""Request bodies against the spec's schemas, and the model rules a deployment enforces.

- the body: JSON object within the size/depth limits (body.py), valid against the
  surface's request schema (schemas.py), with a 400 (Foundry: 422 with ``detail``) that
  names the wrong field;
- Foundry's ``extra-parameters`` header (seed 004 §Request Header extra-parameters);
- the deployment a request names (path, body ``model`` or azureml-model-deployment);
- model rules: reasoning models refuse ``max_tokens`` and a non-default temperature, other
  providers' models refuse what they document no support for, value ranges, tool_choice.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

from conformance.emulator.body import read_json_object
from conformance.emulator.config import Deployment
from conformance.emulator.errors import ApiError, not_found
from conformance.emulator.faults import Fault
from conformance.emulator.ids import header
from conformance.emulator.schemas import first_error, schema_of, validator
from conformance.emulator.state import EmulatorState
from conformance.emulator.surfaces import FOUNDRY, GATEWAY, V1, Surface

__all__ = [
    "read_body",
    "validate",
    "foundry_extra_parameters",
    "deployment_named",
    "header_deployment",
    "body_deployment",
    "model_rules",
    "tool_choice",
    "ranges",
]


def deployment_named(state: EmulatorState, name: str) -> Deployment:
    """The deployment ``name`` (a path segment or a body's model), or a 404 naming it."""
    deployment = state.deployments.get(name)
    if deployment is not None:
        return deployment
    shown = name[:64]
    if state.config.has(Fault.UNKNOWN_DEPLOYMENT_400):
        raise ApiError(
            400,
            "400",
            f"Invalid model name passed in model={shown}",
            param="model",
            type_="invalid_request_error",
        )
    # seed 000 §Checklist (Path): the deployment name must exactly match
    raise not_found(
        f"The API deployment '{shown}' for this resource does not exist; check the "
        "deployment name (configured: " + ", ".join(state.deployments) + ")",
        "DeploymentNotFound",
    )


def header_deployment(state: EmulatorState, request: Request) -> Deployment | None:
    """Foundry's azureml-model-deployment header: the deployment it names, if it names one."""
    header_value = header(request.scope, b"azureml-model-deployment")
    if header_value is None:
        return None
    deployment = state.deployments.get(header_value)
    if deployment is None:
        if not state.config.has(Fault.FOUNDRY_UNKNOWN_DEPLOYMENT_200):
            # seed 004 §Request Header azureml-model-deployment
            raise not_found(
                f"deployment '{header_value[:64]}' (azureml-model-deployment) does "
                "not exist; use one of: " + ", ".join(state.deployments),
                "DeploymentNotFound",
            )
        deployment = state.config.deployments[0]
    return deployment


def body_deployment(state: EmulatorState, surface: Surface, body: dict[str, Any]) -> Deployment:
    """v1 and Foundry: the deployment is the body's ``model`` (Foundry: the first by default)."""
    model = body.get("model")
    if surface.name == FOUNDRY and model is None:
        return state.config.deployments[0]
    if surface.name == FOUNDRY and model not in state.deployments:
        if state.config.has(Fault.FOUNDRY_UNKNOWN_DEPLOYMENT_200):
            return state.config.deployments[0]
        raise not_found(
            f"model '{str(model)[:64]}' is not deployed here; use one of: "
            + ", ".join(state.deployments),
            "DeploymentNotFound",
        )
    return deployment_named(state, str(model))


async def read_body(state: EmulatorState, request: Request, surface: Surface) -> dict[str, Any]:
    """The body as a JSON object (body.py); the gateway answers seed 003's plain 400."""
    try:
        return await read_json_object(
            request,
            max_bytes=state.config.max_body_bytes,
            max_depth=state.config.max_json_depth,
        )
    except ApiError as error:
        if surface.name == GATEWAY and error.status == 400:
            raise _gateway_bad_request() from None
        raise


def validate(
    state: EmulatorState, surface: Surface, body: dict[str, Any], schema: str | None = None
) -> None:
    """400 naming the wrong field when the body breaks the spec's request schema."""
    if not state.config.validate_requests:
        return
    temperature = body.get("temperature")
    if (
        state.config.has(Fault.TEMPERATURE_ABOVE_MAX_ACCEPTED)
        and isinstance(temperature, int | float)
        and temperature > 2
    ):
        body = {k: v for k, v in body.items() if k != "temperature"}
    key = (surface.spec_id, schema or surface.request_schema)
    compiled = state.validators.get(key)
    if compiled is None:
        compiled = state.validators[key] = validator(*key)
    found = first_error(compiled, body)
    if found is None:
        return
    where, why = _sharpen(body, *found)
    if surface.name == GATEWAY:
        raise _gateway_bad_request()
    if surface.name == FOUNDRY:
        raise _unprocessable(where or "body", _value_at(body, where), why)
    field = where or "body"
    raise ApiError(
        400,
        "invalid_request_body" if surface.name != V1 else "invalid_value",
        f"Invalid value for '{field}': {why[:300]}",
        param=field,
        type_="invalid_request_error",
    )


def foundry_extra_parameters(
    state: EmulatorState, request: Request, surface: Surface, body: dict[str, Any]
) -> dict[str, Any]:
    known = state.foundry_known.get(surface.spec_id)
    if known is None:
        known = frozenset(schema_of(surface.spec_id, surface.request_schema)["properties"])
        state.foundry_known[surface.spec_id] = known
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
    rejects = mode == "error" and not state.config.has(Fault.FOUNDRY_EXTRA_PARAMETERS_IGNORED)
    if mode == "drop" and state.config.has(Fault.FOUNDRY_DROP_REJECTED):
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


def _family_rules(state: EmulatorState, deployment: Deployment, body: dict[str, Any]) -> None:
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
        if state.config.has(Fault.LIMITATION_ANSWERED_500):
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


def model_rules(
    state: EmulatorState, deployment: Deployment, body: dict[str, Any]
) -> dict[str, Any]:
    _family_rules(state, deployment, body)
    if not deployment.reasoning:
        return body
    # seed 002 §changelog 2024-09-01-preview: max_tokens doesn't work with o1-series
    # (reasoning) models; max_completion_tokens replaces it
    if body.get("max_tokens") is not None:
        if not state.config.has(Fault.REASONING_ACCEPTS_MAX_TOKENS):
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


def tool_choice(body: dict[str, Any]) -> None:
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


def ranges(body: dict[str, Any]) -> None:
    """Value ranges some specs leave open (OpenAI API reference: n is 1..128,
    max_tokens / max_completion_tokens are positive, at most 4 stop sequences)."""

    def bad(param: str, message: str) -> ApiError:
        return ApiError(400, "invalid_value", message, param=param, type_="invalid_request_error")

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
