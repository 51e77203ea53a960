"""Run options: what a run is asked to do, and the one way a front end builds them.

``aoai-conformance run``, the pytest plugin (``--aoai-NAME``) and a fleet file's targets
all describe a run with the same setting names (the ``run`` command's option names);
:meth:`RunOptions.from_settings` turns them into :class:`RunOptions` and is where every
rule about how the settings combine is checked, once (``--insecure`` with ``--ca-bundle``,
TLS options without a live target, a deployment named twice, ``--emulator`` with
``--target``). Nothing else in the package constructs a :class:`RunOptions`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from conformance.http.policy import RetryPolicy
from conformance.http.secrets import KEY_ENV_VARS, Secrets
from generator.errors import UsageError

__all__ = [
    "RunOptions",
    "TargetOptions",
    "TARGET_OPTION_NAMES",
    "RUN_SETTING_NAMES",
    "AUTH_CHOICES",
    "BOUNDARY_CHOICES",
    "target_options",
    "split_patterns",
    "ENDPOINT_ENV_VARS",
]

AUTH_CHOICES = ("api-key", "entra", "none")
BOUNDARY_CHOICES = ("all", "sample", "none")
#: The environment variables that make a run live without --target (the SDKs' names).
ENDPOINT_ENV_VARS = ("AZURE_OPENAI_ENDPOINT", "OPENAI_BASE_URL")


@dataclass
class TargetOptions:
    target: str | None = None
    surface: str = "auto"
    deployment: str | None = None
    api_version: str | None = None
    auth: str | None = None
    api_key: str | None = field(default=None, repr=False)
    profile: str | None = None
    reasoning: bool = False
    reasoning_deployment: str | None = None
    rate_limited_deployment: str | None = None
    # --model-family: which model family's documented rules apply (None: detect them
    # from the answer's model; conformance.model_families)
    model_family: str | None = None
    max_requests: int = 150
    max_tokens_total: int | None = None
    timeout_s: float = 30.0
    faults: tuple[str, ...] = ()
    emulator: bool = False
    env: dict[str, str] | None = None  # defaults to os.environ (tests pass their own)
    # embedded emulator only: wrap its ASGI app (tests use it to break extra clauses)
    wrap_app: Callable[[Any], Any] | None = field(default=None, repr=False)
    # live targets: TLS trust (--ca-bundle / SSL_CERT_FILE / REQUESTS_CA_BUNDLE) or --insecure
    ca_bundle: str | None = None
    insecure: bool = False
    # --auth entra: a TokenCredential (default: azure-identity's DefaultAzureCredential)
    credential: Any = field(default=None, repr=False)
    # retries and back-off (default: conformance.http.policy.RetryPolicy())
    retry: RetryPolicy | None = None
    # the run's credentials: seeded with the api key, grown by every Entra token issued;
    # the target, its contexts, the logs and the reports all read this one set
    secrets: Secrets = field(default_factory=Secrets, repr=False)
    # told, before any request, which specs are missing and which surfaces are left out
    announce: Callable[[str], None] | None = field(default=None, repr=False)

    def endpoint(self, env: Mapping[str, str]) -> tuple[str, str] | None:
        """(URL, where it came from) of a live target, or None for the embedded emulator:
        ``--target``, else (unless ``--emulator``) the first SDK endpoint variable set."""
        if self.target:
            return self.target, "--target"
        if not self.emulator:
            for name in ENDPOINT_ENV_VARS:
                if env.get(name):
                    return env[name], name
        return None

    def live(self, env: Mapping[str, str]) -> bool:
        """Whether these options name a live target (``--target`` or the SDKs' variables)."""
        return self.endpoint(env) is not None

    def remember_keys(self, env: Mapping[str, str]) -> None:
        """Put the api key the run may send (given, or the SDKs' variables) in :attr:`secrets`."""
        self.secrets.add(self.api_key, *(env.get(name) for name in KEY_ENV_VARS))

    def validate(self, env: Mapping[str, str]) -> None:
        """Every rule about these options alone (one line each, exit 2)."""
        from conformance.model_families import family_named
        from conformance.surfaces import SURFACE_CHOICES

        if self.surface not in SURFACE_CHOICES:
            raise UsageError(f"--surface must be one of {', '.join(SURFACE_CHOICES)}")
        if self.auth is not None and self.auth not in AUTH_CHOICES:
            raise UsageError(f"--auth must be one of {', '.join(AUTH_CHOICES)}")
        if self.max_requests < 1:
            raise UsageError("--max-requests must be at least 1")
        if self.max_tokens_total is not None and self.max_tokens_total < 1:
            raise UsageError("--max-tokens-total must be at least 1")
        if not self.timeout_s > 0:
            raise UsageError("--timeout must be a positive number of seconds, e.g. --timeout 30")
        if self.model_family is not None:
            family_named(self.model_family)  # a one-line usage error naming the families
        if self.insecure and self.ca_bundle:
            raise UsageError("--insecure and --ca-bundle contradict each other; drop one")
        live = self.live(env)
        if (self.insecure or self.ca_bundle) and not live:
            raise UsageError(
                "--ca-bundle/--insecure only apply to a live https target; pass --target URL"
            )
        if self.faults and live:
            raise UsageError("--fault only applies to the embedded emulator; drop --target")


@dataclass
class RunOptions:
    target: TargetOptions = field(default_factory=TargetOptions)
    select: tuple[str, ...] = ()
    deselect: tuple[str, ...] = ()
    schemathesis: bool = True
    boundary: str = "sample"  # all | sample | none (conformance.checks.boundary)
    # several deployments (--deployment ×N): the first is target.deployment
    deployments: tuple[str, ...] = ()

    @classmethod
    def from_settings(
        cls, values: Mapping[str, Any], env: Mapping[str, str] | None = None
    ) -> RunOptions:
        """The options of ``values`` (the ``run`` command's names), every rule checked.

        ``values`` holds :data:`TARGET_OPTION_NAMES` and :data:`RUN_SETTING_NAMES` (a name
        left out keeps its default); ``env``, when given, is the environment both the rules
        and the target read (default: ``os.environ``). A rule broken
        raises :class:`~generator.errors.UsageError` with the one-line fix.
        """
        unknown = set(values) - set(TARGET_OPTION_NAMES) - set(RUN_SETTING_NAMES)
        if unknown:
            raise TypeError(f"no run setting {sorted(unknown)[0]!r}")
        given_env = env
        env = os.environ if env is None else env
        if values.get("emulator") and values.get("target"):
            raise UsageError("--emulator and --target contradict each other; drop one")
        named = values.get("deployment") or ()
        named = (named,) if isinstance(named, str) else tuple(named)
        deployments = tuple(dict.fromkeys(named))
        if len(deployments) != len(named):
            raise UsageError("--deployment names a deployment twice; give each once")
        select = tuple(values.get("select") or ())
        deselect = tuple(values.get("deselect") or ())
        if select or deselect:
            from conformance.checks import REGISTRY

            if not REGISTRY.select(select, deselect):
                raise UsageError(
                    "--select/--deselect leave no clause to run; "
                    "run `aoai-conformance contracts` to list the clause ids"
                )
        boundary = values.get("boundary") or "sample"
        if boundary not in BOUNDARY_CHOICES:
            raise UsageError(
                f"--boundary {boundary!r}: choose one of {', '.join(BOUNDARY_CHOICES)}"
            )
        given = {n: values[n] for n in TARGET_OPTION_NAMES if n in values}
        given["deployment"] = deployments[0] if deployments else None
        options = RunOptions(
            target=target_options(given | {"emulator": bool(values.get("emulator"))}),
            select=select,
            deselect=deselect,
            schemathesis=values.get("schemathesis", True) is not False,
            boundary=boundary,
            deployments=deployments,
        )
        if given_env is not None:
            options.target.env = dict(given_env)  # the target reads the same environment
        options.target.validate(env)
        options.target.remember_keys(env)  # before any request, for any report
        return options


# TargetOptions fields by the front ends' option names (`run --timeout` is timeout_s)
_OPTION_FIELDS = {"timeout": "timeout_s"}
#: The target options every front end offers (`run --NAME`, `pytest --aoai-NAME`).
TARGET_OPTION_NAMES = (
    "target",
    "surface",
    "deployment",
    "api_version",
    "auth",
    "api_key",
    "profile",
    "reasoning",
    "reasoning_deployment",
    "rate_limited_deployment",
    "model_family",
    "max_requests",
    "max_tokens_total",
    "timeout",
    "faults",
    "ca_bundle",
    "insecure",
)


def target_options(values: Mapping[str, Any]) -> TargetOptions:
    """The one way from a front end's option values to :class:`TargetOptions`.

    ``values`` uses the ``run`` command's option names (``timeout``, ``faults``,
    ``ca_bundle``...; the pytest plugin's ``--aoai-NAME`` options map to the same names);
    a name left out keeps its default, None means "not given", an unknown name is a bug.
    """
    known = {f.name for f in fields(TargetOptions)}
    given: dict[str, Any] = {}
    for name, value in values.items():
        field_name = _OPTION_FIELDS.get(name, name)
        if field_name not in known:
            raise TypeError(f"no target option {name!r}")
        if value is None:
            continue
        given[field_name] = tuple(value) if field_name == "faults" else value
    return TargetOptions(**given)


def split_patterns(values: Iterable[str]) -> tuple[str, ...]:
    """``--select A,B --select C`` → ``("A", "B", "C")`` (every front end's pattern lists)."""
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


#: The run-level settings beside the target options (``deployment`` may name several).
RUN_SETTING_NAMES = ("deployment", "emulator", "select", "deselect", "schemathesis", "boundary")
