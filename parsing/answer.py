"""The details in a sender's answer to our request for them, in any order and wording.

Besides labelled lines and prose (parsing.details), an answer is often a few bare pieces:
'Robert Brown, Hillside Dental Practice, 0113 496 0123', 'Name Jane Doe, company Acme',
three lines 'Jane Doe / Brightwater / 07911 123456', or just 'Northfield Academy' when only the
company was asked for. Each piece answers the question it fits; what is left over answers the
one question still open. Hand-written: no library reads answers to a questionnaire.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from parsing.details import (
    COMPANY,
    NAME,
    PHONE,
    Details,
    display_name_person,
    extract_details,
    looks_like_organisation,
    looks_like_person,
    number_only,
)
from parsing.greetings import after_greeting
from parsing.message import ParsedMessage
from parsing.phones import find_phones, read_numbers

_SHORT_LINE = re.compile(r"^[^\n]{2,80}$")
_PIECES = re.compile(r"[,;|]|\s[-–]\s|(?<=[.!?])\s+")  # list separators and sentence ends
# 'Name Jane Doe', 'my company is Acme', 'phone 0113 …': a label without a colon
_LABEL_WORD = re.compile(
    r"(?:(?:my|our|the)\s+)?(?P<label>(?:full\s+)?name|company|school|organi[sz]ation|employer|"
    r"business|phone|tel(?:ephone)?|mobile|mob|number)(?:\s+(?:name|number|no\.?))?"
    r"(?:\s+is)?\s*[:=-]?\s+(?P<value>\S.*)",
    re.IGNORECASE,
)
_PROSE_START = re.compile(r"(?:i|i'm|i’m|im|we|we're|my|our|it|it's|this|that|the|please)\b",
                          re.IGNORECASE)
_AT = re.compile(r"\b(?:at|from|for|with|of)\s+(?=[A-Z0-9])")
_OTHER_LABEL = re.compile(r"[\w '’()/-]{1,30}[:=]\s")  # 'Site: Leeds', 'Room: 4'
_LABEL_KIND = {"name": NAME, "company": COMPANY, "school": COMPANY, "organisation": COMPANY,
               "organization": COMPANY, "employer": COMPANY, "business": COMPANY}
# pieces that answer nothing: greetings (parsing.greetings), thanks, sign-offs, 'Sure'
_FILLER = re.compile(
    r"(?:sure|yes|ok(?:ay)?|of course|"
    r"no problem|sorry|apologies|thanks?(?: you)?(?: very much)?|many thanks|cheers|regards|"
    r"kind regards|best(?: regards| wishes)?|all the best|here you go|here they are|"
    r"as requested|see below|details below)",
    re.IGNORECASE,
)


def _filler(piece: str) -> bool:
    return bool(_FILLER.fullmatch(piece)) or after_greeting(piece) == ""


def answer_details(parsed: ParsedMessage, missing: Sequence[str], region: str) -> Details:
    """What the answer supplies for the `missing` details."""
    found = extract_details(parsed, region=region)
    if found.name_source == "display name" and NAME not in missing:
        found = replace(found, name="", name_source="")
    pieces = [
        piece.strip(" .!")
        for line in parsed.reply_text.splitlines()
        if _SHORT_LINE.match(line.strip())
        for piece in _PIECES.split(line)
        if piece.strip(" .!")
    ]
    changes: dict[str, object] = {}
    if PHONE in missing and not found.phones:
        # a bare number answering 'a call-back number' is one, valid in phonenumbers or not
        numbers = tuple(p for piece in pieces if number_only(_value(piece))
                        for p in read_numbers(_value(piece), region))
        if numbers:
            changes["phones"] = numbers
    words = [p for p in pieces if not find_phones(p, region) and sum(map(str.isdigit, p)) < 6]
    labelled: dict[str, str] = {}
    unlabelled: list[str] = []
    for piece in words:
        match = _LABEL_WORD.fullmatch(piece)
        kind = _LABEL_KIND.get(match.group("label").lower().split()[-1]) if match else None
        if match and kind:
            labelled.setdefault(kind, match.group("value").strip(" .!"))
        elif not match and not _filler(piece) and not _OTHER_LABEL.match(piece):
            unlabelled.append(piece)
    name = found.name if found.name_source in ("labelled", "prose") else ""
    if NAME in missing and not name:
        people = [p for p in unlabelled if looks_like_person(p)]
        if NAME in labelled:
            name = display_name_person(labelled[NAME]) or labelled[NAME]
        elif people:
            name = people[0]
        elif list(missing) == [NAME] and len(unlabelled) == 1:
            name = display_name_person(unlabelled[0]) or unlabelled[0]
        if name:
            changes.update(name=name, name_source="labelled")
    if COMPANY in missing and found.company_source in ("", "signature"):
        rest = [p for p in unlabelled
                if not (name and name.lower() in p.lower()) and not _first_name_of(p, name)]
        organisations = [_organisation_part(p) for p in rest if looks_like_organisation(p)]
        # 'IT Services, Northfield Council': the department after the organisation
        organisations.sort(key=lambda o: bool(_DEPARTMENT.search(o)))
        plain = [p for p in rest if _could_be_a_company(p)]
        company = labelled.get(COMPANY) or (organisations or [""])[0]
        if not company and len(plain) == 1:
            company = plain[0]  # the one piece left answers the one question left
        if company:
            changes.update(company=company, company_source="labelled")
    return replace(found, **changes) if changes else found  # type: ignore[arg-type]


_DEPARTMENT = re.compile(r"\b(it|ict|hr|finance|accounts|facilities|customer)\b", re.IGNORECASE)


def _value(piece: str) -> str:
    match = _LABEL_WORD.fullmatch(piece)
    return match.group("value") if match else piece


def _organisation_part(piece: str) -> str:
    """'year 9 tutor at Northfield Academy' → 'Northfield Academy'."""
    for match in _AT.finditer(piece):
        if looks_like_organisation(tail := piece[match.end() :]):
            return tail
    return piece


def _first_name_of(piece: str, name: str) -> bool:
    """'Jane' under 'Jane Doe': a sign-off, not an answer."""
    return bool(name) and piece.lower() == name.split()[0].lower()


def _could_be_a_company(piece: str) -> bool:
    """A short name, not a sentence: 'Brightwater', 'Hillside Farm Shop'."""
    words = piece.split()
    return (
        1 <= len(words) <= 6
        and piece[:1].isupper()
        and not re.search(r"[.?!:]\s", piece)
        and not _PROSE_START.match(piece)
    )
