"""The desk's business-hours calendar: when the SLA clock runs.

Pure: no clock reads, no I/O. Hours are wall-clock times in the desk's time zone; business time
is real elapsed seconds, so a day on which the clocks change still opens and closes at its local
times. Every method takes aware datetimes in any zone and returns aware UTC datetimes.

Wall times that do not exist or occur twice when the clocks change (only hours set inside the
changeover hour are affected) resolve to the widest span: a skipped time is read with the offset
before the change, an opening uses the first of two repeated times and a closing the second.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tickets.public_holidays import holidays_in

if TYPE_CHECKING:
    from tickets.policy_sections import BusinessHours

__all__ = [
    "DAY_NAMES",
    "DEFAULT_WEEKLY",
    "Alternate",
    "BusinessCalendar",
    "Interval",
    "format_interval",
    "normalize_hours",
    "parse_interval",
    "parse_weekday",
]

Interval = tuple[time, time]
"""Open from start (inclusive) to end (exclusive) wall time; an end of 00:00 means midnight."""

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY = 86_400
_INTERVAL_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_CACHE_LIMIT = 20_000

DEFAULT_WEEKLY: Mapping[int, tuple[Interval, ...]] = {
    day: ((time(7, 30), time(17, 0)),) for day in range(5)
}
"""Monday to Friday 07:30–17:00 (Lourdes IT)."""


def parse_weekday(name: str) -> int:
    """'mon' or 'Monday' → 0 … 'sun' → 6."""
    key = name.strip().lower()
    if key in DAY_NAMES:
        return DAY_NAMES.index(key)
    if key in _FULL_DAY_NAMES:
        return _FULL_DAY_NAMES.index(key)
    raise ValueError(f"unknown weekday {name!r}; use one of {', '.join(DAY_NAMES)}")


def parse_interval(text: str) -> Interval:
    """'07:30-17:00' → (07:30, 17:00); '00:00-24:00' is the whole day (end 00:00 = midnight)."""
    match = _INTERVAL_RE.match(text)
    if not match:
        raise ValueError(f"invalid hours {text!r}: expected 'HH:MM-HH:MM', e.g. '07:30-17:00'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise ValueError(f"invalid hours {text!r}: time out of range")
    start, end = time(h1, m1), time(0) if h2 == 24 else time(h2, m2)
    _seconds(start, end)
    return start, end


def normalize_hours(texts: Sequence[str]) -> tuple[str, ...]:
    """Parse one day's 'HH:MM-HH:MM' spans, reject overlaps, return them sorted and canonical."""
    intervals = sorted((parse_interval(t) for t in texts), key=lambda i: _seconds(*i))
    _day_seconds(intervals)
    return tuple(format_interval(i) for i in intervals)


def format_interval(interval: Interval) -> str:
    """The inverse of `parse_interval`."""
    start, end = interval
    return f"{start:%H:%M}-{'24:00' if end == time(0) else f'{end:%H:%M}'}"


def _seconds(start: time, end: time) -> tuple[int, int]:
    a = start.hour * 3600 + start.minute * 60 + start.second
    b = _DAY if end == time(0) else end.hour * 3600 + end.minute * 60 + end.second
    if b <= a:
        raise ValueError(f"hours end before they start: {format_interval((start, end))}")
    return a, b


def _day_seconds(intervals: Sequence[Interval]) -> tuple[tuple[int, int], ...]:
    spans = sorted(_seconds(s, e) for s, e in intervals)
    for (_, end), (start, _) in pairwise(spans):
        if start < end:
            raise ValueError(f"overlapping hours: {', '.join(map(format_interval, intervals))}")
    return tuple(spans)


def _weekly_seconds(
    weekly: Mapping[int, Sequence[Interval]],
) -> tuple[tuple[tuple[int, int], ...], ...]:
    for day in weekly:
        if day not in range(7):
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {day!r}")
    return tuple(_day_seconds(weekly.get(day, ())) for day in range(7))


@dataclass(frozen=True)
class Alternate:
    """Hours that replace the weekly hours on the dates of each period (start, end inclusive)."""

    name: str
    weekly: Mapping[int, Sequence[Interval]]
    periods: Sequence[tuple[date, date]] = field(default_factory=tuple)


