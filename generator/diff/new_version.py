"""The new-api-version workflow behind ``aoai-conformance specs add API_VERSION``.

Find the dated spec by its canonical path in Azure/azure-rest-api-specs
(``specification/cognitiveservices/data-plane/AzureOpenAI/inference/{preview|stable}/
{version}/inference.json``), first in the mirror (``$AOAI_SPECS_MIRROR``, by its
MANIFEST.json entry or the upstream tree layout), then at the canonical URL (only when
``AOAI_SPECS_OFFLINE`` is not set); pin its sha256 in the registry; and diff it against
the previous registered version of the same surface.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diff.model import SpecDiff
from generator.diff.open import diff_specs
from generator.errors import ShaMismatchError, SpecError, SpecUnavailableError, UsageError
from generator.spec import LoadedSpec, Registry, SpecEntry, load_document, load_spec
from generator.spec.loader import parse_bytes, source_format
from generator.spec.sources import (
    FETCH_TIMEOUT_S,
    MIRROR_ENV,
    OFFLINE_ENV,
    mirror_dir,
    network_allowed,
    sha256_hex,
    store_in_cache,
)

__all__ = [
    "CANONICAL_REPO",
    "RAW_BASE_URL",
    "Found",
    "Added",
    "canonical_path",
    "canonical_url",
    "check_api_version",
    "find_spec_bytes",
    "add_api_version",
]

CANONICAL_REPO = "Azure/azure-rest-api-specs"
# The layout of dated inference specs in Azure/azure-rest-api-specs (see the `path` of
# every dated entry in specs/registry.json).
_CANONICAL_PATH = (
    "specification/cognitiveservices/data-plane/AzureOpenAI/inference/{channel}/{version}/"
    "inference.json"
)
RAW_BASE_URL = "https://raw.githubusercontent.com"
# Dated api-versions: YYYY-MM-DD for GA, YYYY-MM-DD-preview for previews (seed 000 and
# seed 002, "API version changelog").
_DATED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(-preview)?$")
# MANIFEST.json (the shared mirror) names the dated surface "deployments-dated".
_MANIFEST_SURFACES = {"dated": ("dated", "deployments-dated")}


@dataclass(frozen=True)
class Found:
    """Bytes for a new api-version and where they came from."""

    data: bytes
    source: str  # mirror | url
    location: str
    commit: str | None  # commit of Azure/azure-rest-api-specs the bytes are from, if known


@dataclass(frozen=True)
class Added:
    """What ``specs add`` did."""

    entry: SpecEntry
    registry_path: Path
    found: Found
    loaded: LoadedSpec
    previous: SpecEntry | None
    diff: SpecDiff | None
    replaced: SpecEntry | None = None  # the entry --replace overwrote


def check_api_version(api_version: str) -> str:
    match = _DATED.match(api_version)
    if match is None or not (1 <= int(match.group(2)) <= 12 and 1 <= int(match.group(3)) <= 31):
        raise UsageError(
            f"'{api_version}' is not a dated api-version; give YYYY-MM-DD or YYYY-MM-DD-preview "
            "(e.g. 2025-04-01-preview)"
        )
    return api_version


def canonical_path(api_version: str) -> str:
    channel = "preview" if api_version.endswith("-preview") else "stable"
    return _CANONICAL_PATH.format(channel=channel, version=api_version)


def canonical_url(path: str, commit: str | None, base_url: str = RAW_BASE_URL) -> str:
    return f"{base_url.rstrip('/')}/{CANONICAL_REPO}/{commit or 'main'}/{path}"


def _manifest(root: Path) -> list[dict[str, Any]]:
    try:
        items = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return []
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _from_mirror(api_version: str, path: str, surface: str) -> tuple[Found | None, str | None, str]:
    """(found, sha256 the manifest pins, what was looked at)."""
    root = mirror_dir()
    if root is None:
        return None, None, f"{MIRROR_ENV} not set"
    if not root.is_dir():
        return None, None, f"mirror {root} is not a folder"
    surfaces = _MANIFEST_SURFACES.get(surface, (surface,))
    for item in _manifest(root):
        same_path = item.get("path") == path
        same_version = item.get("api_version") == api_version and item.get("surface") in surfaces
        if (same_path or same_version) and item.get("file"):
            candidate = root / str(item["file"])
            if candidate.is_file():
                found = Found(candidate.read_bytes(), "mirror", str(candidate), item.get("commit"))
                return found, item.get("sha256"), str(candidate)
    for candidate in (root / path, root / f"azure-openai-{api_version}" / "inference.json"):
        if candidate.is_file():
            return (
                Found(candidate.read_bytes(), "mirror", str(candidate), None),
                None,
                str(candidate),
            )
    return None, None, f"mirror {root} (MANIFEST.json and {path})"


def _from_url(url: str) -> tuple[bytes | None, str]:
    import httpx  # imported late: only `specs add` without a mirror copy goes online

    try:
        response = httpx.get(url, timeout=FETCH_TIMEOUT_S, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise SpecUnavailableError(
            f"spec unreachable: {url} failed ({type(exc).__name__}); check the network, or put a "
            f"copy in the mirror folder named by {MIRROR_ENV}"
        ) from None
    if response.status_code == 404:
        return None, f"{url} answered 404"
    if response.status_code != 200:
        raise SpecUnavailableError(
            f"spec unreachable: {url} answered HTTP {response.status_code}; retry later, or put a "
            f"copy in the mirror folder named by {MIRROR_ENV}"
        )
    return response.content, url


def find_spec_bytes(
    api_version: str,
    *,
    surface: str = "dated",
    expected_sha256: str | None = None,
    network: bool | None = None,
    base_url: str = RAW_BASE_URL,
) -> Found:
    """Verified bytes of the dated spec for ``api_version`` (mirror first, then the URL)."""
    path = canonical_path(api_version)
    found, pinned, looked = _from_mirror(api_version, path, surface)
    if found is not None:
        digest = sha256_hex(found.data)
        for label, want in (("the mirror's MANIFEST.json", pinned), ("--sha256", expected_sha256)):
            if want and want.lower() != digest:
                raise ShaMismatchError(
                    f"sha256 mismatch for {api_version}: {found.location} has {digest[:12]}…, "
                    f"{label} pins {want[:12]}…; replace the stale copy or correct the pin"
                )
        return found
    allow = network_allowed() if network is None else network
    if not allow:
        root = mirror_dir()
        if root is None or not root.is_dir():
            raise SpecUnavailableError(
                f"spec unreachable: no mirror ({looked}) and {OFFLINE_ENV} is set, so {path} "
                f"cannot be fetched; set {MIRROR_ENV} to a folder with a copy, "
                f"or unset {OFFLINE_ENV}"
            )
        raise SpecUnavailableError(
            f"unknown api-version {api_version}: not in the {looked}, and {OFFLINE_ENV} is set so "
            "the canonical URL was not tried; check the version, or unset "
            f"{OFFLINE_ENV} to fetch it from {CANONICAL_REPO}"
        )
    url = canonical_url(path, None, base_url)
    data, where = _from_url(url)
    if data is None:
        raise SpecUnavailableError(
            f"unknown api-version {api_version}: {where} and the mirror has no copy ({looked}); "
            f"check the version against {CANONICAL_REPO}"
        )
    digest = sha256_hex(data)
    if expected_sha256 and expected_sha256.lower() != digest:
        raise ShaMismatchError(
            f"sha256 mismatch for {api_version}: {url} has {digest[:12]}…, --sha256 pins "
            f"{expected_sha256[:12]}…; check the pin you were given"
        )
    return Found(data, "url", url, None)


def _insert(registry: Registry, entry: SpecEntry) -> None:
    """Keep the registry grouped by surface and ordered by api-version."""
    position = len(registry.entries)
    same = [i for i, e in enumerate(registry.entries) if e.surface == entry.surface]
    if same:
        older = [i for i in same if registry.entries[i].api_version < entry.api_version]
        position = older[-1] + 1 if older else same[0]
    registry.entries.insert(position, entry)


def add_api_version(
    api_version: str,
    registry: Registry,
    *,
    surface: str = "dated",
    expected_sha256: str | None = None,
    network: bool | None = None,
    base_url: str = RAW_BASE_URL,
    registry_path: Path | None = None,
    replace: bool = False,
) -> Added:
    """Register ``api_version`` (pinned by sha256), save the registry, diff against the previous.

    ``replace`` re-pins a version that is already registered (its entry is replaced).
    """
    if surface != "dated":
        raise UsageError(
            f"`specs add` registers dated api-versions only (got --surface {surface}); "
            "the v1 and foundry specs have no dated canonical path"
        )
    check_api_version(api_version)
    if expected_sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", expected_sha256):
        raise UsageError(
            f"--sha256 '{expected_sha256}' is not a sha256 (64 hex digits); copy the full hash"
        )
    spec_id = f"azure-openai-{api_version}"
    existing = registry.find_version(api_version, "dated")
    if existing is None and spec_id in registry.ids():
        existing = registry.get(spec_id)
    if existing is not None and not replace:
        raise SpecError(
            f"api-version {api_version} is already registered as '{existing.id}' (sha256 "
            f"{existing.sha256[:12]}…) in {registry_path or registry.path}; nothing to add — "
            "to re-pin it, run the command again with --replace"
        )
    found = find_spec_bytes(
        api_version,
        surface=surface,
        expected_sha256=expected_sha256,
        network=network,
        base_url=base_url,
    )
    document = parse_bytes(found.data, f"spec for {api_version} ({found.location})")
    fmt = source_format(document, found.location)
    path = canonical_path(api_version)
    entry = SpecEntry(
        id=spec_id,
        surface="dated",
        api_version=api_version,
        stability="preview" if api_version.endswith("-preview") else "ga",
        repo=CANONICAL_REPO,
        path=path,
        commit=found.commit,
        url=canonical_url(path, found.commit),
        sha256=sha256_hex(found.data),
        bytes=len(found.data),
        format=fmt,
        # An installed package that ships this version still does (its copy is checked
        # against the new pin like every other source).
        package=existing.package if existing is not None else None,
        note=None
        if found.commit
        else "pinned by sha256; the upstream commit was not known when added",
    )
    loaded = load_document(document, spec_id=spec_id, entry=entry)  # proves it normalises
    loaded.sha256, loaded.origin = entry.sha256, f"{found.source}:{found.location}"
    if existing is not None:
        position = registry.entries.index(existing)
        registry.entries[position] = entry
    else:
        _insert(registry, entry)
    # Diff before saving: if the previous spec cannot be loaded, nothing is registered and
    # the same command can simply be run again once it can.
    previous = registry.previous(entry)
    diff = diff_specs(load_spec(previous.id, registry), loaded) if previous is not None else None
    saved = registry.save(registry_path)
    try:
        store_in_cache(entry, found.data)
    except OSError:
        pass  # the mirror or URL still has it; the cache only saves a lookup
    return Added(entry, saved, found, loaded, previous, diff, existing)
