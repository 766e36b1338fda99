"""Render a notification from its Jinja templates: `<kind>.txt.j2` and `<kind>.html.j2`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape


@lru_cache(maxsize=8)
def _environment(templates_dir: str) -> Environment:
    return Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(templates_dir: Path, kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """The text and HTML bodies of a notification."""
    environment = _environment(str(templates_dir))
    text = environment.get_template(f"{kind}.txt.j2").render(**context)
    html = environment.get_template(f"{kind}.html.j2").render(**context)
    return text, html
