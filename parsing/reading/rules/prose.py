"""Who and where, said in a sentence: 'my name is Jane Doe', 'I'm Dave Rowe from Hillside
Dental', 'I work at Riverside College', 'I'm the Year 4 teacher at Moorside Juniors', 'ich bin
Jan Meier von der Weber Logistik GmbH', 'this is Jane Doe from Oakfield'."""

from __future__ import annotations

import re
from itertools import pairwise

from parsing.lexicon import alternation
from parsing.lexicon.organisations import ORGANISATION_JOINERS, ORGANISATION_NOUNS, SCHOOL_WORDS
from parsing.lexicon.people import JOB_TITLES, NAME_PARTICLES, PRONOUNS
from parsing.lexicon.phrases import (
    AFFILIATION_LEADS,
    AFFILIATION_LINKS,
    GREETINGS,
    INTRODUCTION_LINKS,
    ON_BEHALF_LEADS,
    ROLE_LINK_WORDS,
    ROLE_LINKS,
    SELF_AT_LINKS,
    SELF_NAMING,
    SELF_NAMING_OPENING,
    SELF_NAMING_WEAK,
)
from parsing.reading import judge
from parsing.reading.candidate import COMPANY, NAME, SIGNED, STATED, Candidate
from parsing.reading.layout import BODY, GREETING
from parsing.reading.letters import CAPITAL, SMALL
from parsing.reading.rules import SELF_WORD, Mail

RULE, WEAK_RULE = "prose", "prose (weak)"
ON_BEHALF_RULE = "prose: written on behalf of"
_WORD = rf"{CAPITAL}[\w'’\-]*\.?"
# particles written in lower case inside a name ('van', 'de la', 'i'): capitals do not
# mark them
_PARTICLE = alternation(p for p in NAME_PARTICLES if p.isalpha())
_PERSON = rf"{_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_WORD}){{1,3}}"
_PERSON_LAZY = rf"{_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_WORD}){{1,3}}?"
_JOIN = alternation(ORGANISATION_JOINERS)
_ORG_WORD = rf"(?:{CAPITAL}|[0-9])[\w'’&.\-]*"
_KIND = alternation(w for w in (*SCHOOL_WORDS, *ORGANISATION_NOUNS) if " " not in w)
_ORG = (rf"(?:(?i:the)[ \t]+)?(?:{_ORG_WORD}|{_KIND}(?=[ \t]+{CAPITAL}))"
        rf"(?:[ \t]+(?:(?i:{_JOIN})(?![\w'’])|&|{_ORG_WORD})){{0,7}}")
_LINK = alternation(AFFILIATION_LINKS)

