"""Telephone numbers in free text: phonenumbers' matcher, as E.164 with what was written kept.

Every number of a possible length and shape for the region is found, with whether
phonenumbers lists its range as valid: real ranges appear before its metadata knows them, and
Ofcom's drama ranges (07700 900xxx) are never listed, yet a customer who writes "call me back
on 07700 900 456" means it. Whether a number is one to call back is the reader's judgement
(parsing.reading.rules.numbers), from the words around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

MAX_TEXT = 100_000  # the matcher is slow on huge text; numbers sit near the top or in a signature
MAX_PER_TEXT = 20  # a line of a mail holds a few numbers; a pasted table is no call-back list
MIN_DIGITS = 7
# A North American number written the North American way: '(415) 555-0132', '415-555-0132'.
# At a desk outside North America it is no local number, and the shape says whose it is.
_NANP_SHAPE = re.compile(
    r"(?<![\d+])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ \t]?|\d{3}[-.])\d{3}[-.]\d{4}"
    r"(?:[ \t]*(?:ext\.?|x|extension)[ \t]*\d{1,6})?(?!\d)",
    re.IGNORECASE,
)
_NANP_REGIONS = {"US", "CA"}
# shapes the matcher takes that are no telephone number: dates, times, dotted-quad addresses
_NOT_A_NUMBER = re.compile(
    r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"  # 10.0.0.254
    r"|\d{4}[-./]\d{1,2}[-./]\d{1,2}"  # 2026-11-20
    r"|\d{1,2}[-./]\d{1,2}[-./](?:\d{2}|\d{4})"  # 20.11.2026, 11/20/26
    r"|\d{1,2}[:.]\d{2}(?:[ \t]*[-–][ \t]*\d{1,2}(?:[:.]\d{2})?)?"  # 09:30, 12.15-1
)


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str  # +442079460018
    original: str  # as written: 020 7946 0018 ext. 234
    extension: str = ""  # 234


@dataclass(frozen=True, slots=True)
class NumberMatch:
    start: int
    end: int
    phone: Phone
    number: phonenumbers.PhoneNumber

    @property
    def valid(self) -> bool:
        """phonenumbers lists the range (asked only where the words around do not decide)."""
        return phonenumbers.is_valid_number(self.number)


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def not_a_number(raw: str) -> bool:
    """A date, a time or an IP address that has a number's shape."""
    return bool(_NOT_A_NUMBER.fullmatch(raw.strip()))


def _north_american(text: str) -> list[NumberMatch]:
    found = []
    for match in _NANP_SHAPE.finditer(text):
        try:
            number = phonenumbers.parse(match.group(0), "US")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            phone = Phone(_e164(number), match.group(0), number.extension or "")
            found.append(NumberMatch(match.start(), match.end(), phone, number))
    return found


def find_numbers(text: str, region: str = "GB") -> list[NumberMatch]:
    """Every number of a possible shape in `text`, in order, dates, times and IP addresses
    left out. North American numbers written the North American way count at any desk."""
    text = text[:MAX_TEXT]
    region = region.upper()
    try:
        matches = list(PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE))
    except Exception:  # an unknown region or a matcher edge case: no numbers, not a crash
        matches = []
    found = []
    for match in matches[:MAX_PER_TEXT]:
        raw = match.raw_string.strip()
        if sum(ch.isdigit() for ch in raw) < MIN_DIGITS:
            continue  # '(ext 7412)', '2024': an extension or a year, no number to call
        if raw.startswith("(") and ")" not in raw:
            raw = raw[1:]  # '(0161 496 0999' of '… number (0161 496 0999)'
        if not_a_number(raw.split(" ext")[0]):  # '09:30 ext 2' is no number either
            continue
        phone = Phone(_e164(match.number), raw, match.number.extension or "")
        found.append(NumberMatch(match.start, match.end, phone, match.number))
    if region not in _NANP_REGIONS:
        # '(415) 555-0132' at a UK desk: the North American reading, unless the local one is
        # a number phonenumbers lists
        american = _north_american(text)
        found = [m for m in found if not _overlaps(m, american) or m.valid]
        found += [m for m in american if not _overlaps(m, found)]
        found.sort(key=lambda m: m.start)
    return found


def _overlaps(match: NumberMatch, others: list[NumberMatch]) -> bool:
    return any(o.start < match.end and match.start < o.end for o in others)


def parse_phone(text: str, region: str = "GB") -> Phone | None:
    """One number as someone typed it into a form or a contact list."""
    found = find_numbers(text, region)
    if found:
        return found[0].phone
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return Phone(_e164(number), text.strip(), number.extension or "")
