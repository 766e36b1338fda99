"""The details in a sender's answer to our request for them, in any order and wording.

Besides what the reader finds in any mail (labelled lines, prose, lines of details), an answer
is often a few bare pieces: 'Robert Brown, Hillside Dental Practice, 0113 496 0123', 'Name Jane
Doe, company Acme', three lines 'Jane Doe / Brightwater / 07911 123456', or just 'Northfield
Academy' when only the company was asked for. The question gives the pieces their meaning:
each piece answers the question it fits; what is left over answers the one question still open.
Hand-written: no library reads answers to a questionnaire.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from parsing.details import COMPANY, NAME, PHONE, Details, extract_details
from parsing.greetings import after_greeting
from parsing.lexicon import alternation, key
from parsing.lexicon.phrases import (
    ANSWER_FILLERS,
    COMPANY_LABELS,
    NAME_LABELS,
    PHONE_LABELS,
    SENTENCE_OPENINGS,
    SIGN_OFFS,
)
from parsing.message import ParsedMessage
from parsing.phones import Phone, find_numbers
from parsing.reading import judge
from parsing.reading.candidate import STATED, Candidate
from parsing.reading.rules.display import RULE as DISPLAY_NAME

RULE = "answer"
_SHORT_LINE = re.compile(r"^[^\n]{2,80}$")
_PIECES = re.compile(r"[,;|]|\s[-–]\s|(?<=[.!?])\s+")  # list separators and sentence ends
_LABEL_KIND = {
    **{label: NAME for label in NAME_LABELS},
    **{label: COMPANY for label in COMPANY_LABELS},
    **{label: PHONE for label in PHONE_LABELS if len(label) > 2},
}
# 'Name Jane Doe', 'my company is Acme', 'phone 0113 …': a label without a colon
_LABEL_WORD = re.compile(
    r"(?:(?:my|our|the)\s+)?(?P<label>" + alternation(_LABEL_KIND) + r")"
    r"(?:\s+is)?\s*[:=-]?\s+(?P<value>\S.*)",
    re.IGNORECASE,
)
_PROSE_START = re.compile(rf"{alternation(SENTENCE_OPENINGS)}\b", re.IGNORECASE)
_AT = re.compile(r"\b(?:at|from|for|with|of)\s+(?=[A-Z0-9])")
_OTHER_LABEL = re.compile(r"[\w '’()/-]{1,30}[:=]\s")  # 'Site: Leeds', 'Room: 4'
# pieces that answer nothing: greetings, sign-offs, 'Sure', 'Here you go'
_FILLER = re.compile(alternation((*ANSWER_FILLERS, *SIGN_OFFS)) + r"[.!]*", re.IGNORECASE)


def _filler(piece: str) -> bool:
    return bool(_FILLER.fullmatch(piece)) or after_greeting(piece) == ""


def _value(piece: str) -> str:
    match = _LABEL_WORD.fullmatch(piece)
    return match.group("value") if match else piece


def _pieces(parsed: ParsedMessage) -> list[str]:
    return [
        piece.strip(" .!")
        for line in parsed.reply_text.splitlines()
        if _SHORT_LINE.match(line.strip())
        for piece in _PIECES.split(line)
        if piece.strip(" .!")
    ]


def _number_only(piece: str, region: str) -> Phone | None:
    numbers = find_numbers(piece, region)
    if len(numbers) == 1 and piece[: numbers[0].start].strip(" :") == "" and (
        not piece[numbers[0].end :].strip()
    ):
        return numbers[0].phone
    return None


def _answer(detail: str, value: str, text: str) -> Candidate:
    return Candidate(detail, value, RULE, STATED, text, 0)


def answer_details(parsed: ParsedMessage, missing: Sequence[str], region: str) -> Details:
    """What the answer supplies for the `missing` details."""
    found = extract_details(parsed, region=region)
    evidence = dict(found.evidence)
    # only what the sender typed answers a question; their display name and signature are
    # what we had already
    typed = {d for d, c in evidence.items() if c.strength >= STATED}
    changes: dict[str, object] = {}
    if NAME in missing and NAME not in typed and found.name and (
        evidence[NAME].rule == DISPLAY_NAME
    ):
        changes.update(name="")
        evidence.pop(NAME)
    pieces = _pieces(parsed)
    if PHONE in missing and not found.phones:
        # a bare number answering 'a call-back number' is one, valid in phonenumbers or not
        numbers = [p for piece in pieces if (p := _number_only(_value(piece), region))]
        if numbers:
            changes["phones"] = tuple(numbers)
            evidence[PHONE] = _answer(PHONE, numbers[0].e164, numbers[0].original)
    words = [p for p in pieces if sum(map(str.isdigit, p)) < 6]
    labelled: dict[str, str] = {}
    unlabelled: list[str] = []
    for piece in words:
        match = _LABEL_WORD.fullmatch(piece)
        kind = _LABEL_KIND.get(key(match.group("label"))) if match else None
        if match and kind in (NAME, COMPANY):
            labelled.setdefault(kind, match.group("value").strip(" .!"))
        elif not match and not _filler(piece) and not _OTHER_LABEL.match(piece):
            unlabelled.append(piece)
    name = found.name if NAME in typed else ""
    if NAME in missing and not name:
        people = [p for p in unlabelled if judge.person(p) is not None]
        if NAME in labelled:
            verdict = judge.person(labelled[NAME], any_case=True)
            name = verdict.value if verdict else labelled[NAME]
        elif people:
            name = people[0]
        elif list(missing) == [NAME] and len(unlabelled) == 1 and (
            verdict := judge.display_person(unlabelled[0])
        ):
            name = verdict.value  # 'Smith, Jane'; 'I don't know' names no one
        if name:
            changes["name"] = name
            evidence[NAME] = _answer(NAME, name, name)
    if COMPANY in missing and COMPANY not in typed:
        rest = [p for p in unlabelled
                if not (name and name.lower() in p.lower()) and not _first_name_of(p, name)]
        organisations = [o for p in rest if (o := _organisation_part(p))]
        plain = [p for p in rest if _could_be_a_company(p)]
        company = labelled.get(COMPANY) or (organisations or [""])[0]
        weak = False
        if not company and len(plain) == 1:
            # the one piece left answers the one question left ('Brightwater'), unconfirmed
            company, weak = plain[0], True
        if company:
            changes["company"] = company
            evidence[COMPANY] = _answer(COMPANY, company, company)
            if weak:
                evidence[COMPANY] = evidence[COMPANY].weakest("the one piece left in the answer")
    if not changes:
        return found
    return replace(found, evidence=evidence, **changes)  # type: ignore[arg-type]


def _organisation_part(piece: str) -> str:
    """'year 9 tutor at Northfield Academy' → 'Northfield Academy'; '' for no organisation."""
    if judge.organisation(piece):
        return judge.clean(piece)
    for match in _AT.finditer(piece):
        if verdict := judge.organisation(piece[match.end() :]):
            return verdict.value
    return ""


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
        and judge.person(piece) is None
        and not judge.department_only(piece)
    )