_NAMING = re.compile(rf"(?<![\w'])(?i:{alternation(SELF_NAMING)})[ \t]+(?P<name>{_PERSON})")
_NAMING_OPENING = re.compile(  # with its capital: 'Met Pieter Bakker van …'
    rf"^{alternation(tuple(lead.capitalize() for lead in SELF_NAMING_OPENING))}[ \t]+"
    rf"(?P<name>{_PERSON})"
)
# after a weak lead only a name that ends its phrase: 'this is Jane Doe from Oakfield', not
# 'this is Windows Update failing'
_NAMING_WEAK = re.compile(
    rf"(?<![\w'])(?i:{alternation(SELF_NAMING_WEAK)})[ \t]+(?P<name>{_PERSON})"
    rf"(?=[ \t]*(?:[,.;:!–-]|$|(?i:{_LINK}|here|speaking|calling|again|and|in)\b))",
    re.MULTILINE,
)
# a line opening with the sender's name: 'Andrew Kerr here, network manager at …'
_HERE = re.compile(rf"^(?P<name>{_PERSON})[ \t]+(?i:here|speaking)\b")
_AFFILIATION = re.compile(
    rf"(?<![\w'])(?i:{alternation(AFFILIATION_LEADS)})[ \t]+(?P<org>{_ORG})"
)
# 'Jane Doe from Acme Ltd': the person keeps their capitals ('an email from Microsoft' is no
# company)
_PERSON_AT = re.compile(
    rf"(?P<person>{_PERSON_LAZY})[ \t]+(?i:here[ \t]+)?(?P<link>(?i:{_LINK}))(?![\w'’])[ \t]+"
    rf"(?P<org>{_ORG})"
)
_PERSON_WITH_HERE = re.compile(
    rf"(?P<person>{_PERSON_LAZY})[ \t]+(?i:{alternation(INTRODUCTION_LINKS)})[ \t]+"
    rf"(?P<org>{_ORG})\.?[ \t]+(?i:here)\b"
)
_ON_BEHALF = re.compile(
    rf"(?<![\w'])(?i:{alternation(ON_BEHALF_LEADS)})[ \t]+(?P<name>{_PERSON})"
)
# the company a mail names after such a lead is the person's employer, never the person
# 'the office manager at Oakfield Primary School', 'Year 4 teacher at Moorside Juniors'
_ROLE_AT = re.compile(
    rf"(?<![\w'])(?i:{alternation(JOB_TITLES)})(?:[ \t]+[\w'’-]+){{0,2}}?[ \t]+"
    rf"(?P<link>(?i:{alternation(ROLE_LINKS)}))[ \t]+"
    rf"(?P<org>{_ORG})"
)
# 'it's Sarah from Oakfield Primary School': a first name only; an organisation's name needed
# ... or opening the line: 'Tom from Northgate Estates (Harrogate office).'
_FIRST_NAME_FROM = re.compile(
    rf"(?:^|(?<![\w'])(?i:{alternation((*SELF_NAMING, *SELF_NAMING_WEAK))})[ \t]+){_WORD}[ \t]+"
    rf"(?i:here[ \t]+)?(?P<link>(?i:from|at|von|de|van))[ \t]+(?P<org>{_ORG})"
)
# 'It's Mr Adeyemi in Year 6 at Moorside Junior School', 'I'm the Year 4 teacher at …': a
# self-introduction, then where, within the sentence
_SELF_AT = re.compile(
    rf"(?<![\w'])(?:(?i:{alternation(SELF_NAMING)})[ \t]|"
    rf"(?i:{alternation(SELF_NAMING_WEAK)})[ \t]+(?={CAPITAL}))[^.!?\n]{{0,60}}?"
    rf"(?<![\w'])(?P<link>(?i:{alternation(SELF_AT_LINKS)}))[ \t]+"
    rf"(?P<org>{_ORG})"
)
_LOWER_CASE = re.compile(SMALL)
_CAPITALS = re.compile(CAPITAL)
_CAPITALISED = re.compile(rf"(?<![\w'’])(?!I\b|I['’]){CAPITAL}")  # a word's capital, not 'I'


def shouting(text: str) -> bool:
    """A line in capitals throughout (some people write so): capitals mark no names in it."""
    return not _LOWER_CASE.search(text) and len(_CAPITALS.findall(text, 0, 200)) > 12


def _first_words(*phrases: tuple[str, ...]) -> frozenset[str | tuple[str, str]]:
    """What a pattern's phrases open with (a word, or the first two words as a pair): a line
    without any of them cannot match, and a set lookup is far cheaper than a regex over a
    long alternation tried at every position."""
    found: set[str | tuple[str, str]] = set()
    for group in phrases:
        for phrase in group:
            words = phrase.replace("’", "'").split()
            found.add((words[0], words[1]) if len(words) > 1 else words[0])
    return frozenset(found)


# (a compiled pattern hashes its whole source: keyed by name, not by pattern)
_TRIGGERS: dict[str, frozenset[str | tuple[str, str]]] = {
    "naming": _first_words(SELF_NAMING),
    "naming opening": _first_words(SELF_NAMING_OPENING),
    "on behalf": _first_words(ON_BEHALF_LEADS),
    "naming weak": _first_words(SELF_NAMING_WEAK),
    "affiliation": _first_words(AFFILIATION_LEADS),
    "person at": _first_words(AFFILIATION_LINKS),
    "person with here": _first_words(INTRODUCTION_LINKS),
    "role at": frozenset(
        (word, link.split()[0]) for word in (*(t.split()[-1] for t in JOB_TITLES),
                                             *ROLE_LINK_WORDS)
        for link in ROLE_LINKS
    ),
    "first name from": _first_words(AFFILIATION_LINKS),
    "self at": _first_words(SELF_NAMING, SELF_NAMING_WEAK),
    "here": frozenset(("here", "speaking")),
}
_WORDS = re.compile(r"[\w'’]+")
_DOTTED_WORD = re.compile(r"([\w'’]+)\.[ \t]+")  # a word and its dot: 'Ltd. ', 'Dr. '


def _words(text: str) -> frozenset[str | tuple[str, str]]:
    """The line's words and its pairs of neighbouring words, lower case."""
    words = _WORDS.findall(text.lower().replace("’", "'"))
    return frozenset((*words, *pairwise(words)))




