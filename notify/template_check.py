"""Check a folder of templates against what each kind provides (`notify.template_vars`), so that
a desk's own template with a typo fails when the config is loaded, not at 3 a.m. when the first
mail of that kind is rendered.

Jinja finds the variables a template takes from its context (`jinja2.meta`); the attributes
used on them (`ticket.foo`, and `item.foo` in a loop over a declared list) are checked by a walk
over the parsed template, which Jinja has no helper for. What depends on values (an attribute
of an attribute, a filter on the wrong type) shows when the kind is rendered with sample data
(`mailgate templates render`, and `check-config`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, TemplateSyntaxError, meta, nodes
from pydantic import BaseModel

from notify.render import environment
from notify.template_vars import KINDS, Shape, Var

SUFFIXES = (".txt.j2", ".html.j2")
# filters that hand the list on as it is, so `for x in items | default([])` still types `x`
_PASSING_FILTERS = {"default", "d", "list", "sort", "reverse", "unique"}


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path} line {self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


def template_files(templates_dir: Path, kind: str) -> list[Path]:
    return [templates_dir / f"{kind}{suffix}" for suffix in SUFFIXES]


def check_templates(templates_dir: Path, known_good: Path | None = None) -> list[Problem]:
    """Every problem in the templates of every kind: syntax, unknown variables and attributes.
    A file the same as its namesake in `known_good` (the shipped folder, which the tests check)
    is not parsed again: `ingest` runs once per message."""
    templates = environment(str(templates_dir))
    return [
        problem
        for kind in KINDS
        for path in template_files(templates_dir, kind)
        if path.is_file() and not unchanged(path, known_good)
        for problem in check_file(templates, path, kind)
    ]


def unchanged(path: Path, known_good: Path | None) -> bool:
    if known_good is None:
        return False
    twin = known_good / path.name
    try:
        return twin.resolve() == path.resolve() or twin.read_bytes() == path.read_bytes()
    except OSError:
        return False


def check_file(templates: Environment, path: Path, kind: str) -> list[Problem]:
    try:
        source = path.read_text(encoding="utf-8")
        tree = templates.parse(source, path.name, str(path))
        templates.compile(tree, path.name, str(path))  # unknown filters and tests show here
    except UnicodeDecodeError as exc:
        return [Problem(path, None, f"not UTF-8 text: {exc}")]
    except OSError as exc:
        return [Problem(path, None, f"cannot read: {exc.strerror or exc}")]
    except TemplateSyntaxError as exc:
        message = " ".join(str(exc.message).split())
        return [Problem(path, exc.lineno, f"syntax error: {message}")]
    declared = KINDS[kind].variables
    problems = []
    for name in sorted(meta.find_undeclared_variables(tree) - set(templates.globals)):
        if name not in declared:
            problems.append(Problem(
                path, _first_use(tree, name),
                f"`{name}` is not a variable of {kind} (it has {', '.join(declared)})",
            ))
    problems += [
        Problem(path, line, f"`{name}.{attribute}`: {about} has no `{attribute}`")
        for line, name, attribute, about in _unknown_attributes(tree, declared)
    ]
    return sorted(problems, key=lambda p: p.line or 0)


def _first_use(tree: nodes.Template, name: str) -> int | None:
    return min((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), default=None)


def _unknown_attributes(
    tree: nodes.Node, declared: dict[str, Var]
) -> Iterator[tuple[int, str, str, str]]:
    """(line, variable, attribute, what the variable is) for each attribute it lacks."""
    shapes: dict[str, Shape] = {name: var.shape for name, var in declared.items()}
    loop_targets = {id(n.target) for n in tree.find_all(nodes.For)}
    # a name the template sets itself ({% set %}, a macro's parameter) is not checked
    shapes.update({n.name: None for n in tree.find_all(nodes.Name)
                   if n.ctx in ("store", "param") and id(n) not in loop_targets})
    yield from _walk(tree, shapes, declared)


def _walk(
    node: nodes.Node, shapes: dict[str, Shape], declared: dict[str, Var]
) -> Iterator[tuple[int, str, str, str]]:
    if isinstance(node, nodes.For) and isinstance(node.target, nodes.Name):
        inner = dict(shapes)
        inner[node.target.name] = _items_of(node.iter, declared)
        yield from _walk(node.iter, shapes, declared)
        for child in (*node.body, *node.else_):
            yield from _walk(child, inner, declared)
        if node.test is not None:
            yield from _walk(node.test, inner, declared)
        return
    attribute = _attribute(node)
    if attribute is not None:
        name, key = attribute
        if name in shapes and not _has(shapes[name], key):
            yield node.lineno, name, key, _about(name, shapes[name])
    for child in node.iter_child_nodes():
        yield from _walk(child, shapes, declared)


def _attribute(node: nodes.Node) -> tuple[str, str] | None:
    """`name.key` or `name["key"]` on a plain variable."""
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        return node.node.name, node.attr
    if (isinstance(node, nodes.Getitem) and isinstance(node.node, nodes.Name)
            and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str)):
        return node.node.name, node.arg.value
    return None


def _items_of(iterable: nodes.Node, declared: dict[str, Var]) -> Shape:
    while isinstance(iterable, nodes.Filter) and iterable.name in _PASSING_FILTERS:
        assert iterable.node is not None
        iterable = iterable.node
    if isinstance(iterable, nodes.Name) and iterable.name in declared:
        return declared[iterable.name].items
    return None


def _has(shape: Shape, attribute: str) -> bool:
    if shape is None:
        return True
    if isinstance(shape, tuple):
        return attribute in shape
    if issubclass(shape, BaseModel) and attribute in shape.model_fields:
        return True
    if dataclasses.is_dataclass(shape) and attribute in {f.name for f in
                                                         dataclasses.fields(shape)}:
        return True
    return not attribute.startswith("_") and hasattr(shape, attribute)


def _about(name: str, shape: Shape) -> str:
    if isinstance(shape, tuple):
        return f"{name} ({', '.join(shape)})"
    return f"{name} (a {shape.__name__})" if shape is not None else name
