"""Call-back numbers as people write them.

A number counts by the words just before it, within its own clause or signature segment:
- after a call-back phrase or a phone label ('call me back on', 'ring me', 'Tel', 'M:',
  'Durchwahl', 'bel me terug op'): a call-back number, listed by phonenumbers or not;
- on a signature line of its own, or as a piece of a 'name, organisation, number' line;
- anywhere else, only when phonenumbers lists the range (a valid number);
- never after a fax, registration or reference label (fax, VAT, account, order, serial,
  invoice, ticket …): those are not numbers to call.
"""

from __future__ import annotations

import re

from parsing.lexicon import alternation, openings, tokens
from parsing.lexicon.phrases import (
    CALLBACK_PHRASES,
    CALLBACK_PHRASES_OTHERS,
    CALLBACK_VERBS,
    NOT_CALLBACK_LABELS,
    NUMBER_FILLERS,
    NUMBER_PREPOSITIONS,
    PHONE_LABELS,
)
from parsing.phones import NumberMatch
from parsing.reading.candidate import PHONE, SIGNED, STATED, TYPED, Candidate
from parsing.reading.layout import BODY, SIGN_OFF, SIGNATURE, SUBJECT, Line
from parsing.reading.rules import SELF_WORD, Mail
from parsing.reading.rules.details_line import RULE as DETAILS_LINE

CALLBACK = "call-back phrase"
FOR_SOMEONE_ELSE = "number offered for someone else"
SIGNATURE_NUMBER = "signature number line"
ENDING = "number ending the mail"
OWN_SENTENCE = "number after 'on' in the sender's sentence"
IN_TEXT = "number in the text"
# the words before a number, within this many characters of its own clause
_NEAR = 48
_FILLER = rf"(?:[ \t:=#.\-–(),]|\b{alternation(NUMBER_FILLERS)}\b)*"
_OFFERED = re.compile(
    r"(?<![\w'])(?:" + alternation((*CALLBACK_PHRASES, *(p for p in PHONE_LABELS if len(p) > 2)))
    + r")(?:\(s\))?" + _FILLER
    + r"(?:[ \t]+[\w'’]+){0,5}?" + _FILLER + r"$",  # 'call back on the school number 0116…'
    re.IGNORECASE,
)
_OFFERED_FOR_OTHERS = re.compile(
    r"(?<![\w'])(?:" + alternation(CALLBACK_PHRASES_OTHERS) + r")" + _FILLER
    + r"(?:[ \t]+[\w'’]+){0,3}?" + _FILLER + r"$",
    re.IGNORECASE,
)
_CALL_NOW = re.compile(r"(?<![\w'])" + alternation(CALLBACK_VERBS) + r"[ \t:]*$", re.IGNORECASE)
# 'Hannah's mobile for the authenticator app is': someone else's number
_POSSESSIVE = re.compile(
    r"\b[A-Z][\w-]*['’]s[ \t]+(?:mobile|number|phone|cell|direct line|landline|extension)\b",
)
_ON_AT = re.compile(rf"(?<![\w']){alternation(NUMBER_PREPOSITIONS)}[ \t:]*$", re.IGNORECASE)
_CLAUSE = re.compile(r",[ \t]")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[ \t]+(?=[A-Z])")
_STATEMENT_BREAK = re.compile(r"(?<=[.!])[ \t]+")
_ASKED_END = re.compile(r"[?:!][ \t]*\(?$")  # a question (or a colon) just before the number
_REFUSED = re.compile(
    r"(?<![\w'])" + alternation(NOT_CALLBACK_LABELS) + r"(?:[ \t]*(?:no\.?|number|nr\.?|#|id|ref))?"
    + r"[ \t:#.\-–]*$",
    re.IGNORECASE,
)
# a number glued to letters or a hash is a reference ('INC0012345', '#4471', 'PO-0113 496')
_GLUED = re.compile(r"(?:[A-Za-z#]|[A-Za-z]-)$")
# a bare number is a call-back number only this near the top of a signature block (name,
# title, company, a school's postal address); further down it is more likely a ticket, an
# order or a serial
SIGNATURE_NUMBER_LINES = 12
MIN_POSSIBLE_DIGITS = 9
# a clause ends at a sentence end or a separator; a comma or a dash ends the words that label a
# number only where more than the number follows ('call him on his mobile, 07700 …' is one)
_CLAUSE = re.compile(r"[|;]|[.!?](?:[ \t]|$)")
_LABEL_END = re.compile(r"[,(][ \t]*$|[ \t][-–][ \t]*$|:[ \t]*$")
# a line with the number and nothing but a label: a signature's number line
_NUMBER_LINE_REST = re.compile(r"^[\W_]*(?:[A-Za-zÀ-ÿ.\- ]{0,24})[\W_]*$")