class Prose:
    name = RULE

    def propose(self, mail: Mail) -> list[Candidate]:
        found: list[Candidate] = []
        for line in mail.layout.lines:
            if line.zone not in (BODY, GREETING) or len(line.text) > 2000:
                continue
            if len(_CAPITALISED.findall(line.text, 0, 2000)) < 2 or shouting(line.text):
                # every pattern here wants a name with its capitals, beside the sentence's
                # first word ('The printer is broken.' names no one); in a line in capitals
                # ('I AM HAVING TROUBLE WITH THE PRINTER') capitals mark nothing
                continue
            words = _words(line.text)
            found.extend(self._names(line.text, line.index, line.zone, words))
            found.extend(self._companies(line.text, line.index, line.zone, words))
        return found

    def _names(self, text: str, where: int, zone: str,
               words: frozenset[str | tuple[str, str]]) -> list[Candidate]:
        found = []
        for trigger, pattern, rule, strength in (
            ("naming", _NAMING, RULE, STATED),
            ("naming opening", _NAMING_OPENING, RULE, STATED),
            ("on behalf", _ON_BEHALF, ON_BEHALF_RULE, STATED),
            ("naming weak", _NAMING_WEAK, WEAK_RULE, SIGNED),
            ("here", _HERE, RULE, STATED),
        ):
            if words.isdisjoint(_TRIGGERS[trigger]):
                continue
            for match in pattern.finditer(text):
                verdict = _person_from_start(match.group("name"))
                if verdict is None:
                    continue
                candidate = Candidate(NAME, verdict.value, rule, strength,
                                      match.group(0).strip(), where, zone=zone)
                candidate = candidate.doubted_for(verdict.doubts)
                found.append(candidate)
        return found

    def _companies(self, text: str, where: int, zone: str,
                   words: frozenset[str | tuple[str, str]]) -> list[Candidate]:
        found = []
        searches = (
            ("affiliation", _AFFILIATION, True, STATED, RULE),
            ("person at", _PERSON_AT, True, STATED, RULE),
            ("person with here", _PERSON_WITH_HERE, True, STATED, RULE),
            ("role at", _ROLE_AT, True, STATED, RULE),
            ("first name from", _FIRST_NAME_FROM, True, SIGNED, WEAK_RULE),
            ("self at", _SELF_AT, True, STATED, RULE),
        )
        for trigger, pattern, placed, strength, rule in searches:
            if words.isdisjoint(_TRIGGERS[trigger]):
                continue
            for match in _matches(pattern, text):
                if pattern in (_PERSON_AT, _PERSON_WITH_HERE) and not _person_before(text, match):
                    continue
                if _ON_BEHALF.match(match.group(0)):
                    continue  # 'on behalf of Mr Oliver Dunne': a person, not where they work
                said = text[match.start("org") : match.end("org")]  # not the masked copy
                verdict = judge.organisation(org_phrase(said), placed=placed)
                if verdict is None:
                    continue
                candidate = Candidate(COMPANY, verdict.value, rule, strength,
                                      text[match.start() : match.end()].strip(), where, zone=zone)
                if pattern is _ROLE_AT and match.group("link").lower() in ("of", "in") and not (
                    judge.organisation_words(verdict.value)
                ):
                    continue  # 'our Head of Science': a department
                if pattern is _ROLE_AT and not SELF_WORD.search(text[: match.start()][-40:]):
                    candidate = candidate.doubted("a role, perhaps not the sender's")
                candidate = candidate.doubted_for(verdict.doubts)
                if not judge.organisation_words(verdict.value):
                    candidate = candidate.doubted("no organisation word in it")
                    if pattern is _SELF_AT or pattern is _FIRST_NAME_FROM:
                        candidate = candidate.weakest("said in passing")
                found.append(candidate)
        return found


def _person_before(text: str, match: re.Match[str]) -> bool:
    """'I'm Tom Baker from …': a person ends right before the link, and is no tail of a longer
    run of capitalised words ('St Mary's C of E Primary School')."""
    parts = match.group("person").split()
    for start in range(len(parts) - 1):
        if judge.person(" ".join(parts[start:]), prose=True) is not None:
            preceding = (text[: match.start()] + " ".join(parts[:start])).split()
            last = preceding[-1] if preceding else ""
            if last[:1].islower() and last.isalpha() and last not in _INTRODUCING:
                return False  # 'we met Sarah Jones from Acme': someone else's company
            return not (last[:1].isupper() and last.lower() not in _LEADS) and len(parts[-1]) > 1
    return False


