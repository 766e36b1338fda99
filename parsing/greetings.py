"""Greetings: the line a mail opens with ('Hi team,', 'Dear Sir or Madam', 'Guten Morgen')."""

from __future__ import annotations

import re

from parsing.lexicon import alternation, word_pattern
from parsing.lexicon.organisations import ORGANISATION_WORDS
from parsing.lexicon.phrases import GREETED, GREETINGS, TIMES_OF_DAY

_HELLO = re.compile(rf"^\s*{alternation(GREETINGS)}\b", re.IGNORECASE)
_TIME_OF_DAY = re.compile(rf"\s*{alternation(TIMES_OF_DAY)}\b", re.IGNORECASE)
# 'Evening Star Ltd', 'Morning Star Academy': an organisation named like a time of day
_ORGANISATION = word_pattern(ORGANISATION_WORDS)
_WORD = r"[\w.'’&]+(?:[-/][\w.'’&]+)*"  # 'Geachte heer/mevrouw,'
_ONLY_WHOM = re.compile(rf"(?P<whom>(?:[ \t]+{_WORD}){{0,4}})[ \t]*[,!.:;–-]*[ \t]*")
_WHOM_THEN = re.compile(rf"(?P<whom>(?:[ \t]+{_WORD}){{0,3}})[ \t]*[,!:;–-]+[ \t]*(?P<rest>\S.*)")
_WHOM = frozenset(GREETED)
# a greeting line is short; a longer one is read as text (and never tried against the patterns
# above, which are slow on long runs of blanks and dots)
MAX_GREETING_LINE = 200


def after_greeting(line: str) -> str | None:
    """The rest of a line that opens with a greeting ('' for 'Hi team,'), None for no greeting:
    'Hello, the wifi is down' → 'the wifi is down'; 'Hey the printer broke' is no greeting."""
    hello = _HELLO.match(line) if len(line) <= MAX_GREETING_LINE else None
    if hello is None:
        return None
    tail = line[hello.end() :]
    # 'Morning Jane,' greets; 'Morning Shift Printer Broken' is a subject line, and 'Evening
    # Star Ltd' a company ('Hello St Mary's Surgery team' and 'Dear IT Services,' greet)
    bare_time = bool(_TIME_OF_DAY.fullmatch(line[: hello.end()]))
    if bare_time and _ORGANISATION.search(tail):
        return None
    # a bare time of day greets one person, or a team ('Morning IT team,', 'Morning Dave and Sam')
    whom_words = tail.replace(",", " ").split()
    team = bool(whom_words) and (
        whom_words[-1].lower().strip(".!:") in _WHOM or "and" in (w.lower() for w in whom_words)
    )
    most = 1 if bare_time and not team else 4
    for pattern in (_ONLY_WHOM, _WHOM_THEN):
        match = pattern.fullmatch(tail)
        whom = match.group("whom").split() if match else []
        if match and len(whom) <= most and all(
            w[:1].isupper() or w.lower().strip(".") in _WHOM for w in whom
        ):
            return match.groupdict().get("rest") or ""
    return None
