"""Targets: the embedded emulator or a live base URL, its surfaces, credentials and specs.

``open_target(options)`` turns command-line options (and the SDKs' environment
variables) into one :class:`~conformance.run.context.RunContext` per surface to check:

- no target: the emulator in process (starlette's ``TestClient``, no sockets), all three
  surfaces, api-key auth, an Entra-shaped token for AUTH-004, its reasoning and
  rate-limited deployments for MODEL-001 and RATE-001;
- a live URL: surfaces detected with cheap probes that spend no tokens (or forced with
  ``--surface``), credentials from ``--api-key``/``AZURE_OPENAI_API_KEY`` or Entra ID.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from conformance.http.auth import ENTRA_SCOPE, BearerHeaders, EntraTokenProvider, default_credential
from conformance.http.budget import Budget, BudgetExhausted
from conformance.http.client import HttpClient, InfrastructureError, connect
from conformance.http.policy import RetryPolicy, TransportPolicy
from conformance.http.secrets import KEY_ENV_VARS, Secrets
from conformance.http.tls import tls_settings
from conformance.run.context import RunContext
from conformance.run.options import TargetOptions
from conformance.run.profiles import Profile, load_profile
from conformance.run.spec_plan import SpecPlan, plan_specs
from conformance.surfaces import GATEWAY_SPEC_ID, SURFACES, pins_api_version, rules_for
from generator.errors import AoaiError, UsageError
from generator.spec.registry import Registry, load_registry

__all__ = [
    "Target",
    "TargetUnreachable",
    "open_target",
    "split_target_url",
    "ENTRA_SCOPE",
    "EMULATOR_BASE_URL",
]

# The in-process emulator answers any host; naming the address `aoai-conformance emulate`
# listens on by default makes every curl reproduction of an embedded run replayable
# against `aoai-conformance emulate [--fault NAME]` as it is.
EMULATOR_BASE_URL = "http://127.0.0.1:8000"


class TargetUnreachable(AoaiError):
    """The target answered nothing usable (exit 3)."""

    exit_code = 3


@dataclass
class Target:
    label: str
    contexts: list[RunContext]
    budget: Budget
    emulator: bool
    profile: Profile | None
    notes: list[str] = field(default_factory=list)
    # the run's one set of credentials (TargetOptions.secrets), grown by Entra refreshes
    secrets: Secrets = field(default_factory=Secrets, repr=False)
    transport: TransportPolicy = field(default_factory=TransportPolicy, repr=False)
    token_provider: EntraTokenProvider | None = field(default=None, repr=False)


@dataclass
class _ContextFactory:
    """The one place a :class:`RunContext` (and its :class:`HttpClient`) is made.

    It holds what every surface of a target shares: the options, the specs and versions,
    the profile, the budget and the transport policy (retries, circuit breaker).
    """

    opts: TargetOptions
    registry: Registry
    versions: dict[str, str]
    api_version: str | None
    explicit: bool
    profile: Profile | None
    budget: Budget
    transport: TransportPolicy

    def http(self, base_url: str, client: Any, auth_headers: Mapping[str, str]) -> HttpClient:
        return HttpClient(
            base_url=base_url,
            client=client,
            budget=self.budget,
            auth_headers=auth_headers,
            secrets=self.opts.secrets,
            timeout_s=self.opts.timeout_s,
            transport=self.transport,
        )

    def make(
        self, surface: str, http: HttpClient, deployment: str, bearer: str | None, **facts: Any
    ) -> RunContext:
        opts, profile = self.opts, self.profile
        version = _version_for(surface, self.api_version, self.versions, opts.surface, profile)
        return RunContext(
            # each surface records its own exchanges; the pool and the budget are shared
            http=replace(http, exchanges=[], server_errors={}),
            surface=surface,  # type: ignore[arg-type]
            deployment=deployment,
            api_version=version,
            spec_ids=_spec_ids(self.registry, surface, version),
            profile=profile,
            model_family=opts.model_family,
            bearer_token=bearer,
            api_version_explicit=self.explicit,
            token_param="max_completion_tokens" if opts.reasoning else "max_tokens",
            **facts,
        )


def split_target_url(url: str) -> tuple[str, str | None, str]:
    """(resource base URL, surface hinted by the path or None, Foundry prefix)."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        shown = re.sub(r"//[^/@\s]*@", "//***@", url)  # never echo user:password@
        raise UsageError(
            f"--target {shown!r} is not an http(s) URL; pass e.g. https://RESOURCE.openai.azure.com"
        )
    if parsed.userinfo:
        # never echoed: the URL itself holds a credential
        raise UsageError(
            "--target must not carry credentials (user:password@); "
            "pass the key with --api-key or AZURE_OPENAI_API_KEY"
        )
    if b"api-key=" in parsed.query.lower() or b"subscription-key=" in parsed.query.lower():
        raise UsageError(
            "--target must not carry a key in its query string; "
            "pass the key with --api-key or AZURE_OPENAI_API_KEY"
        )
    path = parsed.path.rstrip("/")
    base = str(parsed.copy_with(path="", query=None, fragment=None)).rstrip("/")
    if path.endswith("/openai/v1"):
        return base + path[: -len("/openai/v1")], "v1", "/models"
    if path.endswith("/openai"):
        return base + path[: -len("/openai")], None, "/models"
    if path.endswith("/models"):
        return base + path[: -len("/models")], "foundry", "/models"
    return base + path, None, "/models"