class BusinessCalendar:
    """Opening hours of one desk; answers questions about business time."""

    def __init__(
        self,
        timezone: str = "Europe/London",
        weekly: Mapping[int, Sequence[Interval]] | None = None,
        holidays: Iterable[date] = (),
        alternate: Iterable[Alternate] = (),
        public_holidays: str = "",
    ) -> None:
        """Weekday 0 is Monday; days missing from `weekly` are closed; holidays close all day.
        `public_holidays`: a country (and subdivision) whose public holidays close it too
        ("GB-ENG"; tickets.public_holidays)."""
        try:
            self.tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {timezone!r} (use an IANA name)") from exc
        self._weekly = _weekly_seconds(DEFAULT_WEEKLY if weekly is None else weekly)
        if not any(self._weekly):
            raise ValueError("weekly hours are empty: the desk would never open")
        self._holidays = frozenset(holidays)
        self._public = public_holidays
        periods: list[tuple[date, date, str, tuple[tuple[tuple[int, int], ...], ...]]] = []
        for alt in alternate:
            hours = _weekly_seconds(alt.weekly)
            for start, end in alt.periods:
                if end < start:
                    raise ValueError(f"{alt.name}: period ends before it starts: {start}..{end}")
                periods.append((start, end, alt.name, hours))
        periods.sort(key=lambda p: p[0])
        for before, after in pairwise(periods):
            if after[0] <= before[1]:
                raise ValueError(
                    f"alternate hours overlap: {before[2]} {before[0]}..{before[1]} and "
                    f"{after[2]} {after[0]}..{after[1]}"
                )
        self._key = (timezone, self._weekly, self._holidays, public_holidays, tuple(periods))
        self._period_starts = [p[0] for p in periods]
        self._periods = periods
        self._utc_cache: dict[date, tuple[tuple[datetime, datetime], ...]] = {}
        self._wall_totals = {
            spans: timedelta(seconds=sum(b - a for a, b in spans))
            for table in (self._weekly, *(p[3] for p in periods))
            for spans in (*table, ())
        }

    @classmethod
    def from_policy(cls, hours: BusinessHours) -> BusinessCalendar:
        """Build from the `[business_hours]` section of the policy."""

        def weekly(spec: Mapping[str, Sequence[str]]) -> dict[int, list[Interval]]:
            return {parse_weekday(d): [parse_interval(i) for i in ivs] for d, ivs in spec.items()}

        return cls(
            timezone=hours.timezone,
            weekly=weekly(hours.weekly),
            holidays=hours.holidays,
            public_holidays=hours.holidays_from,
            alternate=[
                Alternate(a.name, weekly(a.weekly), [(p.start, p.end) for p in a.periods])
                for a in hours.alternate
            ],
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    # --- per-day hours -------------------------------------------------------------------

    def _wall(self, day: date) -> tuple[tuple[int, int], ...]:
        """Open spans of a local date in seconds after local midnight."""
        if self.is_holiday(day):
            return ()
        i = bisect_right(self._period_starts, day) - 1
        if i >= 0 and day <= self._periods[i][1]:
            return self._periods[i][3][day.weekday()]
        return self._weekly[day.weekday()]

    def _instant(self, day: date, seconds: float, closing: bool) -> datetime:
        wall = datetime.combine(day, time(0), self.tz) + timedelta(seconds=seconds)
        first = wall.astimezone(UTC)
        second = wall.replace(fold=1).astimezone(UTC)
        if second > first:  # repeated wall time (clocks went back)
            return second if closing else first
        return first

    def _spans(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """Open spans of a local date as UTC instants, sorted and merged."""
        cached = self._utc_cache.get(day)
        if cached is not None:
            return cached
        merged: list[tuple[datetime, datetime]] = []
        for a, b in self._wall(day):
            start, end = self._instant(day, a, False), self._instant(day, b, True)
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            elif end > start:
                merged.append((start, end))
        spans = tuple(merged)
        if len(self._utc_cache) >= _CACHE_LIMIT:
            self._utc_cache.clear()
        self._utc_cache[day] = spans
        return spans

    def _totals_from(self, day: date) -> Iterator[tuple[date, timedelta]]:
        """Business time of each local date from `day` on, without time zone conversions on
        days whose UTC offset does not change (so long spans stay cheap)."""
        one = timedelta(days=1)
        offset = self.tz.utcoffset(datetime.combine(day, time(0)))
        while True:
            following = day + one
            next_offset = self.tz.utcoffset(datetime.combine(following, time(0)))
            if next_offset == offset:
                yield day, self._wall_totals[self._wall(day)]
            else:
                yield day, sum((end - start for start, end in self._spans(day)), timedelta())
            day, offset = following, next_offset

    def _local_date(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    # --- public API ----------------------------------------------------------------------

    def is_holiday(self, day: date) -> bool:
        """Whether the local date `day` is one of the desk's holidays or, with
        `public_holidays`, a public holiday of its country."""
        return day in self._holidays or bool(
            self._public and day in holidays_in(self._public, day.year))

    def is_open(self, at: datetime) -> bool:
        """Whether `at` falls within business hours (opening inclusive, closing exclusive)."""
        at = _utc(at)
        return any(start <= at < end for start, end in self._spans(self._local_date(at)))

    def next_open(self, at: datetime) -> datetime:
        """`at` itself if open, else the next opening."""
        at = _utc(at)
        day = self._local_date(at)
        while True:
            for start, end in self._spans(day):
                if at < end:
                    return max(start, at)
            day += timedelta(days=1)

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant at which `seconds` of business time have elapsed after `start`.

        Adding 0 returns `start` unchanged (in UTC), open or not. A result that lands exactly on a
        closing time is that closing time, not the next opening.
        """
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, got {seconds}")
        at = _utc(start)
        remaining = timedelta(seconds=seconds)
        if not remaining:
            return at
        first = self._local_date(at)
        for open_at, close_at in self._spans(first):
            if at < close_at:
                begin = max(open_at, at)
                if remaining <= close_at - begin:
                    return begin + remaining
                remaining -= close_at - begin
        for day, total in self._totals_from(first + timedelta(days=1)):
            if remaining > total:
                remaining -= total
                continue
            for open_at, close_at in self._spans(day):
                if remaining <= close_at - open_at:
                    return open_at + remaining
                remaining -= close_at - open_at
        raise AssertionError("unreachable")  # pragma: no cover

    def business_seconds_between(self, a: datetime, b: datetime) -> int:
        """Whole seconds of business time in [a, b); 0 if b <= a."""
        a, b = _utc(a), _utc(b)
        if b <= a:
            return 0
        first, last = self._local_date(a), self._local_date(b)
        total = timedelta()
        for day in {first, last}:
            for start, end in self._spans(day):
                overlap = min(end, b) - max(start, a)
                if overlap > timedelta():
                    total += overlap
        if last > first + timedelta(days=1):
            for day, day_total in self._totals_from(first + timedelta(days=1)):
                if day >= last:
                    break
                total += day_total
        return total // timedelta(seconds=1)

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The same local time of day `days` open days later.

        `start` is first moved to `next_open(start)`; holidays and closed days are skipped; if the
        target day is not open at that time of day, the result is clamped to its nearest hours:
        its opening if earlier, the next opening if between two spans, its closing if later.
        So Tue 10:00 + 1 → Wed 10:00, Fri 15:00 + 1 → Mon 15:00, Sat 11:00 + 1 → Tue 07:30.
        Adding 0 days returns `start` unchanged.
        """
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        at = _utc(start)
        if days == 0:
            return at
        local = self.next_open(at).astimezone(self.tz)
        wall = timedelta(
            hours=local.hour,
            minutes=local.minute,
            seconds=local.second,
            microseconds=local.microsecond,
        ).total_seconds()
        day = local.date()
        while days:
            day += timedelta(days=1)
            if self._wall(day):
                days -= 1
        spans = self._wall(day)
        for open_s, close_s in spans:
            if wall < open_s:
                return self._instant(day, open_s, False)
            if wall < close_s:
                return self._instant(day, wall, False)
        return self._instant(day, spans[-1][1], True)

    def add_calendar_days(self, start: datetime, days: int) -> datetime:
        """The same local wall time `days` calendar days later (23 or 25 hours across a change)."""
        local = _utc(start).astimezone(self.tz)
        return (local + timedelta(days=days)).astimezone(UTC)


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at.isoformat()}: business time needs an aware datetime")
    return at.astimezone(UTC)
