"""The signature block, wherever it stands (above a disclaimer too): the name line ('Jane
Doe', 'Jane Doe | Finance Officer', 'Mr John Smith (Head Teacher)'), the organisation's line
('Hillside Dental Practice'), a title | organisation line ('Practice Manager | Greenfield Law
LLP', 'Practice Manager at The Grange Surgery'), and the name on the sign-off's own line
('Cheers, Dave Smith')."""

from __future__ import annotations

import re

from parsing.reading import judge
from parsing.reading.candidate import COMPANY, NAME, SIGNED, Candidate
from parsing.reading.layout import SIGNATURE, Line
from parsing.reading.rules import Mail

RULE = "signature"
TITLE_ORGANISATION = "signature's title | organisation line"
SIGN_OFF_NAME = "sign-off line"
POSITION = "signature line below the name"
# the lines of a signature that carry who and where; below them come addresses and footers
READ_LINES = 8
_SEGMENTS = re.compile(r"[ \t]*[|,–—•·][ \t]*|[ \t]+-[ \t]+")
_AT = re.compile(r"[ \t]+(?:at|@|bei|chez|en|bij)[ \t]+", re.IGNORECASE)
_CONTACT = re.compile(r"@|www\.|https?://|\d{3}")


def segments(line: str) -> list[str]:
    """'Jane Doe | Finance Officer, Acme Ltd' → ['Jane Doe', 'Finance Officer', 'Acme Ltd']"""
    if len(line) > 200:
        return [line]
    # a job title in brackets goes with the segment: 'John Smith (Head Teacher)' → 'John
    # Smith'; an image's alt text ('[Greenleaf logo]') is no part of a name
    line = re.sub(r"[ \t]*\([^()]{1,40}\)", "", line)
    line = re.sub(r"\[[^\[\]]{0,60}\][ \t]*", "", line)
    line = re.sub(r"^[ \t]*-[ \t]?(?=[A-Z])", "", line)  # '-Martin', '- Jane Smith'
    line = re.sub(r"^\*+|\*+$", "", line.strip())  # '*Jane Doe*' from HTML bold
    parts: list[str] = []
    for part in (p.strip() for p in _SEGMENTS.split(line) if p.strip()):
        if parts and judge.legal_form(part) and len(part.split()) <= 2:
            parts[-1] = f"{parts[-1]}, {part}"  # 'Distribuciones Levante, S.L.'
        else:
            parts.append(part)
    return parts


class Signature:
    name = RULE

    def propose(self, mail: Mail) -> list[Candidate]:
        lines = [line for line in mail.layout.lines if line.zone == SIGNATURE and line.text
                 and not re.fullmatch(r"[-_=*]{2,}|-- ?", line.text)][:READ_LINES]
        found: list[Candidate] = []
        named = mail.layout.sign_off_name
        if named and (verdict := judge.person(named)):
            candidate = Candidate(NAME, verdict.value, SIGN_OFF_NAME, SIGNED, named, -1,
                                  zone=SIGNATURE)
            found.append(_doubted(candidate, verdict))
        named_at = None
        for number, line in enumerate(lines):
            parts = segments(line.text)
            verdict = None
            if named_at is None and parts and number < 4 and len(line.text) <= 70:
                verdict = judge.person(parts[0], any_case=True)
                if verdict is not None and verdict.doubts and judge.organisation(parts[0]):
                    verdict = None  # 'Greenleaf Housing Trust', 'Chartered Accountants'
            if verdict is not None:
                found.append(_doubted(Candidate(NAME, verdict.value, RULE, SIGNED, line.text,
                                                line.index, zone=SIGNATURE), verdict))
                named_at = number
                parts = parts[1:]
            found.extend(self._organisations(parts, line))
        if named_at is not None and not any(c.detail == COMPANY for c in found):
            found.extend(self._by_position(lines, named_at))
        return found

    def _organisations(self, parts: list[str], line: Line) -> list[Candidate]:
        found = []
        titled = False
        for part in parts:
            at = _AT.split(part, maxsplit=1)
            if len(at) == 2 and judge.job_title(at[0]):
                part, titled = at[1], True  # 'Practice Manager at The Grange Surgery'
            elif judge.job_title(part) and not judge.organisation_words(part):
                titled = True  # 'Practice Manager': the next segment is the organisation
                continue
            verdict = judge.organisation(part, placed=titled)
            if verdict is None or sum(ch.isdigit() for ch in part) >= 3:
                continue
            rule = TITLE_ORGANISATION if titled else RULE
            found.append(_doubted(Candidate(COMPANY, verdict.value, rule, SIGNED, line.text,
                                            line.index, zone=SIGNATURE), verdict))
        return found

    def _by_position(self, lines: list[Line], named_at: int) -> list[Candidate]:
        """'Jane Doe / Finance Officer / Brightwater': a short line of capitalised words
        right below the name (and title) is the organisation, doubted."""
        for line in lines[named_at + 1 : named_at + 3]:
            parts = segments(line.text)
            if len(parts) != 1 or _CONTACT.search(line.text):
                return []
            part = parts[0]
            if judge.job_title(part) or judge.role_words_only(part):
                continue
            verdict = judge.organisation(part, placed=True)
            if verdict is None or judge.person(part) is not None:
                return []
            candidate = Candidate(COMPANY, verdict.value, POSITION, SIGNED, line.text,
                                  line.index, zone=SIGNATURE)
            return [_doubted(candidate.doubted("placed only by its position"), verdict)]
        return []


def _doubted(candidate: Candidate, verdict: judge.Verdict) -> Candidate:
    for doubt in verdict.doubts:
        candidate = candidate.doubted(doubt)
    return candidate
