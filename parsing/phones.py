"""Call-back numbers in free text (phonenumbers' matcher), as E.164 with what was written kept."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

# Numbers on a line labelled like this are not call-back numbers
_NOT_CALLBACK = re.compile(
    r"\b(fax|telefax|vat|reg(istered)?\.?\s*(no|number)|company\s*no)\b", re.IGNORECASE
)
# a reference labelled right before the number: 'account number 0123 456 7890', 'Order ref:
# 0113…', 'PO# 0113…' (not 'locked out of my account, call me on 07911…')
_REFERENCE_LABEL = re.compile(
    r"(\b(account|order|invoice|serial|ref(erence)?|ticket|case|po)\b"
    r"\s*(no\.?|number|num|#|id|ref(erence)?)?|\bcustomer\s*(no\.?|number|num|#|id|ref))"
    r"\s*[:#.]?\s*$",
    re.IGNORECASE,
)
# A North American number written the North American way: '(415) 555-0132', '415-555-0132'.
# At a desk outside North America it is no local number, and the shape says whose it is.
_NANP_SHAPE = re.compile(r"(?<![\d+])(?:\(\d{3}\)[ \t]?|\d{3}[-.])\d{3}[-.]\d{4}(?!\d)")
_NANP_REGIONS = {"US", "CA"}
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


def _is_callback(text: str, start: int, raw: str) -> bool:
    line = _line_at(text, start)
    prefix = line[: max(0, line.find(raw))] if raw in line else line
    # the words just before the number, within its own sentence, clause or signature segment
    near = re.split(r"[.|;,]\s", prefix[-40:])[-1]
    return not _NOT_CALLBACK.search(near) and not _REFERENCE_LABEL.search(near)


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _matches(text: str, region: str, leniency: int) -> list[tuple[int, str, str]]:
    """(position, as written, E.164) of each number phonenumbers' matcher finds."""
    try:
        matches = list(PhoneNumberMatcher(text, region, leniency=leniency))
    except Exception:  # an unknown region or a matcher edge case: no numbers, not a crash
        return []
    return [(m.start, m.raw_string.strip(), _e164(m.number)) for m in matches]


def _north_american(text: str, region: str, *, possible: bool) -> list[tuple[int, str, str]]:
    if region in _NANP_REGIONS:
        return []  # the matcher has read them already
    found = []
    for match in _NANP_SHAPE.finditer(text):
        try:
            number = phonenumbers.parse(match.group(0), "US")
        except phonenumbers.NumberParseException:
            continue
        ok = phonenumbers.is_possible_number(number) if possible else (
            phonenumbers.is_valid_number(number)
        )
        if ok:
            found.append((match.start(), match.group(0), _e164(number)))
    return found


def _collect(text: str, region: str, *, possible: bool) -> tuple[Phone, ...]:
    text = text[:MAX_TEXT]
    region = region.upper()
    candidates = _matches(text, region, Leniency.VALID)
    candidates += _north_american(text, region, possible=possible)
    if possible and not candidates:
        candidates = _matches(text, region, Leniency.POSSIBLE)
    found: dict[str, Phone] = {}
    for start, raw, e164 in sorted(candidates):
        if not _is_callback(text, start, raw):
            continue
        found.setdefault(e164, Phone(e164=e164, original=raw))
        if len(found) >= MAX_NUMBERS:
            break
    return tuple(found.values())


def find_phones(text: str, region: str = "GB") -> tuple[Phone, ...]:
    """Every distinct valid number in free text, in order; fax and registration numbers skipped.
    North American numbers written the North American way count at any desk."""
    return _collect(text, region, possible=False)


def read_numbers(text: str, region: str = "GB") -> tuple[Phone, ...]:
    """Numbers written where a number belongs ('Tel: …', a signature line of its own): valid
    ones, else those of a possible length and shape. phonenumbers' ranges lag behind the
    numbering plans, and a customer who labels a number means it as one."""
    return _collect(text, region, possible=True)


def parse_phone(text: str, region: str = "GB") -> Phone | None:
    """One number as someone typed it into a form or a contact list."""
    phones = read_numbers(text, region)
    if phones:
        return phones[0]
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return Phone(phonenumbers.format_number(number, PhoneNumberFormat.E164), text.strip())
