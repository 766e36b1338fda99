"""The reader's rules: each reads one kind of evidence and proposes candidates.

A rule is a small class with a `name` (a key of `parsing.reading.choose.PRECEDENCE`) and
`propose(mail)`, which returns the candidates it finds with the text it read; it decides
nothing about other rules' candidates. `Mail` is what every rule may look at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from parsing.lexicon import alternation
from parsing.lexicon.people import FIRST_PERSON
from parsing.phones import NumberMatch, find_numbers
from parsing.reading.candidate import Candidate
from parsing.reading.layout import BODY, SIGN_OFF, SIGNATURE, Layout

# the sender speaking of themselves ('I', 'my', 'we'): their own sentence
SELF_WORD = re.compile(rf"(?<![\w']){alternation(FIRST_PERSON)}(?![\w'])", re.IGNORECASE)


@dataclass
class Mail:
    layout: Layout
    display_name: str
    region: str
    # lines (Layout.lines positions) that carry details and nothing else: no description
    consumed: set[int] = field(default_factory=set)
    _numbers: dict[str, list[NumberMatch]] = field(default_factory=dict)
    _scanned: int = 0  # lines with digits looked at

    @cached_property
    def signature_rank(self) -> dict[int, int]:
        """How many signature lines stand above each signature line (by Layout.lines
        position): numbers are read only near a signature's top."""
        ranks, seen = {}, 0
        for position, line in enumerate(self.layout.lines):
            if line.zone == SIGNATURE and line.text:
                ranks[position] = seen
                seen += 1
        return ranks

    @cached_property
    def last_words(self) -> int:
        """Position (in Layout.lines) of the last line of the sender's own words."""
        own = [i for i, line in enumerate(self.layout.lines)
               if line.zone in (BODY, SIGN_OFF) and line.text]
        return own[-1] if own else -1

    def numbers_on(self, text: str) -> list[NumberMatch]:
        """The numbers of one line (positions within `text`)."""
        if text not in self._numbers:
            scan = _digits(text) and self._scanned < MAX_NUMBER_LINES
            self._scanned += scan
            self._numbers[text] = find_numbers(text, self.region) if scan else []
        return self._numbers[text]


_DIGITS = str.maketrans("", "", "0123456789")
# numbers are looked for on this many lines of a mail at most: a person gives a few, and a
# pasted log or table of thousands would only cost time
MAX_NUMBER_LINES = 100


def _digits(text: str) -> bool:
    return len(text) - len(text.translate(_DIGITS)) >= 6


class Rule(Protocol):
    name: str

    def propose(self, mail: Mail) -> list[Candidate]: ...
