"""Readable text from an HTML body (inscriptis): line structure, links and tables kept."""

from __future__ import annotations

import re

from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

_CONFIG = ParserConfig(css=CSS_PROFILES["strict"], display_links=True, display_images=True)
_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
# inscriptis builds a tree of the whole document; keep pathological input bounded
MAX_HTML_CHARS = 2_000_000
# lxml drops whatever follows </html>; browsers show it (HTML §13.2.6.4.19-21 "after body"
# puts it back in the body), and mail clients and list servers append footers and whole
# second documents there
_DOCUMENT_END = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)


def html_to_text(html: str) -> str:
    try:
        text = get_text(_DOCUMENT_END.sub("", html[:MAX_HTML_CHARS]), _CONFIG)
    except Exception:  # lxml refuses some broken documents; fall back to the tags stripped
        text = re.sub(r"<[^>]*>", " ", html)
    text = _TRAILING.sub("", text)
    return _BLANK_RUNS.sub("\n\n", text).strip()
