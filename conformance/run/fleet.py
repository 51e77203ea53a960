"""Fleets: many targets in one run (``aoai-conformance run --fleet FILE``).

A fleet file is TOML (read with the standard library's ``tomllib``)::

    [defaults]                      # optional: keys every target inherits
    max_requests = 120

    [[target]]
    name = "prod-eu"                # unique; letters, digits, ".", "_" and "-"
    url = "https://prod-eu.openai.azure.com"
    surface = "dated"               # auto (default) | dated | v1 | foundry
    deployments = ["gpt-4o-mini"]
    api_key_env = "PROD_EU_KEY"     # the NAME of the variable that holds the key
    profile = "seed-003"            # optional
    baseline = "baselines/prod-eu.json"   # optional, relative to the fleet file

    [[target]]
    name = "emulator"
    emulator = true                 # the embedded emulator (no url)
    faults = ["no-done"]

Each target runs as a run of its own (its own budget, retry policy and circuit breaker,
its own baseline) on a bounded pool of worker threads; the results form one
:class:`FleetResult` with a section per target and one exit code, the worst of the
targets' (:func:`worst_exit_code`). ``--shard I/N`` keeps the targets whose index in the
list of target names *sorted* is ``I-1`` modulo ``N`` (:func:`shard_names`), so shards are
balanced (sizes differ by at most one) and every CI job computes the same split.

A target's key comes only from the variable its ``api_key_env`` names: the SDKs'
credential and endpoint variables (``AZURE_OPENAI_API_KEY``...) are hidden from every
target run, and every key of the fleet is redacted from every target's output.
"""

from __future__ import annotations

import difflib
import os
import re
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.http.redact import Redactor, redact_text
from conformance.http.secrets import KEY_ENV_VARS
from conformance.model import Finding, Outcome, RunResult, Spend
from conformance.run.options import AUTH_CHOICES, ENDPOINT_ENV_VARS
from conformance.surfaces import SURFACE_CHOICES
from generator.errors import AoaiError, UsageError

__all__ = [
    "FleetTarget",
    "Fleet",
    "FleetSection",
    "FleetResult",
    "FleetOptions",
    "TARGET_KEYS",
    "HIDDEN_ENV",
    "load_fleet",
    "parse_shard",
    "shard_names",
    "worst_exit_code",
    "run_fleet",
]

#: Keys a ``[[target]]`` table (or ``[defaults]``) may have.
TARGET_KEYS = (
    "name",
    "url",
    "emulator",
    "surface",
    "deployments",
    "api_key_env",
    "auth",
    "profile",
    "baseline",
    "faults",
    "api_version",
    "reasoning",
    "reasoning_deployment",
    "rate_limited_deployment",
    "max_requests",
    "max_tokens_total",
    "timeout",
)
_TOP_KEYS = ("target", "defaults")
#: Variables a target run never sees: its key, endpoint and api-version come from the file.
HIDDEN_ENV = (*KEY_ENV_VARS, *ENDPOINT_ENV_VARS, "OPENAI_API_VERSION")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Exit codes from best to worst. A divergence outranks an inconclusive clause, as in a
# single run (RunResult.exit_code); a target's configuration error outranks both, and an
# interrupted fleet is 130 whatever its targets found.
_RANK = {0: 0, 3: 1, 1: 2, 2: 3, 130: 4}


def worst_exit_code(codes: Iterable[int]) -> int:
    """The worst of ``codes``: 130 > 2 > 1 > 3 > 0 (an unknown code counts as 2)."""
    return max(codes, key=lambda c: _RANK.get(c, _RANK[2]), default=0)


@dataclass(frozen=True)
class FleetTarget:
    """One ``[[target]]`` of a fleet file, checked and resolved (paths are absolute)."""

    name: str
    url: str | None = None
    emulator: bool = False
    surface: str = "auto"
    deployments: tuple[str, ...] = ()
    api_key_env: str | None = None
    auth: str | None = None
    profile: str | None = None
    baseline: Path | None = None
    faults: tuple[str, ...] = ()
    api_version: str | None = None
    reasoning: bool = False
    reasoning_deployment: str | None = None
    rate_limited_deployment: str | None = None
    max_requests: int | None = None
    max_tokens_total: int | None = None
    timeout: float | None = None

    @property
    def label(self) -> str:
        return self.url or "emulator (in process)"


