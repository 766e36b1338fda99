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
