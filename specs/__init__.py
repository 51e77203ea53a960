"""Data package: the spec registry, overlays and gateway profiles.

Nothing here is code; this module only tells where the files are, so that a
non-editable install (the wheel) finds them the same way a checkout does.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SPECS_DIR", "REGISTRY_FILE", "OVERLAYS_DIR", "PROFILES_DIR"]

SPECS_DIR = Path(__file__).resolve().parent
REGISTRY_FILE = SPECS_DIR / "registry.json"
OVERLAYS_DIR = SPECS_DIR / "overlays"
PROFILES_DIR = SPECS_DIR / "profiles"