_LEADS = frozenset(w.lower() for phrase in (*SELF_NAMING, *SELF_NAMING_WEAK, *SELF_NAMING_OPENING)
                   for w in phrase.split())


def _person_from_start(words: str) -> judge.Verdict | None:
    """The person in 'Dave Rowe' of 'I'm Dave Rowe Hillside…': the longest run of the words,
    from the first, that judges as a person."""
    parts = words.split()
    # one run of particles inside a name ('Maria José de la Cruz'); a second one after it
    # links the organisation ('Sanne de Vries van Bloemenhuis De Linde')
    seen_particle = False
    for index, part in enumerate(parts):
        particle = part.lower() in _PARTICLE_WORDS
        if particle and seen_particle and parts[index - 1].lower() not in _PARTICLE_WORDS:
            parts = parts[:index]
            break
        # after a whole name, 'von der Weber Logistik GmbH' links the organisation
        if particle and index >= 2 and parts[index - 1].lower() not in _PARTICLE_WORDS and (
            judge.organisation_words(" ".join(_after_particles(parts, index)))
        ):
            parts = parts[:index]
            break
        seen_particle |= particle
    for end in range(len(parts), 1, -1):
        verdict = judge.person(" ".join(parts[:end]), prose=True)
        if verdict is not None:
            return verdict
    return None


def _matches(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """The pattern's matches, where a particle inside a name is no link: 'Ik ben Sanne de
    Vries van Bloemenhuis De Linde' links at 'van', not at 'de'. The particle is masked (same
    length, so places stay) and the pattern tried again from the same start."""
    found: list[re.Match[str]] = []
    masked, position = text, 0
    while (match := pattern.search(masked, position)) is not None:
        if _inside_a_name(text, match):
            start, end = match.span("link")
            masked = masked[:start] + "\x00" * (end - start) + masked[end:]
            position = match.start()
            continue
        found.append(match)
        position = match.end()
    return found


def _after_particles(parts: list[str], index: int) -> list[str]:
    while index < len(parts) and parts[index].lower() in _PARTICLE_WORDS:
        index += 1
    return parts[index:]


def _inside_a_name(text: str, match: re.Match[str]) -> bool:
    """'Me llamo María José de la Cruz Peña', 'Ik ben Sanne de Vries': a particle after a
    first name and before a capitalised word is part of the name, no link to where they work
    (unless what follows names an organisation)."""
    link = match.group("link") if "link" in match.re.groupindex else ""
    if not link or link.split()[0].lower() not in _PARTICLE_WORDS:
        return False
    before = text[: match.start("link")].split()
    if not before or not before[-1][:1].isupper() or before[-1].lower() in _LEADS:
        return False
    # the name so far: its capitalised words and particles back to the lead
    run = []
    for word in reversed(before):
        if not (word[:1].isupper() or word in _PARTICLE_WORDS) or word.lower() in _LEADS:
            break
        run.append(word)
    if any(word in _PARTICLE_WORDS for word in run):
        return False  # 'Sanne de Vries van …': one run of particles per name, this one links
    org = match.group("org")
    return not (judge.registered(org) or judge.organisation_noun(org))


def org_phrase(words: str) -> str:
    """An organisation's name where the sentence goes on: 'Riverside College. Email is down'
    is Riverside College, 'Oakfield and I' is Oakfield ('St. Mary's' keeps its dot)."""
    for dot in _DOTTED_WORD.finditer(words):
        if len(dot.group(1)) >= 3:
            words = words[: dot.end(1)]
            break
    parts = words.split()
    while parts and (parts[-1].lower().replace("’", "'") in _PRONOUNS
                     or parts[-1].lower() in _JOINERS):
        parts.pop()
    return " ".join(parts)


_JOINERS = frozenset(ORGANISATION_JOINERS)
_PARTICLE_WORDS = frozenset(p for p in NAME_PARTICLES if p.isalpha())
_PRONOUNS = frozenset(PRONOUNS)
# the lower-case words a sender's own name may follow: a greeting's or a self-introduction's
# (Dutch 'met' only opens a line: in lower case it is meeting someone)
_INTRODUCING = frozenset(
    w for phrase in (*GREETINGS, *SELF_NAMING, *SELF_NAMING_WEAK) for w in phrase.split()
)