@dataclass(frozen=True)
class Fleet:
    path: Path
    targets: tuple[FleetTarget, ...]

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.targets]


def _suggest(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_error(where: str, key: str, wanted: str) -> UsageError:
    return UsageError(f"{where}: {key} must be {wanted}")


def _str(raw: Mapping[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _type_error(where, key, "a non-empty string")
    return value.strip()


def _int(raw: Mapping[str, Any], key: str, where: str) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _type_error(where, key, "a whole number of at least 1")
    return value


def _strings(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _type_error(where, key, 'a list of non-empty strings, e.g. ["gpt-4o-mini"]')
    return tuple(v.strip() for v in value)


def _bool(raw: Mapping[str, Any], key: str, where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise _type_error(where, key, "true or false")
    return value


def _check_keys(raw: Mapping[str, Any], where: str) -> None:
    for key in raw:
        if key in ("api_key", "key", "password", "token"):
            # never echo its value: a key does not belong in a file that is committed
            raise UsageError(
                f"{where}: {key!r} is not read from a fleet file (keys do not belong in it); "
                'put the key in an environment variable and name it: api_key_env = "NAME"'
            )
        if key not in TARGET_KEYS:
            raise UsageError(
                f"{where}: unknown key {key!r}{_suggest(key, TARGET_KEYS)}; "
                f"known keys: {', '.join(TARGET_KEYS)}"
            )


def _relative(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _target(raw: Any, index: int, defaults: Mapping[str, Any], path: Path) -> FleetTarget:
    where = f"{path}: target #{index}"
    if not isinstance(raw, dict):
        raise UsageError(f"{where} must be a table ([[target]] with name = ..., url = ...)")
    _check_keys(raw, where)
    merged = {**defaults, **raw}
    name = _str(raw, "name", where)
    if name is None:
        raise UsageError(f'{where} has no name; add name = "..." (unique in the file)')
    if not _NAME.fullmatch(name):
        raise UsageError(f"{where}: name {name!r} may only hold letters, digits, '.', '_' and '-'")
    where = f"{path}: target {name!r}"
    url = _str(merged, "url", where)
    emulator = _bool(merged, "emulator", where)
    if url is None and not emulator:
        raise UsageError(
            f'{where} has no url; add url = "https://RESOURCE.openai.azure.com" '
            "(or emulator = true for the embedded emulator)"
        )
    if url is not None and emulator:
        raise UsageError(f"{where}: url and emulator = true contradict each other; drop one")
    if url is not None:
        from conformance.run.target import split_target_url

        try:
            split_target_url(url)
        except UsageError as exc:
            raise UsageError(f"{where}: url: {str(exc).replace('--target ', '')}") from None
    surface = _str(merged, "surface", where) or "auto"
    if surface not in SURFACE_CHOICES:
        raise UsageError(f"{where}: surface must be one of {', '.join(SURFACE_CHOICES)}")
    auth = _str(merged, "auth", where)
    if auth is not None and auth not in AUTH_CHOICES:
        raise UsageError(f"{where}: auth must be one of {', '.join(AUTH_CHOICES)}")
    key_env = merged.get("api_key_env")
    if key_env is not None and (not isinstance(key_env, str) or not _ENV_NAME.fullmatch(key_env)):
        # not echoed: a value that is no variable name may be the key itself
        raise UsageError(
            f"{where}: api_key_env must be the NAME of an environment variable (letters, "
            'digits and _, e.g. api_key_env = "PROD_EU_KEY"), not the key itself'
        )
    if emulator and key_env is not None:
        raise UsageError(
            f"{where}: api_key_env does not apply to the embedded emulator (it has its own key)"
        )
    if url is not None and key_env is None and auth in (None, "api-key"):
        raise UsageError(
            f'{where} has no api_key_env; add api_key_env = "NAME" (the environment variable '
            'holding its key), or auth = "entra" / auth = "none"'
        )
    if url is not None and auth in ("entra", "none") and key_env is not None:
        raise UsageError(f"{where}: api_key_env and auth = {auth!r} contradict each other")
    faults = _strings(merged, "faults", where)
    if faults and not emulator:
        raise UsageError(
            f"{where}: faults only apply to an embedded emulator target (emulator = true); "
            "start a faulty emulator with `aoai-conformance emulate --fault NAME` instead"
        )
    if faults:
        from conformance.emulator.faults import unknown_faults

        bad = unknown_faults(list(faults))
        if bad:
            raise UsageError(
                f"{where}: unknown fault {bad[0]!r}; list them with "
                "`aoai-conformance emulate --list-faults`"
            )
    deployments = _strings(merged, "deployments", where)
    if len(set(deployments)) != len(deployments):
        raise UsageError(f"{where}: deployments lists a deployment twice")
    profile = _str(merged, "profile", where)
    if profile is not None:
        from conformance.run.profiles import load_profile

        if profile.endswith(".json"):
            profile = str(_relative(profile, path.parent))
        try:
            loaded = load_profile(profile)
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
        if url is not None and not deployments and loaded.deployment:
            deployments = (loaded.deployment,)
    if url is not None and not deployments:
        raise UsageError(f'{where} has no deployments; add deployments = ["NAME"]')
    baseline_raw = _str(merged, "baseline", where)
    baseline = _relative(baseline_raw, path.parent) if baseline_raw else None
    if baseline is not None and not baseline.is_file():
        raise UsageError(f"{where}: baseline {baseline} does not exist; fix the path")
    timeout = merged.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0
    ):
        raise _type_error(where, "timeout", "a positive number of seconds")
    return FleetTarget(
        name=name,
        url=url,
        emulator=emulator,
        surface=surface,
        deployments=deployments,
        api_key_env=key_env,
        auth=auth,
        profile=profile,
        baseline=baseline,
        faults=faults,
        api_version=_str(merged, "api_version", where),
        reasoning=_bool(merged, "reasoning", where),
        reasoning_deployment=_str(merged, "reasoning_deployment", where),
        rate_limited_deployment=_str(merged, "rate_limited_deployment", where),
        max_requests=_int(merged, "max_requests", where),
        max_tokens_total=_int(merged, "max_tokens_total", where),
        timeout=float(timeout) if timeout is not None else None,
    )


def load_fleet(path: str | os.PathLike[str]) -> Fleet:
    """Read and check a fleet file; every problem is a one-line :class:`UsageError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"fleet file {path} does not exist; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"fleet file {path} is not readable ({exc}); fix the file") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"fleet file {path} is not valid TOML ({exc}); fix the file") from None
    for key in raw:
        if key not in _TOP_KEYS:
            raise UsageError(
                f"{path}: unknown top-level key {key!r}{_suggest(key, _TOP_KEYS)}; a fleet "
                "file has [[target]] tables and an optional [defaults] table"
            )
    defaults = raw.get("defaults", {})
    if not isinstance(defaults, dict):
        raise UsageError(f"{path}: defaults must be a table ([defaults])")
    _check_keys(defaults, f"{path}: [defaults]")
    if "name" in defaults:
        raise UsageError(f"{path}: [defaults] cannot set name (each target has its own)")
    items = raw.get("target")
    if not isinstance(items, list) or not items:
        raise UsageError(
            f'{path} lists no targets; add [[target]] tables with name = "..." and url = "..."'
        )
    targets = [_target(item, i, defaults, path) for i, item in enumerate(items, 1)]
    seen: set[str] = set()
    for target in targets:
        if target.name in seen:
            raise UsageError(f"{path}: two targets are named {target.name!r}; names are unique")
        seen.add(target.name)
    return Fleet(path, tuple(targets))


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` → ``(2, 3)``: shard I of N, 1 ≤ I ≤ N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match is None or not 1 <= int(match[1]) <= int(match[2]):
        raise UsageError(f"--shard {text!r} must be I/N with 1 <= I <= N, e.g. --shard 2/3")
    return int(match[1]), int(match[2])


def shard_names(names: Iterable[str], shard: tuple[int, int] | None) -> set[str]:
    """The names of shard I/N: index in the sorted names ≡ I-1 (mod N)."""
    ordered = sorted(names)
    if shard is None:
        return set(ordered)
    index, count = shard
    return {name for i, name in enumerate(ordered) if i % count == index - 1}


@dataclass
class FleetSection:
    """One target's part of a fleet report."""

    name: str
    url: str
    result: RunResult
    error: str = ""  # a configuration error that stopped this target (exit code 2)
    error_code: int = 0

    def exit_code(self) -> int:
        if self.error:
            return self.error_code or 2
        if self.result.interrupted:
            return 130
        return self.result.exit_code()


@dataclass
class FleetResult:
    """Every target's result, in fleet-file order, and what the fleet as a whole says."""

    sections: list[FleetSection] = field(default_factory=list)
    #: every target name of the fleet file, in file order (a merge checks completeness)
    fleet_targets: list[str] = field(default_factory=list)
    shard: str = ""  # "2/3" when this is one shard
    workers: int = 1
    started_at: str = ""
    duration_s: float = 0.0
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)
    #: names of the fleet that no section covers (a merge of too few shards)
    missing: list[str] = field(default_factory=list)

    def exit_code(self) -> int:
        codes = [s.exit_code() for s in self.sections]
        if self.missing:
            codes.append(3)  # not checked: not a pass
        if self.interrupted:
            codes.append(130)
        return worst_exit_code(codes)

    def counts(self) -> dict[str, int]:
        counts = {o.value: 0 for o in Outcome}
        for section in self.sections:
            for key, value in section.result.counts().items():
                counts[key] += value
        return counts

    def spend(self) -> Spend:
        total = Spend()
        for section in self.sections:
            total.requests += section.result.spend.requests
            total.prompt_tokens += section.result.spend.prompt_tokens
            total.completion_tokens += section.result.spend.completion_tokens
        return total

    def findings(self) -> list[Finding]:
        return [f for s in self.sections for f in s.result.findings]


@dataclass
class FleetOptions:
    """What the command line sets for every target of a fleet run."""

    shard: tuple[int, int] | None = None
    workers: int = 4
    select: tuple[str, ...] = ()
    deselect: tuple[str, ...] = ()
    schemathesis: bool = True
    boundary: str = "sample"
    max_requests: int = 150
    max_tokens_total: int | None = None
    timeout: float = 30.0
    env: Mapping[str, str] | None = None  # default: os.environ


ProgressFactory = Callable[[FleetTarget], Any]


def fleet_secrets(fleet: Fleet, env: Mapping[str, str]) -> list[str]:
    """Every key the fleet's variables hold (each target's output is redacted of all)."""
    return [env[t.api_key_env] for t in fleet.targets if t.api_key_env and env.get(t.api_key_env)]


def _keys(targets: Iterable[FleetTarget], env: Mapping[str, str], path: Path) -> dict[str, str]:
    keys: dict[str, str] = {}
    for target in targets:
        if target.api_key_env is None:
            continue
        value = env.get(target.api_key_env)
        if not value:
            # the variable's name, never a value
            raise UsageError(
                f"{path}: target {target.name!r} reads its key from ${target.api_key_env}, "
                "which is not set (or empty); export it before the run"
            )
        keys[target.name] = value
    return keys


def _options(target: FleetTarget, opts: FleetOptions, key: str | None, env: dict[str, str]) -> Any:
    from conformance.run.options import RunOptions

    # a fleet entry uses the `run` command's setting names (run/options.py checks them)
    return RunOptions.from_settings(
        {
            "target": target.url,
            "emulator": target.emulator,
            "surface": target.surface,
            "deployment": target.deployments,
            "api_version": target.api_version,
            "auth": target.auth,
            "api_key": key,
            "profile": target.profile,
            "reasoning": target.reasoning,
            "reasoning_deployment": target.reasoning_deployment,
            "rate_limited_deployment": target.rate_limited_deployment,
            "max_requests": target.max_requests or opts.max_requests,
            "max_tokens_total": target.max_tokens_total or opts.max_tokens_total,
            "timeout": target.timeout or opts.timeout,
            "faults": target.faults,
            "select": opts.select,
            "deselect": opts.deselect,
            "schemathesis": opts.schemathesis,
            "boundary": opts.boundary,
        },
        env=env,
    )


def _run_one(
    target: FleetTarget,
    opts: FleetOptions,
    key: str | None,
    env: dict[str, str],
    secrets: list[str],
    progress: Any,
) -> tuple[FleetSection, tuple[str, ...]]:
    from conformance.run.baseline import load_baseline
    from conformance.run.runner import execute, unreachable_result
    from conformance.run.target import TargetUnreachable

    options = _options(target, opts, key, env)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        baseline = load_baseline(target.baseline) if target.baseline else None
        result, found = execute(options, progress, baseline)
    except TargetUnreachable as exc:
        result = unreachable_result(options, exc)
        result.target = target.label
        return FleetSection(target.name, target.label, result), ()
    except AoaiError as exc:
        message = redact_text(str(exc), secrets)
        empty = RunResult(target=target.label, surfaces=[], started_at=started)
        empty.notes.append(f"error: {message}")
        return FleetSection(target.name, target.label, empty, message, exc.exit_code), ()
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - one target's bug must not end the fleet
        message = redact_text(f"the run failed: {type(exc).__name__}: {exc}", secrets)
        empty = RunResult(target=target.label, surfaces=[], started_at=started)
        empty.notes.append(message)
        return FleetSection(target.name, target.label, empty, message, 3), ()
    return FleetSection(target.name, target.label, result), found


def run_fleet(
    fleet: Fleet,
    opts: FleetOptions,
    progress: ProgressFactory | None = None,
) -> tuple[FleetResult, tuple[str, ...]]:
    """Run the fleet's targets (the shard's, when ``opts.shard`` is set) concurrently.

    Returns the result and every secret the runs used (for redacting report files).
    A missing key variable is a :class:`UsageError` before any request is sent.
    """
    if opts.workers < 1:
        raise UsageError("--workers must be at least 1")
    env = dict(os.environ if opts.env is None else opts.env)
    wanted = shard_names(fleet.names, opts.shard)
    targets = [t for t in fleet.targets if t.name in wanted]
    keys = _keys(targets, env, fleet.path)
    target_env = {k: v for k, v in env.items() if k not in HIDDEN_ENV}
    secrets = fleet_secrets(fleet, env)
    started = time.perf_counter()
    result = FleetResult(
        fleet_targets=fleet.names,
        shard=f"{opts.shard[0]}/{opts.shard[1]}" if opts.shard else "",
        workers=opts.workers,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    if opts.shard and not targets:
        result.notes.append(f"shard {result.shard} holds no target of this fleet")
    found: dict[str, tuple[FleetSection, tuple[str, ...]]] = {}
    lock = threading.Lock()
    pool = ThreadPoolExecutor(max_workers=opts.workers, thread_name_prefix="fleet")
    futures: dict[str, Future[tuple[FleetSection, tuple[str, ...]]]] = {}
    try:
        for target in targets:
            futures[target.name] = pool.submit(
                _run_one,
                target,
                opts,
                keys.get(target.name),
                dict(target_env),
                secrets,
                progress(target) if progress is not None else None,
            )
        for name, future in futures.items():
            outcome = future.result()
            with lock:
                found[name] = outcome
    except KeyboardInterrupt:
        result.interrupted = True
        pool.shutdown(wait=False, cancel_futures=True)
        for name, future in futures.items():
            if name not in found and future.done() and not future.cancelled():
                found[name] = future.result()
        not_run = [t.name for t in targets if t.name not in found]
        result.notes.append(
            "interrupted: the report holds the targets finished so far"
            + (f"; not finished: {', '.join(not_run)}" if not_run else "")
        )
    finally:
        pool.shutdown(wait=not result.interrupted)
    all_secrets = list(secrets)
    for target in targets:
        if target.name in found:
            done, used = found[target.name]
            result.sections.append(done)
            all_secrets.extend(used)
    result.duration_s = round(time.perf_counter() - started, 3)
    clean = Redactor(all_secrets)
    result.notes = [clean(n) for n in result.notes]
    return result, tuple(dict.fromkeys(all_secrets))
