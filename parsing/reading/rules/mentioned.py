"""An organisation named anywhere in the sender's words or footer: 'Computer at the shop (Russo
Plumbing) has a red screen', 'Cartwright Haulage Ltd is registered in England'. Weak
evidence: the sender's own organisation is the likeliest one a mail names, but not the only
one, so any other rule's candidate beats it."""

from __future__ import annotations

import re

from parsing.lexicon import Vocabulary, alternation
from parsing.lexicon.organisations import (
    ORGANISATION_JOINERS,
    ORGANISATION_WORDS,
    REGISTER_WORDS,
)
from parsing.lexicon.people import NOT_NAME_WORDS
from parsing.reading import judge
from parsing.reading.candidate import COMPANY, WEAK, Candidate
from parsing.reading.layout import BODY, BOILERPLATE, SIGNATURE
from parsing.reading.letters import CAPITAL
from parsing.reading.rules import Mail
from parsing.reading.rules.prose import shouting

RULE = "organisation named in the text"
_WORD = rf"{CAPITAL}[\w'’&\-]*(?:\.\w+)*"
_JOIN = rf"(?i:{alternation(ORGANISATION_JOINERS)})(?![\w'’])[ \t]+|&[ \t]+"
_RUN = re.compile(rf"(?<![\w'’-]){_WORD}(?:[ \t]+(?:{_JOIN})?{_WORD}){{1,6}}")
_JOINERS = frozenset(ORGANISATION_JOINERS)
_ORGANISATION_WORD = Vocabulary(ORGANISATION_WORDS)
_TWO_CAPITALS = re.compile(rf"{CAPITAL}[\w\'’&-]*[ \t]+(?:\w+[ \t]+)?{CAPITAL}")
_NOT_NAME = frozenset(NOT_NAME_WORDS) - _JOINERS
_WEEKDAY = re.compile(r"(?:mon|tues|wednes|thurs|fri|satur|sun)day", re.IGNORECASE)


def _proper(value: str) -> bool:
    """A name of its own besides the organisation words: 'Russo Plumbing', not 'The School'."""
    return any(
        w[:1].isupper() and w.lower() not in _JOINERS and not judge.organisation_words(w)
        and w.lower() not in _REGISTER for w in value.split()
    )


_REGISTER = frozenset(REGISTER_WORDS)


def _without_leading_words(run: str) -> str:
    """'My Riverside College', 'Since Monday Acme Ltd' → 'Riverside College', 'Acme Ltd': a
    sentence's first words are capitalised too."""
    words = run.split()
    while len(words) > 1 and (words[0].lower() in _NOT_NAME or _WEEKDAY.fullmatch(words[0])):
        words.pop(0)
    return " ".join(words)


class OrganisationNamed:
    name = RULE

    def propose(self, mail: Mail) -> list[Candidate]:
        found: list[Candidate] = []
        for line in mail.layout.lines:
            if line.zone not in (BODY, SIGNATURE, BOILERPLATE) or len(line.text) > 2000:
                continue
            if line.zone == BODY and shouting(line.text):
                continue
            if not _TWO_CAPITALS.search(line.text) or not _ORGANISATION_WORD.search(line.text):
                continue  # one look at the whole line before each of its capitalised runs
            for match in _RUN.finditer(line.text):
                run = _without_leading_words(match.group(0).rstrip("."))
                if line.text[match.end() : match.end() + 1] == "." and judge.legal_form(
                    run.rsplit(None, 1)[-1] + "."
                ):
                    run += "."  # 'Two Rivers Title Co.': the dot is the legal form's
                if not judge.named_organisation(run):
                    continue  # the cheap look first: most capitalised runs are no organisation
                verdict = judge.organisation(run)
                if verdict is None or not judge.named_organisation(verdict.value) or not (
                    _proper(verdict.value)
                ):
                    continue
                found.append(Candidate(COMPANY, verdict.value, RULE, WEAK, line.text[:80],
                                       line.index, zone=line.zone))
        return found
