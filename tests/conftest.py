"""Shared test set-up: offline, the shared spec mirror, a private spec cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_MIRROR = ROOT.parent / "shared" / "upstream-specs"

# Tests never reach beyond loopback: the canonical-URL source is disabled unless a test
# turns it on against a local server.
os.environ["AOAI_SPECS_OFFLINE"] = "1"
if "AOAI_SPECS_MIRROR" not in os.environ and SHARED_MIRROR.is_dir():
    os.environ["AOAI_SPECS_MIRROR"] = str(SHARED_MIRROR)


@pytest.fixture(autouse=True, scope="session")
def _private_spec_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["AOAI_SPECS_CACHE"] = str(tmp_path_factory.mktemp("spec-cache"))
