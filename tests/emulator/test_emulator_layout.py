"""The emulator's layout, read from its sources with ast: no import circle, a dispatch-only
app.py, and fault names spelled only in faults.py (everywhere else: ``Fault.MEMBER``)."""

from __future__ import annotations

import ast
from pathlib import Path

import conformance.emulator as emulator_pkg
from conformance.emulator.faults import Fault

PACKAGE = "conformance.emulator"
ROOT = Path(emulator_pkg.__file__).parent
SOURCES = {p.stem: p for p in sorted(ROOT.glob("*.py"))}
APP_MAX_LINES = 260


def _tree(name: str) -> ast.Module:
    return ast.parse(SOURCES[name].read_text(encoding="utf-8"), filename=str(SOURCES[name]))


def _target(module: str) -> str | None:
    """The emulator module ``module`` names (``__init__`` for the package), else None."""
    if module == PACKAGE:
        return "__init__"
    if module.startswith(PACKAGE + "."):
        first = module[len(PACKAGE) + 1 :].split(".")[0]
        return first if first in SOURCES else None
    return None


def _imports(name: str) -> set[str]:
    """Every emulator module ``name`` imports, wherever the import statement is (module
    level, in a function, under ``if TYPE_CHECKING``): a lazy import is still an edge."""
    found: set[str] = set()
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _target(alias.name)
                if target is not None:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = PACKAGE if node.level == 1 else None
                module = f"{base}.{node.module}" if base and node.module else base
            else:
                module = node.module
            if module is None:
                continue
            target = _target(module)
            if target == "__init__":
                # ``from conformance.emulator import chat`` imports the module chat
                for alias in node.names:
                    found.add(alias.name if alias.name in SOURCES else "__init__")
            elif target is not None:
                found.add(target)
    found.discard(name)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph`` as a path (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_import_graph_is_read() -> None:
    graph = {name: _imports(name) for name in SOURCES}
    assert "chat" in graph["app"] and "state" in graph["chat"]
    assert "app" in graph["__init__"]


def test_the_emulator_import_graph_is_acyclic() -> None:
    graph = {name: _imports(name) for name in SOURCES}
    cycle = _cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_no_module_imports_app_or_hides_an_import() -> None:
    graph = {name: _imports(name) for name in SOURCES}
    assert [n for n, deps in graph.items() if "app" in deps] == ["__init__"]
    hidden = [n for n in SOURCES if "TYPE_CHECKING" in SOURCES[n].read_text(encoding="utf-8")]
    assert hidden == []


def test_app_is_dispatch_only() -> None:
    lines = len(SOURCES["app"].read_text(encoding="utf-8").splitlines())
    assert lines <= APP_MAX_LINES, f"app.py has {lines} lines (at most {APP_MAX_LINES})"


def test_fault_names_are_literals_only_in_faults_py() -> None:
    names = {f.value for f in Fault}
    spelled = {
        f"{name}.py:{node.lineno}: {node.value!r}"
        for name in SOURCES
        if name != "faults"
        for node in ast.walk(_tree(name))
        if isinstance(node, ast.Constant) and node.value in names
    }
    assert not spelled, f"use Fault.<MEMBER> and config.has(...): {sorted(spelled)}"


def test_every_fault_is_checked_through_its_member() -> None:
    used = {
        node.attr
        for name in SOURCES
        if name != "faults"
        for node in ast.walk(_tree(name))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Fault"
    }
    assert used == {f.name for f in Fault}
