"""What a rule proposes: a value for one detail, with the evidence for it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

NAME, COMPANY, PHONE, DESCRIPTION, SITE = "name", "company", "phone", "description", "site"

# How much a candidate is worth, highest first. A detail read at WEAK only is kept, and marked
# unconfirmed: the acknowledgement shows it so that the customer can correct it.
TYPED = 5  # typed into a labelled field, or offered as a number to call
STATED = 4  # said of themselves in a sentence or a line of details ('I'm Jo Head from …')
KNOWN = 3  # the desk's own records (contact directory, the company of the sender's domain)
SIGNED = 2  # a signature block, the mail program's display name
WEAK = 1  # doubtful: a word in it speaks against it, or the evidence is thin
CONFIRMED_AT = SIGNED


@dataclass(frozen=True, slots=True)
class Candidate:
    detail: str  # name | company | phone | site
    value: str  # as it will be filed ('Kelly Ashworth'; for a phone, the E.164 number)
    rule: str  # the rule that proposed it: a key of choose.PRECEDENCE
    strength: int  # TYPED … WEAK
    text: str  # what the rule read (the line or phrase), for the decision log
    where: int = 0  # line of the new text it stands on (-1: the headers); earlier wins a tie
    doubts: tuple[str, ...] = ()  # why the strength was lowered
    original: str = ""  # a phone number as written ('020 7946 0018 ext. 234')
    extension: str = ""
    zone: str = ""  # the part of the mail it stands in (parsing.reading.layout), '' for headers

    def doubted(self, reason: str) -> Candidate:
        """The same candidate one step weaker, saying why."""
        return replace(self, strength=max(WEAK, self.strength - 1),
                       doubts=(*self.doubts, reason))

    def doubted_for(self, reasons: Iterable[str]) -> Candidate:
        """One step weaker for each reason a judge gave (parsing.reading.judge.Verdict)."""
        candidate = self
        for reason in reasons:
            candidate = candidate.doubted(reason)
        return candidate

    def weakest(self, reason: str) -> Candidate:
        """The same candidate at WEAK, saying why."""
        return replace(self, strength=WEAK, doubts=(*self.doubts, reason))

    @property
    def confirmed(self) -> bool:
        return self.strength >= CONFIRMED_AT
