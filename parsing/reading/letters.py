"""Capital and small letters of every script, as regex character classes: Python's `re` has
no `\\p{Lu}`, and a name such as 'Łukasz' or 'Şule Yılmaz' starts with a capital all the same.
Built once from the Unicode database the interpreter ships (the Basic Multilingual Plane)."""

from __future__ import annotations

import re
import unicodedata


def _letters(categories: frozenset[str]) -> str:
    ranges: list[str] = []
    start = previous = None
    for code in range(0x10000):
        if unicodedata.category(chr(code)) in categories:
            if start is None:
                start = code
            previous = code
            continue
        if start is not None and previous is not None:
            first, last = re.escape(chr(start)), re.escape(chr(previous))
            ranges.append(first if start == previous else f"{first}-{last}")
            start = None
    return "[" + "".join(ranges) + "]"


CAPITAL = _letters(frozenset(("Lu", "Lt")))  # 'A', 'Ł', 'Ş', 'Ǆ'
SMALL = _letters(frozenset(("Ll",)))  # 'a', 'ł', 'ş', 'ß'
