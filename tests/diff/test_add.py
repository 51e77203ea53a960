"""``aoai-conformance specs add``: register a mirror-only version, and every bad input (exit 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.diff.new_version import canonical_path, find_spec_bytes
from generator.errors import ShaMismatchError, SpecUnavailableError
from generator.paths import REGISTRY_FILE
from generator.spec import load_registry
from tests.diff.test_cli import one_line_error, run_cli
from tests.support import ROOT, requires_mirror

VERSION = "2024-10-01-preview"
SPEC_ID = f"azure-openai-{VERSION}"


@pytest.fixture
def registry_without(tmp_path: Path) -> Path:
    """A copy of the shipped registry without 2024-10-01-preview (the mirror still has it)."""
    raw = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    raw["specs"] = [e for e in raw["specs"] if e["id"] != SPEC_ID]
    target = tmp_path / "registry.json"
    target.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    return target


@pytest.fixture(autouse=True)
def _shipped_registry_untouched() -> Iterator[None]:
    before = REGISTRY_FILE.read_bytes()
    yield
    assert REGISTRY_FILE.read_bytes() == before, "a test wrote to the shipped specs/registry.json"


@requires_mirror
def test_add_registers_a_mirror_only_version_and_prints_its_changelog(
    registry_without: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["specs", "add", VERSION, "--registry", str(registry_without)], capsys)
    assert code == 0, err
    shipped = load_registry().get(SPEC_ID)
    added = load_registry(registry_without).get(SPEC_ID)
    # The same pin as the committed entry: sha256, size, path, and URL by upstream commit
    # (the mirror's MANIFEST.json knows the commit).
    for name in (
        "surface",
        "api_version",
        "stability",
        "repo",
        "path",
        "commit",
        "url",
        "sha256",
        "bytes",
    ):
        assert getattr(added, name) == getattr(shipped, name), name
    ids = load_registry(registry_without).ids()
    assert ids.index(SPEC_ID) == ids.index("azure-openai-2024-09-01-preview") + 1
    lines = out.splitlines()
    assert lines[0] == f"registered {SPEC_ID} (dated, {VERSION}) in {registry_without}"
    assert f"  sha256 {shipped.sha256}  (417968 bytes, openapi 3.0.0)" in lines
    # Regenerated through the generator's library, beside the registry copy (never into
    # the repository's generated/).
    package = registry_without.parent / "generated" / "azure_openai_2024_10_01_preview"
    assert f"  regenerate: wrote {package}" in lines[4]
    assert {"__init__.py", "_manifest.py", "models.py", "builders.py"} <= {
        p.name for p in package.iterdir()
    }
    first_line = (package / "models.py").read_text(encoding="utf-8").splitlines()[0]
    assert f"from spec {SPEC_ID} (sha256 {shipped.sha256})" in first_line
    header = f"# Changes from azure-openai-2024-09-01-preview to {SPEC_ID}"
    assert header in lines
    changelog = out[out.index(header) :]
    # What the diff itself finds between these two previews (verified in the specs):
    # 2024-10-01-preview dropped these two chat request fields that 2024-09-01-preview had.
    assert "removed field `stream_options` (object, nullable), with `include_usage`" in changelog
    assert "removed field `parallel_tool_calls` (boolean, nullable)" in changelog
    assert "added field `usage.prompt_tokens_details` (object), with `cached_tokens`" in changelog


@requires_mirror
def test_add_twice_is_an_error(registry_without: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run_cli(
            ["specs", "add", VERSION, "--no-generate", "--registry", str(registry_without)], capsys
        )[0]
        == 0
    )
    before = registry_without.read_bytes()
    code, _, err = run_cli(["specs", "add", VERSION, "--registry", str(registry_without)], capsys)
    line = one_line_error(code, err)
    assert line.startswith(
        f"error: api-version {VERSION} is already registered as '{SPEC_ID}' (sha256 55b593f9e33d…)"
    )
    assert registry_without.read_bytes() == before


def test_add_a_version_the_shipped_registry_has(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["specs", "add", "2025-04-01-preview"], capsys)
    line = one_line_error(code, err)
    assert "already registered as 'azure-openai-2025-04-01-preview'" in line
    assert line.endswith(
        f"in {REGISTRY_FILE}; nothing to add — to re-pin it, run the command again with --replace"
    )


@requires_mirror
def test_replace_re_pins_a_registered_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stale pin (here: a made-up sha256) is replaced by the mirror's bytes, in place."""
    raw = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    stale = "ab" * 32
    for entry in raw["specs"]:
        if entry["id"] == SPEC_ID:
            entry["sha256"] = stale
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps(raw), encoding="utf-8")
    ids_before = load_registry(registry).ids()
    code, out, err = run_cli(
        ["specs", "add", VERSION, "--replace", "--no-generate", "--registry", str(registry)], capsys
    )
    assert code == 0, err
    assert out.splitlines()[:2] == [
        f"re-pinned {SPEC_ID} (dated, {VERSION}) in {registry}",
        f"  was sha256 {stale}",
    ]
    assert load_registry(registry).ids() == ids_before
    assert load_registry(registry).get(SPEC_ID).sha256 == load_registry().get(SPEC_ID).sha256


