"""A line of details: 'Kelly Ashworth, Riverside Infants, 07700 900 456', 'Jo Head | Oakfield
High School | 01772 555 000', 'Request 7. Oakfield High School, 01772 555 007'.

People write their details as a list in one sentence. Each piece is judged on its own (a
person, an organisation, a number); a piece no judge takes that stands right after the person
is the organisation by its place, as a person at the desk reads it ('Brightwater')."""

from __future__ import annotations

import re

from parsing.lexicon import alternation, openings, tokens
from parsing.lexicon.phrases import ARTICLES, NOT_CALLBACK_LABELS
from parsing.reading import judge
from parsing.reading.candidate import COMPANY, NAME, STATED, Candidate
from parsing.reading.layout import BODY, SIGNATURE
from parsing.reading.rules import Mail
from parsing.reading.segments import segments

RULE = "details line"
MAX_LINE = 160
_DIGIT = re.compile(r"\d")
_SEPARATED = re.compile(r"[,;|/•·–—]|[ \t]-[ \t]")
_TRAILING_DIGIT = re.compile(r"\d[ .)]*$")


_REFERENCE_OPENINGS = openings(NOT_CALLBACK_LABELS)


def _reference(piece: str) -> bool:
    """'Account no. HAL-20931', 'VAT 123 4567 89': a reference, not a detail."""
    words = tokens(piece)
    return bool(words) and words[0] in _REFERENCE_OPENINGS and (
        any(ch.isdigit() for ch in piece) or len(words) <= 3  # 'Account no.' of 'Account no. HAL-…'
    )


def _digits_at_end(sentence: str) -> bool:
    return bool(_TRAILING_DIGIT.search(sentence))


_ARTICLE = re.compile(rf"^{alternation(ARTICLES)}\s+", re.IGNORECASE)
SIGNATURE_LINES = 4
_SENTENCES = re.compile(r"(?<=[.!?])[ \t]+(?=[A-Z0-9])")
_PERSON, _ORGANISATION, _NUMBER, _ROLE, _OTHER = (
    "person", "organisation", "number", "role", "other")


def _unpunctuated(sentence: str, mail: Mail) -> list[str]:
    """'liam doyle y5 westbrook 07700 900 163': the sender's name as their mail program writes
    it, what they belong to, and a number, in a row without punctuation."""
    display = " ".join(mail.display_name.split()).lower()
    if not display or not sentence.lower().startswith(display + " "):
        return [sentence]
    numbers = mail.numbers_on(sentence)
    if not numbers:
        return [sentence]
    last = numbers[-1]
    if sentence[last.end :].strip(" .!"):
        return [sentence]
    middle = [w for w in sentence[len(display) : last.start].split()
              if not any(ch.isdigit() for ch in w)]  # 'y5', 'rm12': a class or a room
    pieces = [sentence[: len(display)], " ".join(middle), sentence[last.start : last.end]]
    return [p for p in pieces if p]


class DetailsLine:
    name = RULE

    def propose(self, mail: Mail) -> list[Candidate]:
        found: list[Candidate] = []
        signed = 0
        for position, line in enumerate(mail.layout.lines):
            if line.zone == SIGNATURE and line.text:
                signed += 1
            if line.zone not in (BODY, SIGNATURE) or len(line.text) > MAX_LINE:
                continue
            if line.zone == SIGNATURE and signed > SIGNATURE_LINES:
                continue  # below a signature's name come addresses and legal footers
            if " " not in line.text or not (
                _SEPARATED.search(line.text) or _DIGIT.search(line.text)
            ):
                continue  # no pieces and no number: no line of details
            for sentence in _SENTENCES.split(line.text):
                got = self._sentence(mail, sentence.strip(" .!"), line.index, line.zone)
                if got:
                    found.extend(got)
                    if len(sentence) >= len(line.text) - 2:
                        mail.consumed.add(position)
        return found

    def _sentence(self, mail: Mail, sentence: str, where: int, zone: str
                  ) -> list[Candidate]:
        if " " not in sentence.strip() or (
            not _SEPARATED.search(sentence) and not _digits_at_end(sentence)
        ):
            return []  # one word ('Hello,') or one piece: no line of details
        pieces = segments(sentence)
        if len(pieces) == 1:
            pieces = _unpunctuated(sentence, mail)
        if not 2 <= len(pieces) <= 5:
            return []
        numbers = mail.numbers_on(sentence)
        # in lower case only the sender's name as their mail program writes it
        shown = " ".join(mail.display_name.split()).lower()
        lower = bool(shown) and sentence.lower().startswith(shown) and sentence.islower()
        # in capitals throughout, capitals mark no name: only the sender's, as displayed
        capitals = sentence.isupper()
        kinds = []
        for piece in pieces:
            number = next((m.phone.original for m in numbers if m.phone.original in piece), None)
            if _reference(piece):
                kinds.append(_ROLE)  # 'Account no. HAL-20931': beside the details, no detail
            elif number is not None and len(piece) <= len(number) + 24:
                kinds.append(_NUMBER)
            elif judge.role_words_only(_ARTICLE.sub("", piece)):
                kinds.append(_ROLE)  # 'Year 2 teacher', 'Office Manager'
            elif (not capitals or piece.lower() == shown) and judge.person(
                piece, any_case=piece.lower() == shown
            ) is not None:
                kinds.append(_PERSON)
            elif judge.organisation(piece) is not None:
                kinds.append(_ORGANISATION)
            else:
                kinds.append(_OTHER)
        # a title is followed by where, not by who: 'Exams Officer, Hartley Grange'
        for index in range(len(kinds) - 1):
            if kinds[index] == _ROLE and kinds[index + 1] == _PERSON and _ORGANISATION not in (
                kinds
            ) and judge.organisation(pieces[index + 1], placed=True):
                kinds[index + 1] = _ORGANISATION
        # the piece after the person (or their title), no judge's, is the organisation
        # ('Kelly Ashworth, Brightwater', 'Exams Officer, Hartley Grange')
        anchor = _PERSON if _PERSON in kinds or zone != BODY else _ROLE
        if anchor in kinds and _ORGANISATION not in kinds:
            after = kinds.index(anchor) + 1
            if after < len(pieces) and kinds[after] == _OTHER and judge.organisation(
                pieces[after], placed=True, any_case=lower
            ):
                kinds[after] = _ORGANISATION
        if _OTHER in kinds or not (
            (_PERSON in kinds and (_ORGANISATION in kinds or _NUMBER in kinds))
            or (_ORGANISATION in kinds and (_NUMBER in kinds or (_ROLE in kinds and zone == BODY)))
        ):
            return []
        candidates: list[Candidate] = []
        for piece, kind in zip(pieces, kinds, strict=True):
            if kind == _PERSON and not any(c.detail == NAME for c in candidates):
                verdict = judge.person(piece, any_case=piece.lower() == shown)
                assert verdict is not None
                candidate = Candidate(NAME, verdict.value, RULE, STATED, sentence, where,
                                      zone=zone)
                candidate = candidate.doubted_for(verdict.doubts)
                candidates.append(candidate)
            elif kind == _ORGANISATION and not any(c.detail == COMPANY for c in candidates):
                verdict = judge.organisation(piece, placed=True, any_case=lower)
                assert verdict is not None
                candidate = Candidate(COMPANY, verdict.value, RULE, STATED, sentence, where,
                                      zone=zone)
                candidate = candidate.doubted_for(verdict.doubts)
                candidates.append(candidate)
        return candidates if candidates or _NUMBER in kinds else []