def _latest_versions(registry: Registry) -> dict[str, str]:
    out: dict[str, str] = {}
    dated = registry.latest("dated", ga_only=True) or registry.latest("dated")
    if dated:
        out["dated"] = dated.api_version
    foundry = registry.latest("foundry")
    if foundry:
        out["foundry"] = foundry.api_version
    return out


def _spec_ids(registry: Registry, surface: str, api_version: str | None) -> dict[str, str]:
    entry = None
    if api_version:
        entry = registry.find_version(api_version, surface)  # type: ignore[arg-type]
    entry = entry or registry.latest(surface)  # type: ignore[arg-type]
    return {surface: entry.id} if entry else {}


def _plan(
    surfaces: list[str],
    registry: Registry,
    opts: TargetOptions,
    api_version: str | None,
    versions: dict[str, str],
    profile: Profile | None,
    gateway: bool = False,
) -> SpecPlan:
    """The surfaces whose specs this machine has (or fetches now), before any request."""
    needs: dict[str, list[str]] = {}
    for surface in surfaces:
        version = _version_for(surface, api_version, versions, opts.surface, profile)
        needs[surface] = list(_spec_ids(registry, surface, version).values())
        if gateway:
            needs[surface].append(GATEWAY_SPEC_ID)
    return plan_specs(registry, needs, opts.announce)


def _credentials(
    opts: TargetOptions, env: dict[str, str]
) -> tuple[Mapping[str, str], EntraTokenProvider | None, str]:
    """(auth headers, Entra token provider, auth mode) for a live target."""
    key = opts.api_key or next((env[n] for n in KEY_ENV_VARS if env.get(n)), None)
    mode = opts.auth or ("api-key" if key else None)
    if mode is None:
        raise UsageError(
            "no credentials for the target: pass --api-key KEY (or set AZURE_OPENAI_API_KEY), "
            "or choose --auth entra or --auth none"
        )
    if mode == "none":
        return {}, None, mode
    if mode == "api-key":
        if not key:
            raise UsageError(
                "--auth api-key needs a key: pass --api-key KEY or set AZURE_OPENAI_API_KEY"
            )
        return {"api-key": key}, None, mode
    provider = EntraTokenProvider(
        opts.credential or _entra_credential(), ENTRA_SCOPE, secrets=opts.secrets
    )
    provider.token()  # fail now (exit 2) when no credential source works
    return BearerHeaders(provider), provider, mode


def _entra_credential() -> Any:
    """The TokenCredential of ``--auth entra`` (tests replace it; nothing else does)."""
    return default_credential()