# the words the long alternations open with: where none of them stands before the number,
# the regex cannot match, and a set lookup is far cheaper than trying it
_OFFERED_OPENINGS = openings(CALLBACK_PHRASES, PHONE_LABELS)
_OTHERS_OPENINGS = openings(CALLBACK_PHRASES_OTHERS)
_REFUSED_OPENINGS = openings(NOT_CALLBACK_LABELS)
_CALL_OPENINGS = openings(CALLBACK_VERBS)


def words_before(text: str, start: int) -> str:
    """The words before `start` within its own clause, at most _NEAR characters, without the
    comma, bracket or dash right before the number."""
    before = text[max(0, start - _NEAR) : start]
    pieces = _CLAUSE.split(before)
    clause = pieces[-1] if pieces else before
    return _LABEL_END.sub("", clause).rstrip()


def _refused(before: str, words: frozenset[str]) -> bool:
    """A fax or reference label right before the number, in its own comma-separated part."""
    return not words.isdisjoint(_REFUSED_OPENINGS) and bool(
        _REFUSED.search(_CLAUSE.split(before)[-1] + " ")
    )


class CallBackNumbers:
    """Proposes every number a person would call back, strongest evidence first."""

    name = CALLBACK

    def propose(self, mail: Mail) -> list[Candidate]:
        found: list[Candidate] = []
        for position, line in enumerate(mail.layout.lines):
            if line.zone not in (BODY, SIGNATURE, SIGN_OFF, SUBJECT):
                continue
            for match in mail.numbers_on(line.text):
                if candidate := self._judge(mail, position, line, match):
                    found.append(candidate)
        return found

    def _judge(self, mail: Mail, position: int, line: Line, match: NumberMatch
               ) -> Candidate | None:
        text = line.text
        before = words_before(text, match.start)
        words = frozenset(tokens(before))
        glued = text[max(0, match.start - 2) : match.start]
        if _refused(before, words) or _GLUED.search(glued):
            return None
        if "@" in text[max(0, match.start - 1) : match.end + 1] or glued.endswith("/"):
            return None

        def make(rule: str, strength: int) -> Candidate:
            return Candidate(PHONE, match.phone.e164, rule, strength, text.strip(), line.index,
                             original=match.phone.original, extension=match.phone.extension,
                             zone=line.zone)

        if _digits(match.phone.original) < MIN_POSSIBLE_DIGITS and not match.valid:
            return None  # '12.15-1': a time; an unlisted number needs a number's length
        # what the sender types now beats the signature they always send
        offered = TYPED if line.zone == BODY else SIGNED
        if (not words.isdisjoint(_OTHERS_OPENINGS) and _OFFERED_FOR_OTHERS.search(before)) or ((
            "'" in before or "’" in before
        ) and _POSSESSIVE.search(before)):
            return make(FOR_SOMEONE_ELSE, min(offered, STATED))
        if (not words.isdisjoint(_OFFERED_OPENINGS) and _OFFERED.search(before)) or (
            _asked_before(text, match.start)
        ) or (not words.isdisjoint(_CALL_OPENINGS) and _CALL_NOW.search(before)):
            return make(CALLBACK, offered)
        if line.zone == SUBJECT:
            return None
        if position in mail.consumed:
            return make(DETAILS_LINE, STATED)
        if position == mail.last_words and not text[match.end :].strip(" .!)") and (
            _digits(text) < 2 * _digits(match.phone.original) + 4
        ):
            return make(ENDING, SIGNED)  # 'Can anyone come over?? 07700 900 682'
        rest = (text[: match.start] + text[match.end :]).strip()
        if line.zone in (SIGNATURE, SIGN_OFF) and _NUMBER_LINE_REST.match(rest) and (
            mail.signature_rank.get(position, SIGNATURE_NUMBER_LINES) < SIGNATURE_NUMBER_LINES
        ):
            return make(SIGNATURE_NUMBER, SIGNED)
        if match.valid:
            return make(IN_TEXT, SIGNED)
        if line.zone == BODY and _on_in_own_words(text, match.start):
            # 'I am in the office Tuesday to Thursday, 9.30 - 2.30, on 01632 960700.': weak
            # (the sender may speak of someone else's number too: 'I rang Dave on …')
            return make(OWN_SENTENCE, SIGNED)
        return None


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _on_in_own_words(text: str, start: int) -> bool:
    """'I am in the office Tuesday to Thursday, 9.30 - 2.30, on 01632 960700.': a number
    after 'on' or 'at', in a sentence of the sender's about themselves."""
    sentence = _SENTENCE_BREAK.split(text[:start])[-1]
    return bool(_ON_AT.search(sentence)) and bool(SELF_WORD.search(sentence))


def _asked_before(text: str, start: int) -> bool:
    """'Could someone ring me tomorrow morning? 07700 900556': the number opens the sentence
    after a call-back question."""
    if not _ASKED_END.search(text[:start]):
        return False
    question = _STATEMENT_BREAK.split(text[max(0, start - 2 * _NEAR) : start].rstrip(" ("))
    return bool(question) and bool(_OFFERED.search(question[-1].rstrip(" ?:!")))
