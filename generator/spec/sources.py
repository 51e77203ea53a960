"""Where spec bytes come from, in order, and the sha256 pin that every source must meet.

Order (DESIGN.md, "Parts and data flow"): the user cache, the mirror folder named by
``AOAI_SPECS_MIRROR``, an installed package that ships the spec, the canonical URL.
The first source whose bytes match the pinned sha256 wins; a source with other bytes
is recorded as a mismatch and skipped.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ShaMismatchError, SpecUnavailableError, UsageError
from generator.spec.registry import SpecEntry

__all__ = [
    "Attempt",
    "Resolved",
    "Probe",
    "cache_dir",
    "mirror_dir",
    "network_allowed",
    "resolve",
    "probe",
    "sha256_hex",
    "store_in_cache",
    "report_fetches",
    "missing_reason",
]

MIRROR_ENV = "AOAI_SPECS_MIRROR"
CACHE_ENV = "AOAI_SPECS_CACHE"
OFFLINE_ENV = "AOAI_SPECS_OFFLINE"
FETCH_TIMEOUT_S = 30.0

# Called with one line before each download (the CLI prints it on stderr): fetching is
# never silent. None: say nothing (library use, tests).
_fetch_reporter: Callable[[str], None] | None = None


def report_fetches(reporter: Callable[[str], None] | None) -> None:
    """Announce every download of a spec through ``reporter`` (None: stay quiet)."""
    global _fetch_reporter
    _fetch_reporter = reporter


@dataclass(frozen=True)
class Attempt:
    """One source tried for one spec: what it held and why it was or was not used."""

    source: str  # cache | mirror | package | url
    location: str
    outcome: str  # verified | missing | mismatch | error | skipped
    detail: str = ""

    def describe(self) -> str:
        text = f"{self.source} {self.location}: {self.outcome}"
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True)
class Resolved:
    entry: SpecEntry
    data: bytes
    source: str
    location: str
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True)
class Probe:
    """What ``specs list`` shows: where a spec is (or would come from), without fetching."""

    entry: SpecEntry
    verified: bool
    source: str
    location: str
    attempts: tuple[Attempt, ...]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_dir() -> Path:
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aoai-conformance" / "specs"


def mirror_dir() -> Path | None:
    """The mirror folder named by ``AOAI_SPECS_MIRROR`` (None when unset or empty).

    A value that names no folder is a configuration error, never silently ignored.
    """
    value = os.environ.get(MIRROR_ENV)
    if not value:
        return None
    root = Path(value).expanduser()
    if not root.is_dir():
        what = "a file" if root.exists() else "missing"
        raise UsageError(
            f"{MIRROR_ENV}={value} is not a folder ({what}); point it at a copy of the spec "
            f"mirror, or unset it to use the cache and the installed packages"
        )
    return root


def network_allowed() -> bool:
    return os.environ.get(OFFLINE_ENV, "").lower() not in {"1", "true", "yes"}


def _cache_path(entry: SpecEntry) -> Path:
    return cache_dir() / f"{entry.id}-{entry.sha256[:16]}{entry.suffix}"


def store_in_cache(entry: SpecEntry, data: bytes) -> Path:
    """Write verified bytes into the cache; an unusable cache folder is a one-line error."""
    target = _cache_path(entry)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(
            f"cannot write the spec cache {cache_dir()} ({reason}); set {CACHE_ENV} to a "
            "writable folder"
        ) from None
    return target


def _mirror_candidates(entry: SpecEntry, root: Path) -> list[Path]:
    """A mirror may follow the shared MANIFEST.json, ``<id>/<file>``, or the upstream tree."""
    candidates: list[Path] = []
    manifest = root / "MANIFEST.json"
    if manifest.is_file():
        try:
            for item in json.loads(manifest.read_text(encoding="utf-8")):
                if item.get("id") == entry.id and item.get("file"):
                    candidates.append(root / item["file"])
        except (json.JSONDecodeError, TypeError, AttributeError):
            pass  # a broken manifest only removes one way of finding files
    candidates += [root / entry.id / entry.filename, root / entry.path]
    return list(dict.fromkeys(candidates))


def _package_path(entry: SpecEntry) -> Path | None:
    if entry.package is None:
        return None
    spec = importlib.util.find_spec(entry.package.module)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)))
    for candidate in (base / "_data" / entry.package.path, base / entry.package.path):
        if candidate.is_file():
            return candidate
    return None


def _check(source: str, location: str, data: bytes, entry: SpecEntry) -> Attempt:
    digest = sha256_hex(data)
    if digest == entry.sha256:
        return Attempt(source, location, "verified")
    return Attempt(
        source, location, "mismatch", f"sha256 {digest[:12]}…, pinned {entry.sha256[:12]}…"
    )


def _local_sources(
    entry: SpecEntry,
) -> list[tuple[str, Callable[[], tuple[str, bytes | None, str]]]]:
    def cache() -> tuple[str, bytes | None, str]:
        path = _cache_path(entry)
        return str(path), (path.read_bytes() if path.is_file() else None), "not cached"

    def mirror() -> tuple[str, bytes | None, str]:
        root = mirror_dir()
        if root is None:
            return f"${MIRROR_ENV}", None, "not set"
        for path in _mirror_candidates(entry, root):
            if path.is_file():
                return str(path), path.read_bytes(), ""
        return str(root), None, "no file for this id"

    def package() -> tuple[str, bytes | None, str]:
        if entry.package is None:
            return "-", None, "no package ships it"
        path = _package_path(entry)
        where = f"{entry.package.distribution}:{entry.package.path}"
        if path is None:
            return where, None, f"{entry.package.distribution} not installed"
        return str(path), path.read_bytes(), ""

    return [("cache", cache), ("mirror", mirror), ("package", package)]


def _local_attempts(entry: SpecEntry) -> tuple[list[Attempt], Resolved | None]:
    attempts: list[Attempt] = []
    for name, read in _local_sources(entry):
        try:
            location, data, why = read()
        except OSError as exc:
            attempts.append(Attempt(name, "?", "error", exc.strerror or type(exc).__name__))
            continue
        if data is None:
            outcome = "skipped" if why in {"not set", "no package ships it"} else "missing"
            attempts.append(Attempt(name, location, outcome, why))
            continue
        attempt = _check(name, location, data, entry)
        attempts.append(attempt)
        if attempt.outcome == "verified":
            return attempts, Resolved(entry, data, name, location, tuple(attempts))
    return attempts, None


def _fetch(entry: SpecEntry) -> tuple[Attempt, bytes | None]:
    import httpx  # imported late: most runs never touch the network

    try:
        response = httpx.get(entry.url, timeout=FETCH_TIMEOUT_S, follow_redirects=True)
    except httpx.HTTPError as exc:
        return Attempt("url", entry.url, "error", type(exc).__name__), None
    if response.status_code != 200:
        return Attempt("url", entry.url, "error", f"HTTP {response.status_code}"), None
    attempt = _check("url", entry.url, response.content, entry)
    return attempt, response.content if attempt.outcome == "verified" else None


def probe(entry: SpecEntry) -> Probe:
    """Locate a spec without any network access."""
    attempts, found = _local_attempts(entry)
    if found is not None:
        return Probe(entry, True, found.source, found.location, tuple(attempts))
    return Probe(entry, False, "url", entry.url, tuple(attempts))


def resolve(entry: SpecEntry, *, network: bool | None = None, cache: bool = False) -> Resolved:
    """Return verified bytes for ``entry`` or raise a one-line error naming what was tried.

    Bytes fetched from the URL are always cached; ``cache=True`` (``specs sync``) also
    copies mirror and package hits into the cache.
    """
    attempts, found = _local_attempts(entry)
    if found is not None:
        if cache and found.source != "cache":
            _try_cache(entry, found.data)
        return found
    allow = network_allowed() if network is None else network
    if allow:
        if _fetch_reporter is not None:
            _fetch_reporter(
                f"fetching spec {entry.id} from {entry.url} (once: it is cached in {cache_dir()})"
            )
        attempt, data = _fetch(entry)
        attempts.append(attempt)
        if data is not None:
            _try_cache(entry, data)
            return Resolved(entry, data, "url", entry.url, tuple(attempts))
    else:
        attempts.append(Attempt("url", entry.url, "skipped", f"offline: {OFFLINE_ENV} is set"))
    tried = "; ".join(a.describe() for a in attempts)
    if any(a.outcome == "mismatch" for a in attempts):
        raise ShaMismatchError(
            f"spec '{entry.id}': no source matched the pinned sha256 (tried {tried}); "
            "replace the stale copy, or if upstream really changed, re-pin it with "
            f"`aoai-conformance specs add {entry.api_version}`"
        )
    raise SpecUnavailableError(
        f"spec '{entry.id}': no source has it (tried {tried}); set {MIRROR_ENV} to a folder "
        "holding a copy, or run `aoai-conformance specs sync` where the URL is reachable"
    )


def _try_cache(entry: SpecEntry, data: bytes) -> None:
    try:
        store_in_cache(entry, data)
    except UsageError:
        pass  # a read-only home must not stop a run; the spec is simply read again next time


def missing_reason(found: Probe) -> str:
    """Why a probed spec is not on this machine, in a few words per source."""
    parts = []
    for attempt in found.attempts:
        if attempt.source == "cache":
            parts.append(f"not in the cache {cache_dir()}")
        elif attempt.source == "mirror":
            parts.append(
                f"no mirror ({MIRROR_ENV} not set)"
                if attempt.outcome == "skipped"
                else f"mirror {attempt.location}: {attempt.detail or attempt.outcome}"
            )
        elif attempt.source == "package":
            parts.append(
                "no installed package ships it"
                if attempt.outcome == "skipped"
                else f"package {attempt.location}: {attempt.detail or attempt.outcome}"
            )
    return ", ".join(parts)
