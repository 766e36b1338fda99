"""Take a person's name, telephone numbers and addresses out of text the desk keeps.

Used when personal details are purged (retention) and when a person is forgotten (erasure):
what a ticket says stays readable, who it was about does not. Over-redaction is the safe side:
a word of a name is removed wherever it stands as a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher, format_number

from parsing.phones import not_a_number

NAME, PHONE, ADDRESS = "[name removed]", "[phone removed]", "[address removed]"
# an address anywhere in text, as mail software writes them (also inside <…> and mailto:)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"}
_MIN_DIGITS = 7


def _name_words(name: str) -> set[str]:
    """The words of a name that identify: 'Doe, Jane' gives Jane and Doe; titles do not."""
    return {
        word for word in re.findall(r"[^\W\d_][\w'’-]*", name)
        if len(word) >= 2 and word.casefold() not in _TITLES and not word.isupper()
    }


@dataclass
class Redactor:
    """What to take out. `all_addresses`: every address except those `keep_address` allows
    (the desk's own, its staff); else only `addresses`. `all_phones`: every number of a
    possible shape; else only those of `phones` (E.164 or as written)."""

    names: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    all_addresses: bool = False
    all_phones: bool = False
    keep_address: Callable[[str], bool] = lambda _address: False
    region: str = "GB"

    def add_names(self, names: Iterable[str]) -> None:
        self.names.update(n for n in (" ".join(n.split()) for n in names) if n)

    def add_phones(self, phones: Iterable[str]) -> None:
        self.phones.update(p.strip() for p in phones if p and p.strip())

    def add_addresses(self, addresses: Iterable[str]) -> None:
        self.addresses.update(a.lower() for a in addresses if a)

    def removes_address(self, address: str) -> bool:
        address = address.lower()
        if self.all_addresses:
            return not self.keep_address(address)
        return address in self.addresses

    def addresses_in(self, values: Iterable[str]) -> list[str]:
        """A list of addresses (To, Cc) without those removed."""
        return [a for a in values if not self.removes_address(a)]

    def text(self, value: str) -> str:
        if not value:
            return value
        value = _ADDRESS.sub(
            lambda m: ADDRESS if self.removes_address(m.group(0)) else m.group(0), value
        )
        value = self._numbers(value)
        return self._names(value)

    def texts(self, values: Iterable[str]) -> list[str]:
        return [self.text(v) for v in values]

    def _numbers(self, value: str) -> str:
        for spelling in sorted(self.phones, key=len, reverse=True):
            if sum(ch.isdigit() for ch in spelling) >= _MIN_DIGITS:
                value = value.replace(spelling, PHONE)
        known = {p for p in self.phones if p.startswith("+")}
        if not known and not self.all_phones:
            return value
        # phonenumbers finds the other spellings of a number ('0113 4960123', '+44 113 …');
        # written by hand it would be a second phone number parser
        cuts = []
        for match in PhoneNumberMatcher(value, self.region, leniency=Leniency.POSSIBLE):
            raw = match.raw_string
            if sum(ch.isdigit() for ch in raw) < _MIN_DIGITS or not_a_number(raw):
                continue
            if self.all_phones or format_number(match.number, PhoneNumberFormat.E164) in known:
                cuts.append((match.start, match.end))
        for start, end in reversed(cuts):
            value = value[:start] + PHONE + value[end:]
        return value

    def _names(self, value: str) -> str:
        if not self.names:
            return value
        for name in sorted(self.names, key=len, reverse=True):
            pattern = r"\s+".join(re.escape(part) for part in name.split())
            value = re.sub(rf"(?<!\w){pattern}(?!\w)", NAME, value, flags=re.IGNORECASE)
        words = set().union(*(_name_words(n) for n in self.names))
        if words:
            alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
            value = re.sub(rf"(?<!\w)(?:{alternatives})(?!\w)", NAME, value, flags=re.IGNORECASE)
        return value
