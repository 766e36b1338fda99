"""Imports run one way (DESIGN.md): mailgate → notify → tickets → parsing."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from graphlib import CycleError, TopologicalSorter
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


def _module_imports(root: Path = REPO, packages: Iterable[str] = MAY_IMPORT) -> dict[str, set[str]]:
    """Every module of ours and the modules of ours it imports, at the top or in a function."""
    modules: dict[str, Path] = {}
    for package in packages:
        for path in (root / package).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
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


def _a_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One circle of imports (its first module repeated at the end), or [] when there is none."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        return list(exc.args[1])
    return []


def test_no_module_imports_one_that_imports_it() -> None:
    """No circle of imports between any modules of mailgate, notify, tickets and parsing, also
    through imports inside functions (the way a circle is usually hidden): tickets.details,
    tickets.pending and tickets.pipeline.context were one."""
    assert " → ".join(_a_cycle(_module_imports())) == ""


def test_a_circle_hidden_in_a_function_is_found(tmp_path: Path) -> None:
    # what the test above would see: a → b at the top, b → c, and c → a inside a function
    (tmp_path / "pkg").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from pkg import b\n")
    (tmp_path / "pkg" / "b.py").write_text("import other.c\n")
    (tmp_path / "other" / "c.py").write_text("def f():\n    from pkg.a import thing\n")
    graph = _module_imports(tmp_path, ["pkg", "other"])
    assert sorted(_a_cycle(graph)[:-1]) == ["other.c", "pkg.a", "pkg.b"]
    (tmp_path / "other" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import thing\n"
    )
    assert _a_cycle(_module_imports(tmp_path, ["pkg", "other"])) == []


def test_every_import_is_one_the_graph_sees() -> None:
    """No relative imports and no imports by name at run time (importlib, __import__): the
    checks above would not see them, and a registry filled by them would depend on what
    happened to be imported first."""
    found = []
    for package in MAY_IMPORT:
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level:
                    found.append(f"{path.relative_to(REPO)}:{node.lineno} relative import")
                elif isinstance(node, ast.Name | ast.Attribute) and (
                    getattr(node, "id", None) in ("__import__", "import_module")
                    or getattr(node, "attr", None) == "import_module"
                ):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno} import by name")
    assert found == []


# Small modules with one job. A module may pass the limit only if listed here with the reason.
MAX_MODULE_LINES = 400
LONGER_MODULES: dict[str, str] = {}


def test_no_module_is_over_400_lines() -> None:
    lengths = {
        str(path.relative_to(REPO)): len(path.read_text(encoding="utf-8").splitlines())
        for package in MAY_IMPORT
        for path in sorted((REPO / package).rglob("*.py"))
    }
    over = {
        name: lines for name, lines in lengths.items()
        if lines > MAX_MODULE_LINES and name not in LONGER_MODULES
    }
    assert over == {}
    assert all(lengths.get(name, 0) > MAX_MODULE_LINES for name in LONGER_MODULES), (
        "a listed module is short now: take it off LONGER_MODULES"
    )
