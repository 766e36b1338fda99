"""The pieces of a line of details: 'Jane Doe | Finance Officer, Acme Ltd' → ['Jane Doe',
'Finance Officer', 'Acme Ltd']; a legal form after a comma stays with its name
('Distribuciones Levante, S.L.')."""

from __future__ import annotations

import re

from parsing.reading import judge

_SEPARATORS = re.compile(r"[ \t]*(?:[,;|/•·–—]|[ \t]-[ \t])[ \t]*")


def segments(line: str) -> list[str]:
    if len(line) > 200:  # no line of details; and the split is quadratic on long blank runs
        return [line]
    # a job title in brackets goes with the segment: 'John Smith (Head Teacher)' → 'John
    # Smith'; an image's alt text ('[Greenleaf logo]') is no part of a name
    line = re.sub(r"[ \t]*\([^()]{1,40}\)", "", line)
    line = re.sub(r"\[[^\[\]]{0,60}\][ \t]*", "", line)
    line = re.sub(r"^[ \t]*-[ \t]?(?=[A-Z])", "", line)  # '-Martin', '- Jane Smith'
    line = re.sub(r"^\*+|\*+$", "", line.strip())  # '*Jane Doe*' from HTML bold
    parts: list[str] = []
    for part in (p.strip(" .") for p in _SEPARATORS.split(line)):
        if not part:
            continue
        if parts and judge.legal_form_only(part):
            parts[-1] = f"{parts[-1]}, {part}"
        else:
            parts.append(part)
    return parts
