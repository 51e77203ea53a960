"""Helpers shared by tests (import as ``from tests.support import ...``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def mirror_available() -> bool:
    return Path(os.environ.get("AOAI_SPECS_MIRROR", "")).is_dir()


requires_mirror = pytest.mark.skipif(
    not mirror_available(),
    reason="needs the upstream spec mirror: set AOAI_SPECS_MIRROR "
    "(CI uses ../shared/upstream-specs)",
)
