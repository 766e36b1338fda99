"""Call-back numbers in free text (phonenumbers' matcher), as E.164 with what was written kept."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

# Numbers on a line labelled like this are not call-back numbers
_NOT_CALLBACK = re.compile(r"\b(fax|telefax|vat|reg(istered)?\.?\s*(no|number)|company\s*no)\b",
                           re.IGNORECASE)
MAX_TEXT = 100_000  # the matcher is slow on huge text; numbers sit near the top or in a signature
MAX_NUMBERS = 5


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str  # +442079460018
    original: str  # as written: 020 7946 0018


def _line_at(text: str, index: int) -> str:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text[start : end if end >= 0 else len(text)]


def find_phones(text: str, region: str = "GB") -> tuple[Phone, ...]:
    """Every distinct valid number in the text, in order; fax and registration numbers skipped."""
    found: dict[str, Phone] = {}
    text = text[:MAX_TEXT]
    try:
        matches = list(PhoneNumberMatcher(text, region.upper(), leniency=Leniency.VALID))
    except Exception:  # an unknown region or a matcher edge case: no numbers, not a crash
        return ()
    for match in matches:
        line = _line_at(text, match.start)
        prefix = line[: max(0, line.find(match.raw_string))] if match.raw_string in line else line
        if _NOT_CALLBACK.search(prefix):
            continue
        e164 = phonenumbers.format_number(match.number, PhoneNumberFormat.E164)
        found.setdefault(e164, Phone(e164=e164, original=match.raw_string.strip()))
        if len(found) >= MAX_NUMBERS:
            break
    return tuple(found.values())


def parse_phone(text: str, region: str = "GB") -> Phone | None:
    """One number as someone typed it into a form or a contact list."""
    phones = find_phones(text, region)
    if phones:
        return phones[0]
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return Phone(phonenumbers.format_number(number, PhoneNumberFormat.E164), text.strip())
