"""Imports run one way (DESIGN.md): mailgate → notify → tickets → parsing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MAY_IMPORT = {
    "parsing": set(),
    "tickets": {"parsing"},
    "notify": {"tickets", "parsing"},
    "mailgate": {"notify", "tickets", "parsing"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(MAY_IMPORT)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_package_imports_only_the_layers_below(package: str) -> None:
    wrong = {
        str(path.relative_to(REPO)): sorted(
            imported_packages(path) - MAY_IMPORT[package] - {package}
        )
        for path in sorted((REPO / package).rglob("*.py"))
    }
    assert {name: bad for name, bad in wrong.items() if bad} == {}


def test_parsing_touches_no_database_network_or_clock() -> None:
    forbidden = {"sqlalchemy", "sqlmodel", "socket", "smtplib", "imapclient", "requests"}
    for path in sorted((REPO / "parsing").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert not names & forbidden, f"{path.name} imports {sorted(names & forbidden)}"
        source = path.read_text(encoding="utf-8")
        assert "datetime.now(" not in source and "time.time(" not in source, path.name


def _module_imports() -> dict[str, set[str]]:
    """Every module of ours and the modules of ours it imports, at the top or in a function."""
    modules: dict[str, Path] = {}
    for package in MAY_IMPORT:
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found.update(t for t in targets if t in modules and t != name)
        graph[name] = found
    return graph


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:` (annotations, never imported)."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        found.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return found


def test_no_module_imports_one_that_imports_it() -> None:
    """No cycle of imports, also through imports inside functions (the way a cycle is
    usually hidden): tickets.details, tickets.pending and tickets.pipeline.context were one."""
    graph = _module_imports()
    cycles = []
    for start in sorted(graph):
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start and len(path) > 1:
                    cycles.append(" → ".join([*path, start]))
                elif nxt not in seen and nxt.split(".")[0] == start.split(".")[0]:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    assert cycles == []
