"""Which candidate each detail takes: the strongest, ties broken by this table, then by the
place in the mail (earlier first)."""

from __future__ import annotations

from collections.abc import Iterable

from parsing.reading.candidate import PHONE, Candidate

# Rules in order of precedence among candidates of equal strength (a key of each rule's
# `name`). The contact directory and the company of the sender's domain are the desk's own
# records, proposed by the ticket rules (tickets.details.gather), which know them.
PRECEDENCE = (
    "labelled field",
    "call-back phrase",
    "number offered for someone else",
    "answer",
    "details line",
    "prose",
    "prose: written on behalf of",
    "prose in lower case",
    "contact directory",
    "sender's company domain",
    "signature's title | organisation line",
    "signature",
    "signature number line",
    "sign-off line",
    "display name",
    "number in the text",
    "number ending the mail",
    "number after 'on' in the sender's sentence",
    "signature line below the name",
    "prose (weak)",
    "organisation named in the text",
    "forwarded colleague's signature",
)
_RANK = {rule: rank for rank, rule in enumerate(PRECEDENCE)}
# The rules by which a sender states a detail of their own in their own words ('Name: …', 'my
# number is …', 'I'm Jo Bell from …'): what a reply corrects, and what names their contact.
# 'on behalf of …' and 'his mobile is …' state someone else's.
OWN_WORDS = frozenset(("labelled field", "call-back phrase", "answer", "details line", "prose",
                       "prose (weak)"))


def ranked(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Strongest first; among equals, by PRECEDENCE, then the earlier in the mail."""
    return sorted(candidates, key=lambda c: (-c.strength, _RANK[c.rule], c.where))


def choose(candidates: Iterable[Candidate], detail: str) -> Candidate | None:
    best = ranked(c for c in candidates if c.detail == detail)
    return best[0] if best else None


def distinct_phones(candidates: Iterable[Candidate], limit: int) -> list[Candidate]:
    """Every call-back number once, the strongest evidence first."""
    seen: dict[str, Candidate] = {}
    for candidate in ranked(c for c in candidates if c.detail == PHONE):
        seen.setdefault(candidate.value, candidate)
    return list(seen.values())[:limit]
