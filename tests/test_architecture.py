"""The import rules of ARCHITECTURE.md, checked on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

OURS = {"specs", "generator", "generated", "conformance"}
ALLOWED = {
    "specs": set(),
    "generator": {"specs"},
    "generated": set(),
    "conformance": {"generator", "generated", "specs"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_layer_imports(package: str) -> None:
    violations = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = _imports(path) - ALLOWED[package] - {package}
        if bad:
            violations.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not violations, "layer rule broken (see ARCHITECTURE.md):\n" + "\n".join(violations)


def test_findings_are_built_in_one_place() -> None:
    # issue 10: conformance/findings.py is the only Finding factory (it redacts on the way in)
    builders = []
    for path in sorted((ROOT / "conformance").rglob("*.py")):
        if path.name in ("findings.py", "model.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding":
                builders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert builders == [], "build findings with conformance.findings.make_finding"
