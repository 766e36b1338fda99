"""Labelled fields, anywhere in a line: 'Name: Jane Doe', 'Company - Acme Ltd', a form's
'Call-back number(s): …', and labels inside a sentence ('… since Monday. School: Riverside
Infants. Please call …'), several on one line ('Name: Jo Bell | Tel: 07700 900 456')."""

from __future__ import annotations

import re

from parsing.lexicon import alternation, key
from parsing.lexicon.people import HONORIFICS
from parsing.lexicon.phrases import (
    ABBREVIATIONS,
    COMPANY_LABELS,
    DESCRIPTION_LABELS,
    NAME_LABELS,
    NOT_CALLBACK_LABELS,
    PHONE_LABELS,
    SITE_LABELS,
)
from parsing.reading import judge
from parsing.reading.candidate import (
    COMPANY,
    DESCRIPTION,
    NAME,
    PHONE,
    SIGNED,
    SITE,
    TYPED,
    Candidate,
)
from parsing.reading.layout import BODY, SIGNATURE, Line
from parsing.reading.rules import Mail
from parsing.reading.segments import segments

REFUSED = "refused"  # 'Fax:', 'VAT no:': a field of its own, which ends the one before
# one-letter labels ('T: 020 …', 'M: 07…') and Outlook's 'DD' only open a line
_LINE_START_ONLY = {label for label in PHONE_LABELS if len(label) <= 2}
_KINDS = {
    PHONE: tuple(label for label in PHONE_LABELS if label not in _LINE_START_ONLY),
    NAME: NAME_LABELS,
    COMPANY: COMPANY_LABELS,
    SITE: SITE_LABELS,
    DESCRIPTION: DESCRIPTION_LABELS,
    REFUSED: tuple(label for label in NOT_CALLBACK_LABELS if len(label) > 2),
}
def _by_label() -> dict[str, str]:
    """Each label's detail: the first list that holds it decides ('contact number' a phone)."""
    found: dict[str, str] = {}
    for kind, labels in _KINDS.items():
        for label in labels:
            found.setdefault(key(label), kind)
    for label in _LINE_START_ONLY:
        found.setdefault(label, PHONE)
    return found


_BY_LABEL = _by_label()

_SEP = r"[ \t]*+(?:[:=]|[-–—]+(?=[ \t])|\.{2,})[ \t]*+"
_ANY_LABEL = alternation(_BY_LABEL) + r"(?:\(s\))?"
# a label opens the line (after a bullet), or follows a sentence end or a separator
_LABEL = re.compile(
    r"(?:^[ \t>*•·\-]*+|(?<=[.;|!?][ \t])|(?<=[.;|!?])(?=[A-Z])|(?<=[ \t][|/][ \t]))"
    r"(?P<label>" + _ANY_LABEL + r")(?:[ \t]*\((?:optional|if known)\))?" + _SEP,
    re.IGNORECASE,
)
# a value ends at the next sentence ('School: Riverside Infants. Please call …')
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])\.(?:[ \t]+|$)(?=[A-Z]|$)")
NAME_RULE = "labelled field"
_ABBREVIATIONS = frozenset((*HONORIFICS, *ABBREVIATIONS))
_LABEL_ONLY = re.compile(r"[ \t>*•·\-]*" + _ANY_LABEL + r"[ \t]*[:=]?[ \t]*", re.IGNORECASE)
_SEPARATOR_CHAR = re.compile(r"[:=\-–—]|\.\.")


def fields(text: str) -> list[tuple[str, str, str, int, int]]:
    """(kind, label, value, start, end) of each labelled field on one line."""
    found = []
    matches = list(_LABEL.finditer(text))
    for number, match in enumerate(matches):
        label = key(match.group("label"))
        if label.endswith("(s)"):
            label = label[:-3]
        if label in _LINE_START_ONLY and text[: match.start()].strip(" \t>*•·-"):
            continue
        end = matches[number + 1].start() if number + 1 < len(matches) else len(text)
        value = text[match.end() : end]
        kind = _BY_LABEL.get(label, "")
        if kind != DESCRIPTION:
            value = _first_sentence(value)
        value = value.strip(" \t|;,")
        if value and kind and kind != REFUSED:
            found.append((kind, match.group("label"), value, match.start(), end))
    return found


