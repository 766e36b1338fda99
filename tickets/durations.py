"""Durations as config writes them, and the pydantic field types that read them.

"90s", "30m", "1.5h", "3 days" (calendar days, same local time), "1 business day", "3 working
days", "1 week" (= 5 business days), "16 working hours" (hours on the business clock wherever
used) and, where a target may be absent, "none". Plain seconds count on the business clock for
SLA targets, on `schedule.reminder_hours` for waiting reminders and in real time elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

if TYPE_CHECKING:
    from tickets.calendar import BusinessCalendar

__all__ = ["Duration", "DurationField", "OptionalDuration", "Target"]

_SECOND_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
}
_DAY_UNITS = ("d", "day", "days")
_WEEK_UNITS = ("w", "wk", "wks", "week", "weeks")
_BUSINESS_WORDS = ("business", "working")
_DURATION_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]+(?: [a-z]+)?)$")
_DURATION_HELP = "e.g. '30m', '2h', '1 business day', '16 working hours', '1 week'"


@dataclass(frozen=True)
class Duration:
    """A parsed duration: exactly one of seconds, business days or calendar days is meaningful.

    `business` is set when the text said "business/working hours": those seconds run on the
    business clock whatever the field's default.
    """

    seconds: int = 0
    business_days: int = 0
    calendar_days: int = 0
    business: bool = False
    text: str = field(default="", compare=False)

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse config text; raise ValueError saying what is accepted."""
        norm = " ".join(text.lower().split())
        match = _DURATION_RE.match(norm)
        if not match:
            raise ValueError(f"invalid duration {text!r}: {_DURATION_HELP}")
        number, unit = Decimal(match.group(1)), match.group(2)
        qualifier, _, base = unit.rpartition(" ")
        if qualifier not in ("", "calendar", *_BUSINESS_WORDS):
            raise ValueError(f"invalid duration {text!r}: unknown unit {unit!r}; {_DURATION_HELP}")
        business = qualifier in _BUSINESS_WORDS
        if base in _SECOND_UNITS and qualifier != "calendar":
            seconds = number * _SECOND_UNITS[base]
            if seconds != int(seconds):
                raise ValueError(f"invalid duration {text!r}: not a whole number of seconds")
            return cls(seconds=int(seconds), business=business, text=text.strip())
        if base in _DAY_UNITS + _WEEK_UNITS:
            if number != int(number):
                raise ValueError(f"invalid duration {text!r}: days and weeks must be whole")
            if base in _WEEK_UNITS and qualifier != "calendar":
                return cls(business_days=5 * int(number), text=text.strip())
            if business:
                return cls(business_days=int(number), text=text.strip())
            days = int(number) * (7 if base in _WEEK_UNITS else 1)
            return cls(calendar_days=days, text=text.strip())
        raise ValueError(f"invalid duration {text!r}: unknown unit {unit!r}; {_DURATION_HELP}")

    def __str__(self) -> str:
        return self.text or self.canonical()

    def canonical(self) -> str:
        """A normal spelling: '30m', '2h', '16 business hours', '3 business days', '2 days'."""
        if self.business_days:
            return f"{self.business_days} business day{'s' * (self.business_days != 1)}"
        if self.calendar_days:
            return f"{self.calendar_days} day{'s' * (self.calendar_days != 1)}"
        s = self.seconds
        if self.business:
            for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
                if s % size == 0:
                    return f"{s // size} business {unit}{'s' * (s // size != 1)}"
        for unit, size in (("h", 3600), ("m", 60)):
            if s and s % size == 0:
                return f"{s // size}{unit}"
        return f"{s}s"

    def after(
        self, start: datetime, calendar: BusinessCalendar, *, business: bool = False
    ) -> datetime:
        """The instant this long after `start` (UTC); `business` puts plain seconds on the
        business clock."""
        if self.business_days:
            return calendar.add_business_days(start, self.business_days)
        if self.calendar_days:
            return calendar.add_calendar_days(start, self.calendar_days)
        if business or self.business:
            return calendar.add_business_seconds(start, self.seconds)
        if start.utcoffset() is None:
            raise ValueError(f"naive datetime {start.isoformat()}: need an aware datetime")
        return start.astimezone(UTC) + timedelta(seconds=self.seconds)

    def business_seconds(self, start: datetime, calendar: BusinessCalendar) -> int:
        """The SLA budget: seconds of business time this duration gives a clock started at
        `start` (days depend on the hours of the days they cover)."""
        if self.business_days or self.calendar_days:
            return calendar.business_seconds_between(start, self.after(start, calendar))
        return self.seconds


def _duration(value: object) -> Duration:
    if isinstance(value, Duration):
        return value
    if isinstance(value, str):
        if value.strip().lower() == "none":
            raise ValueError("'none' is not allowed here: give a duration")
        return Duration.parse(value)
    raise ValueError(f"expected a duration string ({_DURATION_HELP}), got {value!r}")


def _optional_duration(value: object) -> Duration | None:
    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return None
    return _duration(value)


def _target(value: object) -> Duration | None:
    target = _optional_duration(value)
    if target is not None and target.calendar_days:
        raise ValueError(
            f"SLA target {str(target)!r} in calendar days is ambiguous: "
            "write business days ('3 business days') or hours ('72h')"
        )
    return target


def _show(value: Duration | None) -> str:
    return "none" if value is None else str(value)


_SCHEMA = WithJsonSchema({"type": "string", "examples": ["30m", "1 business day", "none"]})
DurationField = Annotated[Duration, PlainValidator(_duration), PlainSerializer(_show), _SCHEMA]
OptionalDuration = Annotated[
    Duration | None, PlainValidator(_optional_duration), PlainSerializer(_show), _SCHEMA
]
Target = Annotated[Duration | None, PlainValidator(_target), PlainSerializer(_show), _SCHEMA]
