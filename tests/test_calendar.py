"""Business-hours calendar: expected values worked out by hand, the reasoning in each case id.

Reference dates (Europe/London, 2025): Sun 30 Mar clocks go forward (GMT → BST at 01:00 UTC);
Sun 26 Oct clocks go back (BST → GMT at 01:00 UTC). Mon 24 Mar is GMT, Mon 31 Mar is BST.
Default hours Mon–Fri 07:30–17:00 = 9.5 h = 34,200 s a day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.calendar import (
    Alternate,
    BusinessCalendar,
    format_interval,
    normalize_hours,
    parse_interval,
    parse_weekday,
)

LONDON = ZoneInfo("Europe/London")
DAY = 34_200
HOUR = 3_600
XMAS = (date(2025, 12, 25), date(2025, 12, 26))
BANK_HOLIDAYS_2025 = (
    date(2025, 1, 1),
    date(2025, 4, 18),
    date(2025, 4, 21),
    date(2025, 5, 5),
    date(2025, 5, 26),
    date(2025, 8, 25),
    *XMAS,
)
HALF_TERM = Alternate(
    "school holidays",
    {d: [(time(8), time(17))] for d in range(5)},
    [(date(2025, 10, 27), date(2025, 10, 31))],
)


def lon(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=LONDON)


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=UTC)


DESK = BusinessCalendar()
HOLIDAYS = BusinessCalendar(holidays=XMAS)
SCHOOL = BusinessCalendar(holidays=[date(2025, 10, 29)], alternate=[HALF_TERM])
ALWAYS = BusinessCalendar(weekly={d: [(time(0), time(0))] for d in range(7)})
NIGHT_SUNDAY = BusinessCalendar(weekly={6: [(time(0), time(3))]})
GAP_SUNDAY = BusinessCalendar(weekly={6: [(time(1), time(2))]})
SHORT_FRIDAY = BusinessCalendar(
    weekly={**{d: [(time(7, 30), time(17))] for d in range(4)}, 4: [(time(7, 30), time(15))]}
)
LUNCH = BusinessCalendar(weekly={d: [(time(9), time(12)), (time(13), time(17))] for d in range(5)})


@pytest.mark.parametrize(
    ("cal", "at", "expected"),
    [
        pytest.param(DESK, lon(2025, 3, 25, 10), True, id="tue-10:00-mid-morning-open"),
        pytest.param(DESK, lon(2025, 3, 25, 7, 29, 59), False, id="tue-07:29:59-before-opening"),
        pytest.param(DESK, lon(2025, 3, 25, 7, 30), True, id="tue-07:30-opening-inclusive"),
        pytest.param(DESK, lon(2025, 3, 25, 16, 59, 59), True, id="tue-16:59:59-last-second"),
        pytest.param(DESK, lon(2025, 3, 25, 17), False, id="tue-17:00-closing-exclusive"),
        pytest.param(DESK, lon(2025, 3, 25, 22), False, id="tue-22:00-night"),
        pytest.param(DESK, lon(2025, 3, 29, 12), False, id="sat-noon-weekend"),
        pytest.param(
            DESK, utc(2025, 3, 31, 6, 30), True, id="mon-after-spring-06:30utc-is-07:30bst"
        ),
        pytest.param(
            DESK, utc(2025, 3, 31, 6, 29), False, id="mon-after-spring-06:29utc-is-07:29bst"
        ),
        pytest.param(
            DESK, utc(2025, 3, 31, 16, 30), False, id="mon-after-spring-16:30utc-is-17:30bst"
        ),
        pytest.param(
            DESK, utc(2025, 3, 24, 6, 45), False, id="mon-before-spring-06:45utc-is-06:45gmt"
        ),
        pytest.param(
            DESK, utc(2025, 10, 27, 7, 30), True, id="mon-after-autumn-07:30utc-is-07:30gmt"
        ),
        pytest.param(
            DESK, utc(2025, 10, 24, 16, 30), False, id="fri-before-autumn-16:30utc-is-17:30bst"
        ),
        pytest.param(
            DESK,
            datetime(2025, 3, 25, 6, tzinfo=ZoneInfo("America/New_York")),
            True,
            id="06:00-edt-is-10:00-gmt",
        ),
        pytest.param(HOLIDAYS, lon(2025, 12, 25, 10), False, id="christmas-day-holiday"),
        pytest.param(HOLIDAYS, lon(2025, 12, 24, 10), True, id="christmas-eve-ordinary"),
        pytest.param(SCHOOL, lon(2025, 10, 27, 7, 45), False, id="half-term-07:45-opens-08:00"),
        pytest.param(SCHOOL, lon(2025, 10, 27, 8), True, id="half-term-08:00-open"),
        pytest.param(SCHOOL, lon(2025, 10, 29, 10), False, id="holiday-inside-half-term-wins"),
        pytest.param(SCHOOL, lon(2025, 11, 3, 7, 45), True, id="after-half-term-07:30-again"),
        pytest.param(LUNCH, lon(2025, 3, 25, 12, 30), False, id="lunch-break-closed"),
        pytest.param(ALWAYS, lon(2025, 3, 30, 3), True, id="always-open-on-change-day"),
    ],
)
def test_is_open(cal: BusinessCalendar, at: datetime, expected: bool) -> None:
    assert cal.is_open(at) is expected


@pytest.mark.parametrize(
    ("cal", "at", "expected"),
    [
        pytest.param(DESK, lon(2025, 3, 25, 10), utc(2025, 3, 25, 10), id="open-returns-itself"),
        pytest.param(DESK, lon(2025, 3, 25, 5), utc(2025, 3, 25, 7, 30), id="early-to-07:30"),
        pytest.param(
            DESK, lon(2025, 3, 25, 17), utc(2025, 3, 26, 7, 30), id="close-to-next-morning"
        ),
        pytest.param(
            DESK, lon(2025, 3, 28, 17), utc(2025, 3, 31, 6, 30), id="fri-close-to-mon-07:30bst"
        ),
        pytest.param(
            HOLIDAYS,
            lon(2025, 12, 24, 17, 30),
            utc(2025, 12, 29, 7, 30),
            id="xmas-and-weekend-skipped",
        ),
        pytest.param(
            SCHOOL, lon(2025, 10, 25, 12), utc(2025, 10, 27, 8), id="sat-to-half-term-08:00gmt"
        ),
        pytest.param(LUNCH, lon(2025, 3, 25, 12, 15), utc(2025, 3, 25, 13), id="lunch-to-13:00"),
    ],
)
def test_next_open(cal: BusinessCalendar, at: datetime, expected: datetime) -> None:
    result = cal.next_open(at)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("cal", "start", "seconds", "expected"),
    [
        pytest.param(DESK, lon(2025, 3, 25, 10), 0, utc(2025, 3, 25, 10), id="zero-is-start"),
        pytest.param(DESK, lon(2025, 3, 29, 12), 0, utc(2025, 3, 29, 12), id="zero-when-closed"),
        pytest.param(DESK, lon(2025, 3, 25, 10), 1800, utc(2025, 3, 25, 10, 30), id="30m-same-day"),
        pytest.param(
            DESK, lon(2025, 3, 25, 16), HOUR, utc(2025, 3, 25, 17), id="lands-on-close-stays"
        ),
        pytest.param(
            DESK, lon(2025, 3, 25, 16, 30), HOUR, utc(2025, 3, 26, 8), id="30m-tue-30m-wed-08:00"
        ),
        pytest.param(
            DESK, lon(2025, 3, 29, 12), 1800, utc(2025, 3, 31, 7), id="sat-to-mon-08:00bst=07:00utc"
        ),
        pytest.param(
            DESK,
            lon(2025, 3, 28, 16),
            2 * HOUR,
            utc(2025, 3, 31, 7, 30),
            id="1h-fri-gmt-then-1h-mon-bst-08:30=07:30utc",
        ),
        pytest.param(
            DESK,
            lon(2025, 10, 24, 16, 30),
            HOUR,
            utc(2025, 10, 27, 8),
            id="30m-fri-bst-then-30m-mon-gmt-08:00",
        ),
        pytest.param(
            DESK, lon(2025, 3, 24, 7, 30), 5 * DAY, utc(2025, 3, 28, 17), id="five-days-mon-to-fri"
        ),
        pytest.param(
            DESK,
            lon(2025, 3, 26, 7, 30),
            5 * DAY,
            utc(2025, 4, 1, 16),
            id="five-days-wed-gmt-to-tue-17:00bst",
        ),
        pytest.param(
            DESK, utc(2025, 1, 1), 261 * DAY, utc(2025, 12, 31, 17), id="year-261-weekdays"
        ),
        pytest.param(
            HOLIDAYS,
            lon(2025, 12, 24, 16),
            2 * HOUR,
            utc(2025, 12, 29, 8, 30),
            id="1h-xmas-eve-then-1h-mon-29th",
        ),
        pytest.param(
            SCHOOL,
            lon(2025, 10, 24, 16),
            2 * HOUR,
            utc(2025, 10, 27, 9),
            id="1h-fri-then-1h-from-half-term-08:00",
        ),
        pytest.param(
            LUNCH, lon(2025, 3, 25, 11), 2 * HOUR, utc(2025, 3, 25, 14), id="skips-lunch-hour"
        ),
        pytest.param(
            ALWAYS,
            lon(2025, 3, 29, 12),
            24 * HOUR,
            utc(2025, 3, 30, 12),
            id="24h-always-open-is-real-time-across-spring",
        ),
        pytest.param(
            DESK,
            lon(2025, 3, 25, 10),
            1.5,
            utc(2025, 3, 25, 10) + timedelta(seconds=1.5),
            id="fractional-seconds",
        ),
    ],
)
def test_add_business_seconds(
    cal: BusinessCalendar, start: datetime, seconds: float, expected: datetime
) -> None:
    assert cal.add_business_seconds(start, seconds) == expected


@pytest.mark.parametrize(
    ("cal", "a", "b", "expected"),
    [
        pytest.param(DESK, lon(2025, 3, 25, 11), lon(2025, 3, 25, 9), 0, id="reversed-is-zero"),
        pytest.param(DESK, lon(2025, 3, 25, 9), lon(2025, 3, 25, 9), 0, id="empty-is-zero"),
        pytest.param(DESK, lon(2025, 3, 25, 9), lon(2025, 3, 25, 11, 30), 9000, id="2.5h-same-day"),
        pytest.param(DESK, lon(2025, 3, 25, 16), lon(2025, 3, 26, 8, 30), 2 * HOUR, id="overnight"),
        pytest.param(DESK, lon(2025, 3, 29), lon(2025, 3, 31), 0, id="weekend-only"),
        pytest.param(
            DESK,
            lon(2025, 3, 28, 16),
            lon(2025, 3, 31, 8, 30),
            2 * HOUR,
            id="fri-16:00gmt-to-mon-08:30bst-2h-despite-63.5h-elapsed",
        ),
        pytest.param(DESK, lon(2025, 3, 24), lon(2025, 3, 31), 5 * DAY, id="gmt-week"),
        pytest.param(DESK, lon(2025, 3, 29), lon(2025, 4, 5), 5 * DAY, id="bst-week-after-change"),
        pytest.param(
            DESK, lon(2025, 3, 31), lon(2025, 4, 1), DAY, id="first-bst-monday-is-still-9.5h"
        ),
        pytest.param(
            DESK,
            utc(2025, 3, 31, 6),
            utc(2025, 3, 31, 17),
            DAY,
            id="06:00-17:00utc-is-07:00-18:00bst-covers-whole-day",
        ),
        pytest.param(
            DESK,
            utc(2025, 3, 24, 6),
            utc(2025, 3, 24, 17),
            DAY,
            id="06:00-17:00utc-in-gmt-covers-07:30-17:00",
        ),
        pytest.param(
            DESK,
            utc(2025, 3, 31, 7, 30),
            utc(2025, 3, 31, 17),
            8.5 * HOUR,
            id="07:30-17:00utc-is-08:30-18:00bst-8.5h",
        ),
        pytest.param(
            DESK, lon(2025, 10, 20), lon(2025, 11, 3), 10 * DAY, id="fortnight-over-autumn"
        ),
        pytest.param(DESK, utc(2025, 1, 1), utc(2026, 1, 1), 261 * DAY, id="year-2025-261-days"),
        pytest.param(
            BusinessCalendar(holidays=BANK_HOLIDAYS_2025),
            utc(2025, 1, 1),
            utc(2026, 1, 1),
            253 * DAY,
            id="year-2025-less-8-bank-holidays",
        ),
        pytest.param(
            DESK,
            utc(2025, 1, 1),
            utc(2035, 1, 1),
            2608 * DAY,
            id="ten-years-521-weeks-plus-wed-thu-fri",
        ),
        pytest.param(HOLIDAYS, lon(2025, 12, 22), lon(2025, 12, 29), 3 * DAY, id="christmas-week"),
        pytest.param(
            SCHOOL,
            lon(2025, 10, 27),
            lon(2025, 11, 1),
            4 * 9 * HOUR,
            id="half-term-4-days-of-9h-wed-holiday",
        ),
        pytest.param(
            LUNCH, lon(2025, 3, 25, 11), lon(2025, 3, 25, 14), 2 * HOUR, id="lunch-skipped"
        ),
        pytest.param(
            ALWAYS, lon(2025, 3, 30), lon(2025, 3, 31), 23 * HOUR, id="always-open-spring-day-23h"
        ),
        pytest.param(
            ALWAYS, lon(2025, 10, 26), lon(2025, 10, 27), 25 * HOUR, id="always-open-autumn-day-25h"
        ),
        pytest.param(
            ALWAYS,
            lon(2025, 3, 24),
            lon(2025, 4, 7),
            14 * 24 * HOUR - HOUR,
            id="always-open-fortnight-over-spring-loses-1h",
        ),
        pytest.param(
            NIGHT_SUNDAY,
            lon(2025, 3, 30),
            lon(2025, 3, 31),
            2 * HOUR,
            id="00:00-03:00-on-spring-sunday-is-2h",
        ),
        pytest.param(
            NIGHT_SUNDAY,
            lon(2025, 10, 26),
            lon(2025, 10, 27),
            4 * HOUR,
            id="00:00-03:00-on-autumn-sunday-is-4h",
        ),
        pytest.param(
            GAP_SUNDAY, lon(2025, 3, 30), lon(2025, 3, 31), 0, id="01:00-02:00-skipped-in-spring"
        ),
        pytest.param(
            GAP_SUNDAY,
            lon(2025, 10, 26),
            lon(2025, 10, 27),
            2 * HOUR,
            id="01:00-02:00-happens-twice-in-autumn",
        ),
        pytest.param(
            DESK,
            lon(2025, 3, 25, 9),
            lon(2025, 3, 25, 9, 0, 1) - timedelta(microseconds=1),
            0,
            id="partial-second-floors",
        ),
    ],
)
def test_business_seconds_between(
    cal: BusinessCalendar, a: datetime, b: datetime, expected: float
) -> None:
    assert cal.business_seconds_between(a, b) == expected


@pytest.mark.parametrize(
    ("cal", "start", "days", "expected"),
    [
        pytest.param(DESK, lon(2025, 3, 25, 10), 0, utc(2025, 3, 25, 10), id="zero-is-start"),
        pytest.param(DESK, lon(2025, 3, 25, 10), 1, utc(2025, 3, 26, 10), id="tue-10:00-to-wed"),
        pytest.param(DESK, lon(2025, 3, 24, 10), 3, utc(2025, 3, 27, 10), id="mon-plus-3-is-thu"),
        pytest.param(
            DESK, lon(2025, 3, 28, 15), 1, utc(2025, 3, 31, 14), id="fri-15:00gmt-to-mon-15:00bst"
        ),
        pytest.param(
            DESK, lon(2025, 3, 25, 10), 5, utc(2025, 4, 1, 9), id="week-later-same-wall-time-bst"
        ),
        pytest.param(
            DESK, lon(2025, 3, 29, 11), 1, utc(2025, 4, 1, 6, 30), id="sat-starts-mon-07:30-to-tue"
        ),
        pytest.param(
            DESK,
            lon(2025, 3, 25, 18),
            1,
            utc(2025, 3, 27, 7, 30),
            id="after-close-starts-wed-to-thu",
        ),
        pytest.param(
            DESK, lon(2025, 3, 25, 16, 59), 1, utc(2025, 3, 26, 16, 59), id="last-minute-to-wed"
        ),
        pytest.param(
            HOLIDAYS, lon(2025, 12, 24, 10), 1, utc(2025, 12, 29, 10), id="xmas-holidays-skipped"
        ),
        pytest.param(
            SHORT_FRIDAY, lon(2025, 3, 27, 16, 30), 1, utc(2025, 3, 28, 15), id="clamp-to-fri-15:00"
        ),
        pytest.param(
            SCHOOL,
            lon(2025, 10, 24, 7, 45),
            1,
            utc(2025, 10, 27, 8),
            id="clamp-to-half-term-opening-08:00",
        ),
        pytest.param(LUNCH, lon(2025, 3, 25, 11), 1, utc(2025, 3, 26, 11), id="morning-to-morning"),
        pytest.param(
            BusinessCalendar(
                weekly={1: [(time(9), time(17))], 2: [(time(9), time(12)), (time(13), time(17))]}
            ),
            lon(2025, 3, 25, 12, 30),
            1,
            utc(2025, 3, 26, 13),
            id="clamp-into-after-lunch",
        ),
    ],
)
def test_add_business_days(
    cal: BusinessCalendar, start: datetime, days: int, expected: datetime
) -> None:
    assert cal.add_business_days(start, days) == expected


def test_business_days_and_seconds_agree_on_a_full_day() -> None:
    start = lon(2025, 3, 28, 15)
    end = DESK.add_business_days(start, 1)
    assert DESK.business_seconds_between(start, end) == DAY
    assert DESK.add_business_seconds(start, DAY) == end


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param(lon(2025, 3, 29, 12), 1, utc(2025, 3, 30, 11), id="spring-day-is-23h"),
        pytest.param(lon(2025, 10, 25, 12), 1, utc(2025, 10, 26, 12), id="autumn-day-is-25h"),
        pytest.param(lon(2025, 3, 25, 12), 7, utc(2025, 4, 1, 11), id="week-same-wall-time"),
    ],
)
def test_add_calendar_days(start: datetime, days: int, expected: datetime) -> None:
    assert DESK.add_calendar_days(start, days) == expected


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda at: DESK.is_open(at), id="is_open"),
        pytest.param(lambda at: DESK.next_open(at), id="next_open"),
        pytest.param(lambda at: DESK.add_business_seconds(at, 0), id="add_business_seconds"),
        pytest.param(lambda at: DESK.add_business_days(at, 0), id="add_business_days"),
        pytest.param(lambda at: DESK.add_calendar_days(at, 1), id="add_calendar_days"),
        pytest.param(lambda at: DESK.business_seconds_between(at, at), id="between-first"),
        pytest.param(
            lambda at: DESK.business_seconds_between(lon(2025, 1, 1), at), id="between-second"
        ),
    ],
)
def test_naive_datetimes_rejected(call: object) -> None:
    with pytest.raises(ValueError, match="naive"):
        call(datetime(2025, 3, 25, 10))  # type: ignore[operator]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda: DESK.add_business_seconds(lon(2025, 1, 1), -1), "negative", id="secs"),
        pytest.param(lambda: DESK.add_business_days(lon(2025, 1, 1), -1), "negative", id="days"),
        pytest.param(lambda: BusinessCalendar("Mars/Olympus"), "unknown time zone", id="tz"),
        pytest.param(lambda: BusinessCalendar(weekly={}), "never open", id="no-hours"),
        pytest.param(lambda: BusinessCalendar(weekly={7: []}), "weekday", id="weekday-7"),
        pytest.param(
            lambda: BusinessCalendar(weekly={0: [(time(9), time(12)), (time(11), time(13))]}),
            "overlapping",
            id="overlap",
        ),
        pytest.param(
            lambda: BusinessCalendar(weekly={0: [(time(17), time(9))]}), "end before", id="inverted"
        ),
        pytest.param(
            lambda: BusinessCalendar(
                alternate=[Alternate("x", {}, [(date(2025, 2, 1), date(2025, 1, 1))])]
            ),
            "ends before",
            id="period-inverted",
        ),
        pytest.param(
            lambda: BusinessCalendar(
                alternate=[
                    Alternate("a", {}, [(date(2025, 1, 1), date(2025, 1, 10))]),
                    Alternate("b", {}, [(date(2025, 1, 10), date(2025, 1, 20))]),
                ]
            ),
            "overlap: a 2025-01-01..2025-01-10 and b",
            id="periods-overlap",
        ),
    ],
)
def test_invalid_arguments(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30-17:00", (time(7, 30), time(17))),
        (" 7:30 - 17:00 ", (time(7, 30), time(17))),
        ("00:00-24:00", (time(0), time(0))),
        ("22:00-24:00", (time(22), time(0))),
    ],
)
def test_parse_interval(text: str, expected: tuple[time, time]) -> None:
    assert parse_interval(text) == expected


@pytest.mark.parametrize(
    "text", ["9-17", "17:00-07:30", "08:00-08:00", "24:00-24:30", "07:60-9:00"]
)
def test_parse_interval_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="hours"):
        parse_interval(text)


def test_hours_helpers() -> None:
    assert normalize_hours(["13:00-17:00", "9:00-12:00"]) == ("09:00-12:00", "13:00-17:00")
    assert format_interval((time(0), time(0))) == "00:00-24:00"
    assert [parse_weekday(n) for n in ("mon", "Tuesday", "SUN")] == [0, 1, 6]
    with pytest.raises(ValueError, match="unknown weekday"):
        parse_weekday("funday")


def test_whole_day_desk_is_contiguous_across_midnight() -> None:
    assert ALWAYS.add_business_seconds(lon(2025, 3, 25, 23), 2 * HOUR) == utc(2025, 3, 26, 1)


def _oracle_minutes(a: datetime, b: datetime) -> int:
    """Business minutes in [a, b) by checking every minute's London wall time."""
    minutes, at = 0, a
    while at < b:
        local = at.astimezone(LONDON)
        if local.weekday() < 5 and time(7, 30) <= local.time() < time(17):
            minutes += 1
        at += timedelta(minutes=1)
    return minutes


_MINUTES = st.integers(min_value=0, max_value=60 * 24 * 5)
_DST_WEEKS = st.sampled_from([utc(2025, 3, 26), utc(2025, 10, 22), utc(2025, 6, 1)])


@settings(max_examples=40, deadline=None)
@given(base=_DST_WEEKS, offset=_MINUTES, length=_MINUTES)
def test_matches_minute_by_minute_oracle(base: datetime, offset: int, length: int) -> None:
    a = base + timedelta(minutes=offset)
    b = a + timedelta(minutes=length)
    seconds = DESK.business_seconds_between(a, b)
    assert seconds == 60 * _oracle_minutes(a, b)
    end = DESK.add_business_seconds(a, seconds)
    assert end <= b
    assert DESK.business_seconds_between(a, end) == seconds
