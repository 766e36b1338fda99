"""Render a notification from its Jinja templates: `<kind>.txt.j2` and `<kind>.html.j2`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notify.template_vars import KINDS


@lru_cache(maxsize=8)
def environment(templates_dir: str) -> Environment:
    return Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(templates_dir: Path, kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """The text and HTML bodies of a notification. The templates get exactly the variables
    `notify.template_vars` declares for `kind`: what a desk's own templates were checked
    against when the config was loaded."""
    declared = KINDS[kind].variables
    if missing := [name for name in declared if name not in context]:
        raise TypeError(f"{kind}: no value for the declared variable(s) {', '.join(missing)}")
    given = {name: context[name] for name in declared}
    templates = environment(str(templates_dir))
    text = templates.get_template(f"{kind}.txt.j2").render(**given)
    html = templates.get_template(f"{kind}.html.j2").render(**given)
    return text, html
