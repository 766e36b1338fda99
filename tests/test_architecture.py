"""docs/architecture.md, the newcomer's map of the code, names every module there is."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "architecture.md"
PACKAGES = ("mailgate", "notify", "tickets", "parsing")


def named_in(section: str) -> set[str]:
    """The modules a package's table names in its first column."""
    rows = re.findall(r"^\| ([^|]+) \|", section, re.M)
    return {name for row in rows for name in re.findall(r"`([^`\s]+)`", row)}


def listed(module: str, names: set[str]) -> bool:
    """Named by its path in the package, by a pattern (`commands/*_cmd.py`) or by its folder
    (`reading/rules/`)."""
    return any(
        module == name or fnmatch(module, name) or (name.endswith("/") and module.startswith(name))
        for name in names
    )


def test_every_module_has_its_line_in_the_map() -> None:
    text = DOC.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (\w+)/.*?\n(.*?)(?=^#|\Z)", text, re.S | re.M))
    assert sorted(sections) == sorted(PACKAGES)
    missing = [
        f"{package}/{module}"
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if path.name not in ("__init__.py", "__main__.py")
        and not listed(module := path.relative_to(REPO / package).as_posix(),
                       named_in(sections[package]))
    ]
    assert missing == [], "add a line for each to docs/architecture.md"


def test_the_map_names_no_module_that_is_gone() -> None:
    text = DOC.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (\w+)/.*?\n(.*?)(?=^#|\Z)", text, re.S | re.M))
    gone = [
        f"{package}/{name}"
        for package, section in sections.items()
        for name in named_in(section)
        if name.endswith((".py", ".toml")) and "*" not in name
        and not (REPO / package / name).exists()
    ]
    assert gone == []
