"""The import rules of ARCHITECTURE.md, checked on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator.paths import INSTALLED_NAMES
from tests.support import ROOT

# folder → the import names its code may use; the data folders are never imported by name
# (a wheel installs them as aoai_conformance_specs / aoai_conformance_generated, see
# generator.paths.INSTALLED_NAMES): code finds their files through generator.paths
OURS = {"specs", "generator", "generated", "conformance", *INSTALLED_NAMES.values()}
ALLOWED = {
    "specs": set(),
    "generator": set(),
    "generated": set(),
    "conformance": {"generator"},
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
    # issue 10: conformance/run/findings.py is the only Finding factory (it redacts on the way in)
    builders = []
    for path in sorted((ROOT / "conformance").rglob("*.py")):
        if path.name in ("findings.py", "model.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding":
                builders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert builders == [], "build findings with conformance.run.findings.make_finding"


def test_installed_names_match_the_build() -> None:
    # setup.py repeats the table (the build must not import the project); they must agree
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    (renamed,) = [
        ast.literal_eval(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "RENAMED"
    ]
    assert renamed == INSTALLED_NAMES


@pytest.mark.parametrize("folder", ["tests", "bench", "scripts"])
def test_data_folders_are_imported_by_their_installed_names(folder: str) -> None:
    # `import specs` / `import generated` work in a checkout only (the repo root is on
    # sys.path); an installed wheel has no such packages
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        bad = _imports(path) & set(INSTALLED_NAMES)
        if bad:
            found.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not found, "\n".join(found)