# Every answer of a probe is evidence (a 5xx included); 429 and the gateway statuses
# 502/503/504 go through the retry policy and, persisting, count as "no answer".
_PROBE_ANSWERS = tuple(s for s in range(100, 600) if s not in (429, 502, 503, 504))
# A route exists: served (an invalid probe body answered 400/422, or auth refused it).
_ROUTE_STATUSES = (200, 400, 401, 403, 422)
# An api-version no service has: a Foundry endpoint refuses it naming api-version.
PROBE_API_VERSION = "1999-01-01-aoai-conformance-probe"
# A path no service has, beside a surface's route (its base path + this): what the target
# answers to a path it does not serve there. Sent only when the route answered a 5xx.
PROBE_UNKNOWN_SUFFIX = "/aoai-conformance-probe-no-such-route"


@dataclass
class Probe:
    """One detection request and what it told (rendered into the report's notes)."""

    request: str
    answer: str  # "400", or the transport failure
    status: int | None = None
    text: str = ""


@dataclass
class Detection:
    """Per surface: the probes sent, the decision and why (the report lists them)."""

    surface: str
    probes: list[Probe] = field(default_factory=list)
    served: bool = False
    decision: str = ""
    prefix: str = "/models"  # Foundry: where the route was found

    def note(self) -> str:
        asked = "; ".join(f"{p.request} -> {p.answer}" for p in self.probes)
        return f"detection: {self.surface}: {self.decision} ({asked})"