def _first_sentence(value: str) -> str:
    """'Riverside Infants. Please call …' → 'Riverside Infants'; a dot after an abbreviation
    ('Dr. Jane Doe', 'Acme Co. Ltd', 'St. Mary's') ends no sentence."""
    for cut in _SENTENCE_END.finditer(value):
        word = value[: cut.start()].rsplit(None, 1)[-1] if value[: cut.start()].strip() else ""
        if len(word.strip("(")) >= 3 and key(word) not in _ABBREVIATIONS:
            return value[: cut.start()]
    return value


def label_only(text: str) -> bool:
    """A label with nothing after it ('Name:'): a form left blank, no description."""
    return len(text) <= 60 and bool(_LABEL_ONLY.fullmatch(text))


class LabelledField:
    name = NAME_RULE

    def propose(self, mail: Mail) -> list[Candidate]:
        found: list[Candidate] = []
        for position, line in enumerate(mail.layout.lines):
            if line.zone not in (BODY, SIGNATURE) or not _SEPARATOR_CHAR.search(line.text):
                continue
            items = fields(line.text)
            covered = 0
            for kind, label, value, start, end in items:
                got = self._read(mail, line, kind, label, value, start, end)
                found.extend(got)
                if got or kind == DESCRIPTION:
                    covered += end - start
            if items and covered >= len(line.text.strip()) - 2 and all(
                kind != DESCRIPTION for kind, *_ in items
            ):
                mail.consumed.add(position)
        return found

    def _read(self, mail: Mail, line: Line, kind: str, label: str, value: str, start: int,
              end: int) -> list[Candidate]:
        text = line.text[start:end].strip()
        # typed into the mail now, or a field of the signature they always send
        typed = TYPED if line.zone == BODY else SIGNED
        if kind == PHONE:
            numbers = [m for m in mail.numbers_on(line.text) if start <= m.start < end]
            if numbers:
                return [Candidate(PHONE, m.phone.e164, self.name, typed, text, line.index,
                                  original=m.phone.original, extension=m.phone.extension,
                                  zone=line.zone)
                        for m in numbers]
            if label.lower() not in ("contact", "contact name"):
                return []
            kind = NAME  # 'Contact: Jane Doe': no number, a name
        if kind == NAME:
            value = (segments(value) or [value])[0]  # 'Emma Hale-Parker, manager'
            verdict = judge.person(value, any_case=True) or judge.display_person(value)
            if verdict is None:
                return []
            candidate = Candidate(NAME, verdict.value, self.name, typed, text, line.index,
                                  zone=line.zone)
            candidate = candidate.doubted_for(verdict.doubts)
            return [candidate]
        if kind in (COMPANY, SITE):
            parts = segments(value)
            if len(parts) > 1 and judge.organisation_words(parts[0]):
                value = parts[0]  # 'Tiny Steps Nursery, Penwortham': the organisation, not where
            verdict = judge.organisation(value, placed=True, any_case=True)
            if verdict is None:
                return []
            found = [Candidate(kind, verdict.value, self.name, typed, text, line.index,
                               zone=line.zone)]
            if kind == SITE and judge.organisation_words(verdict.value):
                # 'Site - Ravenscliffe Academy (PE block)': the school, as a person reads it
                found.append(Candidate(COMPANY, verdict.value, self.name, typed, text,
                                       line.index, zone=line.zone
                                       ).doubted("a site, taken for the organisation"))
            return found
        return []


# 'Description: the printer jams': the description without its label
DESCRIPTION_LABELS_RE = re.compile(
    r"^[ \t>*•·\-]*+" + alternation(DESCRIPTION_LABELS) + _SEP + r"(?P<value>\S.*)$",
    re.IGNORECASE,
)
