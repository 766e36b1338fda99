"""The pieces of a line of details: 'Jane Doe | Finance Officer, Acme Ltd' → ['Jane Doe',
'Finance Officer', 'Acme Ltd']; a legal form after a comma stays with its name
('Distribuciones Levante, S.L.')."""

from __future__ import annotations

import re

from parsing.reading import judge

_ASIDES = re.compile(r"[ \t]*\([^()]{1,40}\)|\[[^\[\]]{0,60}\][ \t]*")
_DECORATION = re.compile(r"^-[ \t]?(?=[A-Z])|^\*+|\*+$")
_SEPARATORS = re.compile(r"[ \t]*(?:[,;|/•·–—]|[ \t]-[ \t])[ \t]*")


def segments(line: str) -> list[str]:
    if len(line) > 200:  # no line of details; and the split is quadratic on long blank runs
        return [line]
    # a job title in brackets goes with the segment: 'John Smith (Head Teacher)' → 'John
    # Smith'; an image's alt text ('[Greenleaf logo]') is no part of a name
    if "(" in line or "[" in line:
        line = _ASIDES.sub("", line)
    line = _DECORATION.sub("", line.strip())  # '-Martin', '- Jane Smith', '*Jane Doe*' (bold)
    parts: list[str] = []
    for part in (p.strip(" .") for p in _SEPARATORS.split(line)):
        if not part:
            continue
        if parts and judge.legal_form_only(part):
            parts[-1] = f"{parts[-1]}, {part}"
        else:
            parts.append(part)
    return parts