def _ask(
    ctx: RunContext,
    method: str,
    path: str,
    *,
    params: Mapping[str, str] | None = None,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Probe:
    """Send one probe (no tokens: GET or an invalid body); never raises for an answer."""
    shown = path + (f"?{httpx.QueryParams(params)}" if params else "")
    try:
        exchange = ctx.send(
            method,
            path,
            params=params if params is not None else {},
            json_body=body,
            headers=headers,
            expect_status=_PROBE_ANSWERS,
        )
    except (InfrastructureError, BudgetExhausted) as exc:
        return Probe(f"{method} {shown}", f"no answer: {exc}")
    return Probe(f"{method} {shown}", str(exchange.status), exchange.status, exchange.text)


def _route_decision(found: Detection, ctx: RunContext, probe: Probe) -> bool:
    """Decide from one probe of a surface's route; False when the probe is no evidence.

    A 5xx is *served and failing* (checked, and reported), unless a path no service has,
    beside the route, gets the same answer: then the 5xx says nothing about the route
    (a gateway that answers 500 to whatever it does not know; ROUTE-003 reports that).
    """
    found.probes.append(probe)
    status = probe.status
    if status is None:
        found.decision = "not checked: the probe got no answer"
        return False
    if status in _ROUTE_STATUSES:
        found.served, found.decision = True, f"served (the route answered {status})"
        return True
    if status >= 500:
        path = rules_for(ctx.surface).base_path + PROBE_UNKNOWN_SUFFIX
        control = _ask(ctx, "POST", path, body={"messages": []})
        found.probes.append(control)
        if control.status == status:
            found.decision = (
                f"not assumed: the route answered {status}, and so does {path}, a path no "
                "service has: the answer is no evidence"
            )
            return False
        found.served = True
        found.decision = f"served and failing (the route answered {status}): checked"
        return True
    found.decision = f"not served (the route answered {status})"
    return False


def _detect_dated(ctx: RunContext) -> Detection:
    found = Detection("dated")
    # invalid on purpose: a 400/422 proves the route without spending tokens
    probe = _ask(ctx, "POST", ctx.chat_path(), params=ctx.default_params(), body={"messages": []})
    _route_decision(found, ctx, probe)
    return found


def _detect_v1(ctx: RunContext) -> Detection:
    """v1 by its models route or, failing that, by its chat route (seed 002 path table)."""
    found = Detection("v1")
    models = _ask(ctx, "GET", "/openai/v1/models")
    found.probes.append(models)
    if models.status in (200, 401, 403):
        found.served = True
        found.decision = f"served (GET /openai/v1/models answered {models.status})"
        return found
    chat = _ask(ctx, "POST", ctx.chat_path(), body={"model": ctx.deployment, "messages": []})
    if _route_decision(found, ctx, chat):
        found.decision += f"; GET /openai/v1/models answered {models.answer} (see V1-001)"
    return found


def _foundry_evidence(probe: Probe, version_probe: Probe) -> str | None:
    """What in the answers is specific to the Foundry model inference API (seed 004)."""
    if version_probe.status in (400, 404) and "api-version" in version_probe.text.lower():
        return f"an unknown api-version is refused naming api-version ({version_probe.status})"
    if probe.status in (400, 422) and "extra-parameters" in probe.text.lower():
        return "the extra-parameters header is validated"
    return None


def _detect_foundry(make: Callable[[str], RunContext], prefixes: tuple[str, ...]) -> Detection:
    """Foundry only on Foundry-specific evidence, never on an OpenAI-style route alone.

    seed 004: ``POST /chat/completions?api-version=2024-05-01-preview`` with the
    ``extra-parameters`` header. A route that answers the invalid probe is not enough
    (an OpenAI-compatible gateway's root ``/chat/completions`` does too): the endpoint
    must also refuse an api-version no service has naming ``api-version``, or validate
    the ``extra-parameters`` header.
    """
    found = Detection("foundry")
    reasons: list[str] = []
    for prefix in prefixes:
        ctx = make(prefix)
        path = ctx.chat_path()
        headers = {**ctx.chat_headers(), "extra-parameters": "aoai-conformance-probe"}
        probe = _ask(
            ctx, "POST", path, params=ctx.default_params(), body={"messages": []}, headers=headers
        )
        found.probes.append(probe)
        if probe.status is None or probe.status not in _ROUTE_STATUSES:
            reasons.append(f"{path} answered {probe.answer}")
            continue
        version_probe = _ask(
            ctx,
            "POST",
            path,
            params={"api-version": PROBE_API_VERSION},
            body={"messages": []},
            headers=ctx.chat_headers(),
        )
        found.probes.append(version_probe)
        evidence = _foundry_evidence(probe, version_probe)
        if evidence is not None:
            found.served = True
            found.decision = f"served at {path} ({evidence})"
            found.prefix = prefix
            return found
        reasons.append(
            f"{path} answers chat requests but shows nothing Foundry-specific (api-version "
            "and extra-parameters are not handled as seed 004 documents)"
        )
    found.decision = "not assumed: " + "; ".join(reasons)
    return found


def _undetected(base: str, detections: list[Detection]) -> str:
    """The one-line error of a target on which no surface was detected, with the reason."""
    probes = [p for d in detections for p in d.probes]
    failed = [p for p in probes if p.status is None]
    if probes and len(failed) == len(probes):
        reason = failed[0].answer.removeprefix("no answer: ")
        return f"{base} did not answer the detection probes ({reason}); check --target"
    answers = ", ".join(
        f"{d.surface} {d.probes[0].request.split(' ', 1)[1].split('?')[0]} {d.probes[-1].answer}"
        for d in detections
        if d.probes
    )
    return (
        f"{base} serves none of the dated, v1 or Foundry chat surfaces (probes: {answers}); "
        "check --target or force one with --surface"
    )


@contextmanager
def open_target(opts: TargetOptions) -> Iterator[Target]:
    """Build the contexts of a run; closes clients (and stops nothing else) on exit."""
    env = dict(os.environ if opts.env is None else opts.env)
    opts.validate(env)
    transport = TransportPolicy(retry=opts.retry or RetryPolicy())
    profile = load_profile(opts.profile) if opts.profile else None
    registry = load_registry()
    versions = _latest_versions(registry)
    api_version = opts.api_version or env.get("OPENAI_API_VERSION")
    explicit = api_version is not None
    budget = Budget(max_requests=opts.max_requests, max_tokens_total=opts.max_tokens_total)
    factory = _ContextFactory(
        opts, registry, versions, api_version, explicit, profile, budget, transport
    )
    opts.remember_keys(env)
    endpoint = opts.endpoint(env)
    if endpoint is None:
        with _emulator_target(factory) as t:
            yield t
        return
    url, source = endpoint
    base, hinted, prefix = split_target_url(url)
    tls = tls_settings(opts.ca_bundle or None, opts.insecure, env)
    headers, provider, _mode = _credentials(opts, env)
    bearer = provider.token() if provider is not None else None
    deployment = opts.deployment or (profile.deployment if profile else None)
    if deployment is None:
        raise UsageError(
            "a live target needs a deployment: pass --deployment NAME (the deployment to test)"
        )
    secrets = opts.secrets
    secrets.add(bearer)
    # verification on unless --insecure (which the CLI announces and the report records)
    client = connect(opts.timeout_s, tls.verify)
    notes = [f"target {base} (from {source})"]
    if base.startswith("https:") or tls.insecure:
        notes.append(tls.description)
    try:
        http = factory.http(base, client, headers)

        def make(surface: str, foundry_prefix: str = prefix) -> RunContext:
            return factory.make(
                surface,
                http,
                deployment,
                bearer,
                emulator=False,
                reasoning_deployment=opts.reasoning_deployment,
                rate_limited_deployment=opts.rate_limited_deployment,
                foundry_prefix=foundry_prefix,
            )

        detections: list[Detection] = []

        def foundry_served() -> bool:
            # Foundry endpoints serve /models/chat/completions (resource endpoints) or
            # /chat/completions at the root (serverless endpoints); seed 004 shows the latter.
            nonlocal prefix
            prefixes = (prefix,) if hinted == "foundry" else ("/models", "")
            found = _detect_foundry(lambda p: make("foundry", p), prefixes)
            detections.append(found)
            if found.served:
                prefix = found.prefix
            return found.served

        detect = profile is None and opts.surface == "auto" and hinted is None
        if profile is not None:
            surfaces = list(profile.surfaces)
        elif opts.surface != "auto":
            surfaces = [opts.surface]
        elif hinted is not None:
            surfaces = [hinted]
        else:
            surfaces = list(SURFACES)
        # before the first probe: the specs each surface needs, and which are here
        plan = _plan(surfaces, registry, opts, api_version, versions, profile)
        notes.extend(plan.notes())
        surfaces = plan.kept
        if profile is None and opts.surface == "foundry" and hinted != "foundry":
            foundry_served()  # only to find the prefix; the run is forced to Foundry
        if detect:
            if "dated" in surfaces:
                detections.append(_detect_dated(make("dated")))
            if "v1" in surfaces:
                detections.append(_detect_v1(make("v1")))
            if "foundry" in surfaces:
                foundry_served()
            surfaces = [d.surface for d in detections if d.served]
            notes.extend(d.note() for d in detections)
            if not surfaces:
                raise TargetUnreachable(_undetected(base, detections))
            notes.append(f"surfaces detected: {', '.join(surfaces)}")
        contexts = [make(s, prefix) for s in surfaces]
        yield Target(base, contexts, budget, False, profile, notes, secrets, transport, provider)
    finally:
        client.close()


def _version_for(
    surface: str,
    api_version: str | None,
    versions: dict[str, str],
    forced: str,
    profile: Profile | None,
) -> str | None:
    if profile is not None and not profile.send_api_version:
        return None
    if not pins_api_version(surface):
        return None  # v1 (seed 002: no api-version)
    if surface == "foundry":
        # --api-version names a dated version unless the run is forced to Foundry
        return api_version if (api_version and forced == "foundry") else versions.get("foundry")
    return api_version or versions.get("dated")


def _embedded_settings(opts: TargetOptions, registry: Registry, api_version: str | None) -> None:
    """Refuse live-target settings the embedded emulator cannot honour (one line, exit 2)."""
    if opts.auth == "none":
        raise UsageError(
            "--auth none only applies to a live target: the embedded emulator requires a key "
            "or an Entra token, as Azure does; drop --auth none or pass --target URL"
        )
    if api_version is None:
        return
    source = "--api-version" if opts.api_version else "OPENAI_API_VERSION"
    surface = "foundry" if opts.surface == "foundry" else "dated"
    if (opts.surface == "auto" or pins_api_version(opts.surface)) and not registry.find_version(
        api_version,
        surface,  # type: ignore[arg-type]
    ):
        served = ", ".join(e.api_version for e in registry.by_surface(surface))  # type: ignore[arg-type]
        raise UsageError(
            f"the embedded emulator serves only the registered {surface} api-versions "
            f"({served}); {api_version} (from {source}) is not one: pass one of them, "
            f"unset {source}, or check a live target with --target URL"
        )


@contextmanager
def _emulator_target(factory: _ContextFactory) -> Iterator[Target]:
    from starlette.testclient import TestClient

    from conformance.emulator import DEFAULT_API_KEY, DEFAULT_JWT_SECRET, EmulatorConfig, create_app
    from conformance.emulator.tokens import mint_token

    opts, profile, registry = factory.opts, factory.profile, factory.registry
    versions, api_version, budget = factory.versions, factory.api_version, factory.budget
    transport = factory.transport

    emulator_profile = profile.emulator_profile if profile is not None else None
    _embedded_settings(opts, registry, api_version)
    # the emulator accepts the key the run sends (--api-key), so a key is never a divergence
    config = EmulatorConfig(
        api_key=opts.api_key or DEFAULT_API_KEY, faults=tuple(opts.faults), profile=emulator_profile
    )
    app = create_app(config)
    if opts.wrap_app is not None:
        app = opts.wrap_app(app)
    token = mint_token(DEFAULT_JWT_SECRET)
    key = config.api_key
    deployments = {d.name: d for d in config.deployments}
    deployment = opts.deployment or (profile.deployment if profile else None) or "gpt-4o-mini"
    reasoning = opts.reasoning_deployment
    rate_limited = opts.rate_limited_deployment
    limited = None
    if profile is None:
        reasoning = reasoning or next((d.name for d in config.deployments if d.reasoning), None)
        # MODEL-002: a deployment whose model documents no tool support (DeepSeek-R1)
        limited = next(
            (d.name for d in config.deployments if "tools" in d.model_family.unsupported), None
        )
        rate_limited = rate_limited or next(
            (d.name for d in config.deployments if d.rpm is not None), None
        )
    if deployment not in deployments:
        raise UsageError(
            f"the emulator has no deployment {deployment!r}; choose one of: "
            + ", ".join(deployments)
        )
    if opts.surface != "auto":
        surfaces = [opts.surface]
    elif profile is not None:
        surfaces = list(profile.surfaces)
    else:
        surfaces = list(SURFACES)
    plan = _plan(
        surfaces, registry, opts, api_version, versions, profile, emulator_profile == "seed-003"
    )
    surfaces = plan.kept
    auth_mode = opts.auth or "api-key"
    headers: dict[str, str] = {}
    if auth_mode == "api-key":
        headers = {"api-key": opts.api_key or key}
    elif auth_mode == "entra":
        headers = {"authorization": f"Bearer {token}"}
    secrets = opts.secrets
    secrets.add(key, token)
    client: Any = TestClient(app, base_url=EMULATOR_BASE_URL, raise_server_exceptions=False)

    http = factory.http(EMULATOR_BASE_URL, client, headers)

    def make(surface: str) -> RunContext:
        return factory.make(
            surface,
            http,
            deployment,
            token,
            emulator=True,
            app=app,
            reasoning_deployment=reasoning,
            rate_limited_deployment=rate_limited,
            limited_deployment=limited,
        )

    label = "emulator (in process)"
    faults = f" with faults {', '.join(opts.faults)}" if opts.faults else ""
    notes = [f"target: the embedded emulator{faults}", *plan.notes()]
    try:
        yield Target(
            label,
            [make(s) for s in surfaces],
            budget,
            True,
            profile,
            notes,
            secrets,
            transport,
        )
    finally:
        client.close()