@requires_mirror
def test_unknown_version(registry_without: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        ["specs", "add", "2031-01-01-preview", "--registry", str(registry_without)], capsys
    )
    line = one_line_error(code, err)
    assert line.startswith("error: unknown api-version 2031-01-01-preview: not in the mirror ")
    assert "AOAI_SPECS_OFFLINE is set so the canonical URL was not tried" in line


def test_malformed_version(registry_without: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["specs", "add", "latest", "--registry", str(registry_without)], capsys)
    assert one_line_error(code, err) == (
        "error: 'latest' is not a dated api-version; give YYYY-MM-DD or YYYY-MM-DD-preview "
        "(e.g. 2025-04-01-preview)"
    )


def test_bad_sha256_option(registry_without: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        ["specs", "add", VERSION, "--sha256", "abc", "--registry", str(registry_without)], capsys
    )
    assert one_line_error(code, err) == (
        "error: --sha256 'abc' is not a sha256 (64 hex digits); copy the full hash"
    )


def test_other_surface_is_refused(
    registry_without: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        ["specs", "add", VERSION, "--surface", "v1", "--registry", str(registry_without)], capsys
    )
    assert "'v1' is not 'dated'" in one_line_error(code, err)


def test_spec_unreachable(
    registry_without: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AOAI_SPECS_MIRROR", raising=False)
    code, _, err = run_cli(["specs", "add", VERSION, "--registry", str(registry_without)], capsys)
    assert one_line_error(code, err) == (
        "error: spec unreachable: no mirror (AOAI_SPECS_MIRROR not set) and AOAI_SPECS_OFFLINE is "
        f"set, so {canonical_path(VERSION)} cannot be fetched; set AOAI_SPECS_MIRROR to a folder "
        "with a copy, or unset AOAI_SPECS_OFFLINE"
    )


def _mirror_with_stale_copy(tmp_path: Path, shared: Path) -> Path:
    """A mirror whose MANIFEST pins the real sha256 but whose file has other bytes."""
    manifest = json.loads((shared / "MANIFEST.json").read_text(encoding="utf-8"))
    [item] = [i for i in manifest if i["id"] == SPEC_ID]
    mirror = tmp_path / "mirror"
    (mirror / SPEC_ID).mkdir(parents=True)
    (mirror / "MANIFEST.json").write_text(json.dumps([item]), encoding="utf-8")
    data = (shared / item["file"]).read_bytes()
    (mirror / item["file"]).write_bytes(
        data.replace(b"2024-10-01-preview", b"2024-10-01-previex", 1)
    )
    return mirror


@requires_mirror
def test_sha_mismatch_against_the_mirror_manifest(
    registry_without: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    import os

    mirror = _mirror_with_stale_copy(tmp_path, Path(os.environ["AOAI_SPECS_MIRROR"]))
    monkeypatch.setenv("AOAI_SPECS_MIRROR", str(mirror))
    before = registry_without.read_bytes()
    code, _, err = run_cli(["specs", "add", VERSION, "--registry", str(registry_without)], capsys)
    line = one_line_error(code, err)
    assert line.startswith(
        f"error: sha256 mismatch for {VERSION}: {mirror / SPEC_ID / 'inference.json'} has "
    )
    assert (
        "the mirror's MANIFEST.json pins 55b593f9e33d…; replace the stale copy or correct the pin"
        in line
    )
    assert registry_without.read_bytes() == before


@requires_mirror
def test_sha_mismatch_against_the_given_pin(
    registry_without: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        ["specs", "add", VERSION, "--sha256", "0" * 64, "--registry", str(registry_without)], capsys
    )
    line = one_line_error(code, err)
    assert line.endswith(
        "has 55b593f9e33d…, --sha256 pins 000000000000…; replace the stale copy or correct the pin"
    )


@requires_mirror
def test_mirror_in_upstream_tree_layout(
    registry_without: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A mirror that is a sparse checkout of azure-rest-api-specs (no MANIFEST.json)."""
    import os

    source = Path(os.environ["AOAI_SPECS_MIRROR"]) / SPEC_ID / "inference.json"
    target = tmp_path / "tree" / canonical_path(VERSION)
    target.parent.mkdir(parents=True)
    shutil.copyfile(source, target)
    # The previous version must still resolve for the changelog: keep the shared mirror's
    # copies reachable through the cache-free path by also linking them in.
    for entry in load_registry(registry_without):
        if entry.surface == "dated":
            shared = Path(os.environ["AOAI_SPECS_MIRROR"]) / entry.id
            if shared.is_dir():
                shutil.copytree(shared, tmp_path / "tree" / entry.id)
    monkeypatch.setenv("AOAI_SPECS_MIRROR", str(tmp_path / "tree"))
    code, out, err = run_cli(
        ["specs", "add", VERSION, "--no-generate", "--registry", str(registry_without)], capsys
    )
    assert code == 0, err
    added = load_registry(registry_without).get(SPEC_ID)
    assert added.commit is None and "/main/specification/" in added.url
    assert added.note == "pinned by sha256; the upstream commit was not known when added"
    assert "(commit unknown: pinned by sha256 only)" in out
    assert "  regenerate: skipped (--no-generate); run `aoai-conformance generate --spec " in out


# -- the canonical-URL path, exercised against a server on 127.0.0.1 (never GitHub) --------


class _Handler(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    status: int = 200

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = self.files.get(self.path)
        code = self.status if body is not None else 404
        self.send_response(code)
        self.end_headers()
        if body is not None and code == 200:
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"files": {}, "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_url_source(
    local_server: tuple[str, type[_Handler]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, handler = local_server
    monkeypatch.delenv("AOAI_SPECS_MIRROR", raising=False)
    body = b'{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}}'
    handler.files[f"/Azure/azure-rest-api-specs/main/{canonical_path('2031-01-01-preview')}"] = body
    found = find_spec_bytes("2031-01-01-preview", network=True, base_url=base)
    assert found.data == body and found.source == "url" and found.commit is None
    with pytest.raises(
        SpecUnavailableError, match=r"^unknown api-version 2031-02-01-preview: .* answered 404"
    ):
        find_spec_bytes("2031-02-01-preview", network=True, base_url=base)
    with pytest.raises(ShaMismatchError, match="--sha256 pins 111111111111…"):
        find_spec_bytes("2031-01-01-preview", network=True, base_url=base, expected_sha256="1" * 64)
    handler.status = 503
    with pytest.raises(SpecUnavailableError, match=r"^spec unreachable: .* answered HTTP 503"):
        find_spec_bytes("2031-01-01-preview", network=True, base_url=base)


def test_url_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AOAI_SPECS_MIRROR", raising=False)
    # Port 9 on loopback (discard) is closed in any test environment: connection refused.
    with pytest.raises(
        SpecUnavailableError,
        match=r"^spec unreachable: http://127\.0\.0\.1:9/.* failed \(ConnectError\)",
    ):
        find_spec_bytes("2031-01-01-preview", network=True, base_url="http://127.0.0.1:9")


def test_console_script_prints_no_traceback(registry_without: Path, tmp_path: Path) -> None:
    import os

    env = {**os.environ, "AOAI_SPECS_OFFLINE": "1", "AOAI_SPECS_CACHE": str(tmp_path / "cache")}
    env.pop("AOAI_SPECS_MIRROR", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "specs",
            "add",
            VERSION,
            "--registry",
            str(registry_without),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: spec unreachable: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


@requires_mirror
def test_first_version_of_a_surface_has_nothing_to_compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    raw["specs"] = [e for e in raw["specs"] if e["surface"] != "dated"]
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps(raw), encoding="utf-8")
    code, out, err = run_cli(
        ["specs", "add", "2024-08-01-preview", "--no-generate", "--registry", str(registry)], capsys
    )
    assert code == 0, err
    assert out.rstrip().endswith("no earlier dated version is registered: nothing to compare with")
    assert [e.id for e in load_registry(registry)][-1] == "azure-openai-2024-08-01-preview"


@requires_mirror
def test_regenerate_with_the_shipped_registry_runs_the_generator(tmp_path: Path) -> None:
    """The shipped-registry branch of `specs add`: `generate --spec ID`, here into tmp_path."""
    from generator.diff.regenerate import regenerate
    from generator.spec import load_spec

    spec_id = "foundry-model-inference-2024-05-01-preview"  # the smallest registered spec
    loaded = load_spec(spec_id)
    assert loaded.entry is not None
    outcome = regenerate(loaded.entry, loaded, shipped_registry=True, output=tmp_path)
    package = tmp_path / "foundry_model_inference_2024_05_01_preview"
    assert outcome.startswith(f"wrote {package}")
    assert (package / "models.py").is_file() and (tmp_path / "__init__.py").is_file()
    again = regenerate(loaded.entry, loaded, shipped_registry=True, output=tmp_path)
    assert again.startswith(f"up to date: {package}")


def test_nothing_is_registered_when_the_previous_spec_is_unavailable(
    registry_without: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The new spec is in the mirror, the previous one (2024-09-01-preview) is not."""
    import os

    shared = Path(os.environ["AOAI_SPECS_MIRROR"])
    if not (shared / SPEC_ID).is_dir():
        pytest.skip("needs the shared mirror")
    mirror = tmp_path / "mirror"
    shutil.copytree(shared / SPEC_ID, mirror / SPEC_ID)
    monkeypatch.setenv("AOAI_SPECS_MIRROR", str(mirror))
    monkeypatch.setenv("AOAI_SPECS_CACHE", str(tmp_path / "empty-cache"))
    before = registry_without.read_bytes()
    code, _, err = run_cli(["specs", "add", VERSION, "--registry", str(registry_without)], capsys)
    line = one_line_error(code, err)
    assert line.startswith("error: spec 'azure-openai-2024-09-01-preview': no source has it")
    assert registry_without.read_bytes() == before
