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


# -- inside conformance/ (issue 10: one house) ------------------------------------------
# Each module belongs to a floor; a floor may import its own modules and those listed.
# The base (model, model_families, surfaces) and http/ know nothing of clauses or runs;
# the checks and the schemathesis phase see a run only through run.context (the surface
# they judge) and run.findings (the one Finding factory); the front ends sit on top.
BASE = {"model", "model_families", "surfaces"}
FLOORS: dict[str, set[str]] = {
    "base": {"base"},
    "http": {"base", "http"},
    "emulator": {"base", "emulator"},
    "checks": {"base", "http", "checks", "run.context", "run.findings"},
    "phases": {"base", "http", "checks", "phases", "run.context", "run.findings"},
    "run": {"base", "http", "emulator", "checks", "phases", "run"},
    "reports": {"base", "http", "run", "reports"},
    "cli": {"base", "http", "emulator", "checks", "phases", "run", "reports", "cli"},
    "pytest_plugin": {"base", "http", "checks", "phases", "run", "reports"},
}
CONFORMANCE = ROOT / "conformance"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _floor(module: str) -> str:
    first = module.split(".")[1] if "." in module else ""
    if first == "__main__":
        return "cli"  # `python -m conformance` is the CLI
    return "base" if first in BASE or not first else first


def _conformance_imports(path: Path) -> set[str]:
    """Every conformance module ``path`` imports (at module level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("conformance"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("conformance"):
                # `from conformance.run import target` names the module conformance.run.target
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    is_module = (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists()
                    found.add(candidate if is_module else node.module)
    return found


def _graph() -> dict[str, set[str]]:
    return {_module(path): _conformance_imports(path) for path in sorted(CONFORMANCE.rglob("*.py"))}


def test_conformance_floors() -> None:
    violations = []
    for module, imports in _graph().items():
        floor = _floor(module)
        allowed = FLOORS[floor]
        for imported in sorted(imports):
            target = _floor(imported)
            sub = ".".join(imported.split(".")[1:3])  # run.context, run.findings
            if target not in allowed and sub not in allowed:
                violations.append(f"{module} ({floor}) imports {imported} ({target})")
    assert not violations, "floor rule broken (ARCHITECTURE.md):\n" + "\n".join(violations)


def test_no_import_circle_in_conformance() -> None:
    graph = _graph()
    # a package's __init__ re-exporting its modules is not a circle of the design
    edges = {
        m: {i for i in imports if i in graph and not m.startswith(i + ".")}
        for m, imports in graph.items()
    }
    state: dict[str, int] = {}
    circles: list[str] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not circles, "import circles:\n" + "\n".join(circles)


def _calls(name: str, attr_of: str | None = None) -> list[str]:
    """Where ``name(...)`` (or ``attr_of.name(...)``) is called in conformance/."""
    where = []
    for path in sorted(CONFORMANCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if attr_of is None and isinstance(func, ast.Name) and func.id == name:
                where.append(str(path.relative_to(ROOT)))
            elif (
                isinstance(func, ast.Attribute)
                and func.attr == name
                and isinstance(func.value, ast.Name)
                and func.value.id == attr_of
            ):
                where.append(str(path.relative_to(ROOT)))
    return sorted(set(where))


def test_one_way_to_the_network() -> None:
    # every live connection pool is made by conformance.http.client.connect
    assert _calls("Client", "httpx") == ["conformance/http/client.py"]
    assert _calls("AsyncClient", "httpx") == []


def test_run_options_have_one_constructor() -> None:
    # the CLI, the pytest plugin and a fleet go through RunOptions.from_settings
    assert _calls("RunOptions") == ["conformance/run/options.py"]
    assert _calls("TargetOptions") == ["conformance/run/options.py"]


def test_surface_names_are_spelled_once() -> None:
    # the tuple of the three surface names lives in generator.spec.registry.SURFACES
    # (conformance.surfaces re-exports it); a literal naming all three is a second copy
    names = {"dated", "v1", "foundry"}
    copies = []
    for path in sorted(CONFORMANCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                values = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                if names <= values:
                    copies.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert copies == [], "use conformance.surfaces.SURFACES / SURFACE_CHOICES"
