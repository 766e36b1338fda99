"""Service-desk policy: seed defaults, durations, config errors naming the key, triage."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, ValidationError

from tickets.calendar import Alternate, BusinessCalendar
from tickets.policy import Duration, Policy, Targets

LONDON = ZoneInfo("Europe/London")
DAY = 34_200

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# The default policy shipped with the package, written out in full: it must equal Policy().
EXAMPLE_TOML = (EXAMPLES.parent / "tickets" / "default_policy.toml").read_text(encoding="utf-8")

# Education Digital Services' incident states, as the documented example has them.
EDUCATION_TOML = (EXAMPLES / "education-digital-services.toml").read_text(encoding="utf-8")


def d(text: str) -> Duration:
    return Duration.parse(text)


def lon(y: int, m: int, dd: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, dd, hh, mm, tzinfo=LONDON)


def utc(y: int, m: int, dd: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, dd, hh, mm, tzinfo=UTC)


POLICY = Policy()


# --- defaults are the seeds -----------------------------------------------------------------


def test_example_toml_is_the_default_policy() -> None:
    assert Policy.model_validate(tomllib.loads(EXAMPLE_TOML)) == POLICY


def test_json_dump_round_trips() -> None:
    assert Policy.model_validate(POLICY.model_dump(mode="json")) == POLICY


@pytest.mark.parametrize(
    ("key", "label", "customer_label", "timer", "category", "awaits_customer"),
    [
        ("open", "Open", "Being processed", True, "new", False),
        ("pending_action", "Pending Action", "Pending Action", True, "working", False),
        (
            "actively_working_on",
            "Actively Working On",
            "Actively Working On",
            True,
            "working",
            False,
        ),
        ("escalated_needs_action", "Escalated - Needs Action", None, True, "working", False),
        ("escalated_in_progress", "Escalated - In Progress", None, True, "working", False),
        (
            "waiting_on_customer",
            "Waiting on Customer",
            "Awaiting your reply",
            False,
            "waiting",
            True,
        ),
        ("waiting_on_third_party", "Waiting on Third Party", None, False, "waiting", False),
        ("waiting_for_site_visit", "Waiting for Site Visit", None, False, "waiting", False),
        (
            "awaiting_action_on_date",
            "Awaiting Action on Specific Date",
            None,
            False,
            "waiting",
            False,
        ),
        ("request_more_information", "Request More Information", None, False, "waiting", True),
        ("resolved", "Resolved", None, False, "resolved", False),
        ("closed", "Closed", None, False, "closed", False),
    ],
)
def test_lourdes_statuses(
    key: str,
    label: str,
    customer_label: str | None,
    timer: bool,
    category: str,
    awaits_customer: bool,
) -> None:
    status = POLICY.status(key)
    assert status is not None
    assert (status.label, status.timer, status.category) == (label, timer, category)
    assert status.customer_label == (customer_label or label)
    assert status.awaits_customer is awaits_customer


def test_lourdes_status_order_and_roles() -> None:
    assert [s.key for s in POLICY.statuses][:2] == ["open", "pending_action"]
    assert len(POLICY.statuses) == 12
    assert (POLICY.initial_status, POLICY.working_status) == ("open", "open")
    assert POLICY.resolved_status.key == "resolved"
    assert POLICY.closed_status.key == "closed"


@pytest.mark.parametrize(
    ("profile", "priority", "response", "resolution"),
    [
        ("default", "low", d("1 week"), None),
        ("default", "medium", d("1 business day"), d("3 business days")),
        ("default", "high", d("1h"), d("2h")),
        ("default", "urgent", d("30m"), d("1h")),
        ("concero", "low", d("40 working hours"), d("120 working hours")),
        ("concero", "medium", d("24 working hours"), d("80 working hours")),
        ("concero", "high", d("16 working hours"), d("40 working hours")),
        ("concero", "urgent", d("2 working hours"), d("16 working hours")),
    ],
)
def test_seed_targets(
    profile: str, priority: str, response: Duration, resolution: Duration | None
) -> None:
    assert POLICY.targets(profile, priority) == Targets(response=response, resolution=resolution)


def test_priority_defaults() -> None:
    assert [p.key for p in POLICY.priorities] == ["low", "medium", "high", "urgent"]
    assert POLICY.default_priority == "medium"
    assert POLICY.sla_profile == "default"
    assert POLICY.profile_names() == ("default", "concero")
    assert [POLICY.priority_rank(k) for k in ("low", "urgent")] == [0, 3]


def test_business_hours_defaults() -> None:
    hours = POLICY.business_hours
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    assert hours.timezone == "Europe/London"
    assert hours.weekly == {day: ("07:30-17:00",) for day in weekdays}
    assert hours.holidays == ()
    [school] = hours.alternate
    assert school.name == "school holidays"
    assert school.weekly == {day: ("08:00-17:00",) for day in weekdays}
    assert school.periods == ()
    assert POLICY.calendar() == BusinessCalendar(
        alternate=[Alternate("school holidays", {i: [(time(8), time(17))] for i in range(5)})]
    )


def test_schedule_defaults() -> None:
    s = POLICY.schedule
    assert s.waiting_reminders == (d("24h"), d("72h"))
    assert s.waiting_autoclose == d("96h")
    assert s.reminder_hours == "calendar"
    assert s.resolved_autoclose == d("72h")
    assert s.reopen_window == d("72h")
    assert s.closed_reply == "new_linked"
    assert s.sla_warning_lead == d("30m")
    assert s.escalation_address is None
    assert s.stale_after == d("2 business days")


def test_policy_is_frozen() -> None:
    with pytest.raises(ValidationError, match="frozen"):
        POLICY.default_priority = "high"  # type: ignore[misc]


# --- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", Duration(seconds=90)),
        ("30m", Duration(seconds=1800)),
        ("45 mins", Duration(seconds=2700)),
        ("1h", Duration(seconds=3600)),
        ("1.5h", Duration(seconds=5400)),
        ("2 Hours", Duration(seconds=7200)),
        ("72h", Duration(seconds=259_200)),
        ("0m", Duration()),
        ("16 working hours", Duration(seconds=57_600, business=True)),
        ("30 business minutes", Duration(seconds=1800, business=True)),
        ("1 business day", Duration(business_days=1)),
        ("3 Business Days", Duration(business_days=3)),
        ("  2   working   days ", Duration(business_days=2)),
        ("1 week", Duration(business_days=5)),
        ("2 weeks", Duration(business_days=10)),
        ("1 business week", Duration(business_days=5)),
        ("3 days", Duration(calendar_days=3)),
        ("1 calendar week", Duration(calendar_days=7)),
    ],
)
def test_duration_parse(text: str, expected: Duration) -> None:
    assert Duration.parse(text) == expected
    assert str(Duration.parse(text)) == text.strip()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "invalid duration ''"),
        ("soon", "invalid duration 'soon'"),
        ("1 fortnight", "unknown unit 'fortnight'"),
        ("1 calendar hour", "unknown unit 'calendar hour'"),
        ("2 extra days", "unknown unit 'extra days'"),
        ("-1h", "invalid duration '-1h'"),
        ("1.5 days", "whole"),
        ("0.5s", "whole number of seconds"),
        ("none", "invalid duration 'none'"),
    ],
)
def test_duration_parse_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Duration.parse(text)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("60m", "1h"),
        ("90 minutes", "90m"),
        ("1 week", "5 business days"),
        ("1 working day", "1 business day"),
        ("16 working hours", "16 business hours"),
        ("1 calendar week", "7 days"),
        ("0h", "0s"),
    ],
)
def test_duration_canonical(text: str, canonical: str) -> None:
    assert d(text).canonical() == canonical
    assert d(canonical) == d(text)


@pytest.mark.parametrize(
    ("text", "start", "business", "expected"),
    [
        pytest.param("1h", lon(2025, 3, 28, 16, 30), False, utc(2025, 3, 28, 17, 30), id="real-1h"),
        pytest.param(
            "1h", lon(2025, 3, 28, 16, 30), True, utc(2025, 3, 31, 7), id="business-1h-fri-to-mon"
        ),
        pytest.param(
            "2 working hours",
            lon(2025, 3, 28, 16, 30),
            False,
            utc(2025, 3, 31, 8),
            id="working-hours-always-business-30m-fri-90m-mon",
        ),
        pytest.param(
            "1 business day",
            lon(2025, 3, 28, 15),
            False,
            utc(2025, 3, 31, 14),
            id="business-day-fri-15:00gmt-mon-15:00bst",
        ),
        pytest.param(
            "1 week", lon(2025, 3, 25, 10), False, utc(2025, 4, 1, 9), id="week-is-5-open-days"
        ),
        pytest.param(
            "3 days", lon(2025, 3, 29, 12), False, utc(2025, 4, 1, 11), id="calendar-days-wall-time"
        ),
    ],
)
def test_duration_after(text: str, start: datetime, business: bool, expected: datetime) -> None:
    assert d(text).after(start, POLICY.calendar(), business=business) == expected


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        pytest.param("2h", lon(2025, 3, 25, 10), 7200, id="hours-are-the-budget"),
        pytest.param("1 business day", lon(2025, 3, 25, 10), DAY, id="one-full-day"),
        pytest.param("1 business day", lon(2025, 3, 29, 10), DAY, id="from-saturday-still-a-day"),
        pytest.param("1 week", lon(2025, 3, 25, 10), 5 * DAY, id="week-across-spring-change"),
    ],
)
def test_duration_business_seconds(text: str, start: datetime, expected: int) -> None:
    assert d(text).business_seconds(start, POLICY.calendar()) == expected


def test_duration_after_rejects_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        d("1h").after(datetime(2025, 1, 1), POLICY.calendar())


# --- bad config names the key ---------------------------------------------------------------


def _statuses(**changes: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [s.model_dump() for s in POLICY.statuses]
    for row in rows:
        row.update(changes.get(row["key"], {}))
    return rows


def _triage_with(index: int, **changes: Any) -> list[dict[str, Any]]:
    rows = [r.model_dump() for r in POLICY.triage]
    rows[index].update(changes)
    return rows


def _without(key: str) -> list[dict[str, Any]]:
    return [s for s in _statuses() if s["key"] != key]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"statuses_typo": []}, "statuses_typo\n  Extra inputs", id="unknown-top-key"),
        pytest.param(
            {"schedule": {"waiting_reminder": ["24h"]}},
            "schedule.waiting_reminder\n  Extra inputs",
            id="misspelt-schedule-key",
        ),
        pytest.param(
            {"triage": _triage_with(2, priority="critical")},
            "triage[2].priority: unknown priority 'critical'; known: low, medium, high, urgent",
            id="triage-unknown-priority",
        ),
        pytest.param(
            {"initial_status": "nope"},
            "initial_status: unknown status 'nope'; known: open,",
            id="initial-status",
        ),
        pytest.param(
            {"working_status": "resolved"},
            "working_status: status 'resolved' has category 'resolved'",
            id="working-status-category",
        ),
        pytest.param(
            {"default_priority": "critical"},
            "default_priority: unknown priority 'critical'; known: low, medium, high, urgent",
            id="default-priority",
        ),
        pytest.param(
            {"sla_profile": "gold"},
            "sla_profile: unknown SLA profile 'gold'; known: default, concero",
            id="sla-profile",
        ),
        pytest.param(
            {"priorities": [{"key": "p", "label": "P", "response": "soon", "resolution": "none"}]},
            "priorities.0.response\n  Value error, invalid duration 'soon'",
            id="bad-duration",
        ),
        pytest.param(
            {
                "priorities": [
                    {"key": "p", "label": "P", "response": "3 days", "resolution": "none"}
                ]
            },
            "priorities.0.response\n  Value error, SLA target '3 days' in calendar days is",
            id="calendar-days-target",
        ),
        pytest.param(
            {"priorities": [{"key": "p", "label": "P", "response": "1h"}]},
            "priorities.0.resolution\n  Field required",
            id="missing-target",
        ),
        pytest.param(
            {"statuses": _statuses(closed={"category": "resolved"})},
            "statuses: need exactly one status of category 'resolved', found 2\n"
            "statuses: need at least one status of category 'closed'",
            id="two-resolved-no-closed",
        ),
        pytest.param(
            {"statuses": [*_statuses(), {**_statuses()[0], "label": "Again"}]},
            "statuses[12].key: duplicate 'open' (also statuses[0])",
            id="duplicate-status-key",
        ),
        pytest.param(
            {"statuses": _statuses(closed={"label": "Open"})},
            "statuses[11].label: duplicate 'open' (also statuses[0])",
            id="duplicate-status-label",
        ),
        pytest.param(
            {"statuses": _statuses(closed={"label": "Escalated \u2013 in progress"})},
            "statuses[11].label: duplicate 'escalated_in_progress' (also statuses[4])",
            id="labels-differing-only-in-punctuation",
        ),
        pytest.param(
            {"statuses": _statuses(closed={"label": "pending_action"})},
            "statuses[11].label: 'pending_action' is the key of another status",
            id="label-is-another-key",
        ),
        pytest.param(
            {"statuses": _statuses(open={"category": "done"})},
            "statuses.0.category\n  Input should be 'new', 'working', 'waiting', 'resolved' or",
            id="status-category",
        ),
        pytest.param(
            {"statuses": _statuses(resolved={"timer": True})},
            "statuses.10\n  Value error, status 'resolved': a resolved status cannot run",
            id="resolved-with-timer",
        ),
        pytest.param(
            {"statuses": _statuses(open={"awaits_customer": True})},
            "status 'open': awaits_customer needs category 'waiting'",
            id="awaits-customer-not-waiting",
        ),
        pytest.param(
            {"statuses": _statuses(open={"key": "Open Status"})},
            "statuses.0.key\n  String should match pattern",
            id="status-key-format",
        ),
        pytest.param(
            {"statuses": [*_without("waiting_on_customer"), {"key": "x", "label": "X"}]},
            "statuses.11.timer\n  Field required",
            id="status-missing-timer",
        ),
        pytest.param(
            {"business_hours": {"weekly": {"mon": ["9-5"]}}},
            "business_hours.weekly\n  Value error, mon: invalid hours '9-5'",
            id="hours-format",
        ),
        pytest.param(
            {"business_hours": {"weekly": {"mon": ["09:00-12:00", "11:00-13:00"]}}},
            "business_hours.weekly\n  Value error, mon: overlapping hours",
            id="hours-overlap",
        ),
        pytest.param(
            {"business_hours": {"weekly": {"funday": ["09:00-12:00"]}}},
            "business_hours.weekly\n  Value error, unknown weekday 'funday'",
            id="weekday-name",
        ),
        pytest.param(
            {"business_hours": {"weekly": {"mon": [], "sat": []}}},
            "business_hours\n  Value error, weekly: no opening hours at all",
            id="never-open",
        ),
        pytest.param(
            {"business_hours": {"timezone": "Europe/Londn"}},
            "business_hours.timezone\n  Value error, unknown time zone 'Europe/Londn'",
            id="timezone",
        ),
        pytest.param(
            {"business_hours": {"holidays": ["25/12/2025"]}},
            "business_hours.holidays.0",
            id="holiday-date",
        ),
        pytest.param(
            {
                "business_hours": {
                    "alternate": [
                        {
                            "name": "summer",
                            "weekly": {},
                            "periods": [{"start": "2025-09-01", "end": "2025-07-21"}],
                        }
                    ]
                }
            },
            "business_hours.alternate.0.periods.0\n  Value error, period ends (2025-07-21)",
            id="period-inverted",
        ),
        pytest.param(
            {"sla_profiles": {"concero": {"low": {"response": "1h", "resolution": "none"}}}},
            "sla_profiles.concero: missing priorities medium, high, urgent",
            id="profile-missing-priorities",
        ),
        pytest.param(
            {"sla_profiles": {"gold": {"critical": {"response": "1h", "resolution": "none"}}}},
            "sla_profiles.gold: unknown priorities critical; known: low, medium, high, urgent",
            id="profile-unknown-priority",
        ),
        pytest.param(
            {"sla_profiles": {"concero": {"low": {"response": "1h", "resolve": "2h"}}}},
            "sla_profiles.concero.low.resolve\n  Extra inputs",
            id="profile-misspelt-key",
        ),
        pytest.param(
            {"sla_profiles": {"default": {}}},
            "sla_profiles.default: 'default' is the targets given in [[priorities]]",
            id="profile-default-reserved",
        ),
        pytest.param(
            {"schedule": {"waiting_reminders": ["72h", "24h"]}},
            "waiting_reminders[1] (24h) must come after waiting_reminders[0] (72h)",
            id="reminders-order",
        ),
        pytest.param(
            {"schedule": {"waiting_autoclose": "48h"}},
            "waiting_autoclose (48h) must come after waiting_reminders[1] (72h)",
            id="autoclose-before-last-reminder",
        ),
        pytest.param(
            {"schedule": {"waiting_reminders": [24]}},
            "schedule.waiting_reminders.0\n  Value error, expected a duration string",
            id="reminder-not-a-string",
        ),
        pytest.param(
            {"schedule": {"reopen_window": "none"}},
            "schedule.reopen_window\n  Value error, 'none' is not allowed here",
            id="none-where-required",
        ),
        pytest.param(
            {"schedule": {"closed_reply": "delete"}},
            "schedule.closed_reply\n  Input should be 'new_linked' or 'reopen'",
            id="closed-reply",
        ),
        pytest.param(
            {"schedule": {"reminder_hours": "working"}},
            "schedule.reminder_hours\n  Input should be 'calendar' or 'business'",
            id="reminder-hours",
        ),
        pytest.param(
            {"schedule": {"escalation_address": "team leads"}},
            "schedule.escalation_address\n  Value error, not an email address",
            id="escalation-address",
        ),
        pytest.param(
            {"triage": _triage_with(0, priority=None, confidential=None)},
            "triage rule 'safeguarding' sets none of priority/category/confidential",
            id="triage-rule-does-nothing",
        ),
        pytest.param(
            {"triage": _triage_with(1, keywords=[])},
            "triage.1.keywords\n  Tuple should have at least 1 item",
            id="triage-no-keywords",
        ),
        pytest.param(
            {"triage": _triage_with(1, keywords=["ok", " "])},
            "triage.1.keywords\n  Value error, keywords[1] is empty",
            id="triage-blank-keyword",
        ),
        pytest.param(
            {"triage": _triage_with(1, name="safeguarding")},
            "triage[1].name: duplicate 'safeguarding' (also triage[0])",
            id="triage-duplicate-name",
        ),
    ],
)
def test_bad_config_names_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Policy.model_validate(data)
    assert message in str(caught.value)


def test_all_cross_field_problems_reported_together() -> None:
    with pytest.raises(ValidationError) as caught:
        Policy.model_validate({"initial_status": "x", "default_priority": "y"})
    assert "initial_status: unknown status 'x'" in str(caught.value)
    assert "default_priority: unknown priority 'y'" in str(caught.value)


def test_subclass_adds_sections_and_keeps_checks() -> None:
    class Desk(BaseModel):
        name: str = "IT"

    class Config(Policy):
        desk: Desk = Desk()

    config = Config.model_validate({"desk": {"name": "Lourdes"}, "default_priority": "high"})
    assert (config.desk.name, config.targets(None, "high").response) == ("Lourdes", d("1h"))
    with pytest.raises(ValidationError, match="default_priority: unknown priority"):
        Config.model_validate({"default_priority": "critical"})
    with pytest.raises(ValidationError, match="databse"):
        Config.model_validate({"databse": {}})


# --- other desks' policies ------------------------------------------------------------------


def test_education_digital_services_statuses_validate() -> None:
    policy = Policy.model_validate(tomllib.loads(EDUCATION_TOML))
    assert [s.key for s in policy.statuses_in("waiting")] == [
        "on_hold_awaiting_customer_update",
        "on_hold_awaiting_change",
        "on_hold_customer_deferral",
    ]
    assert [s.key for s in policy.statuses if s.timer] == ["new", "awaiting_triage", "in_progress"]
    on_hold = policy.status("on hold (awaiting customer update)")
    assert on_hold is not None and on_hold.awaits_customer
    deferral = policy.status("On Hold (Customer Deferral)")
    assert deferral is not None and deferral.resume_on == "due_date"
    assert policy.resolved_status.key == "resolved"
    assert policy.schedule.resolved_autoclose == d("24h")
    assert policy.schedule.reopen_window == d("24h")
    assert policy.schedule.waiting_reminders == () and policy.schedule.waiting_autoclose is None


def test_desk_with_own_profile_hours_and_holidays() -> None:
    policy = Policy.model_validate(
        tomllib.loads(
            """
            sla_profile = "concero"

            [business_hours]
            timezone = "Europe/London"
            holidays = [2025-12-25, 2025-12-26]
            weekly = { Monday = ["13:00-17:00", "8:00-12:00"], fri = ["08:00-12:00"] }

            [[business_hours.alternate]]
            name = "school holidays"
            weekly = { mon = ["09:00-12:00"] }
            periods = [{ start = 2025-10-27, end = 2025-10-31 }]
            """
        )
    )
    assert policy.business_hours.weekly == {
        "mon": ("08:00-12:00", "13:00-17:00"),
        "fri": ("08:00-12:00",),
    }
    assert policy.targets(None, "urgent").response == d("2 working hours")
    cal = policy.calendar()
    assert cal.is_open(lon(2025, 10, 20, 14))
    assert not cal.is_open(lon(2025, 10, 27, 14))
    assert cal.is_open(lon(2025, 10, 27, 9))
    assert cal.next_open(lon(2025, 12, 24, 12)) == utc(2025, 12, 29, 8)
    assert policy.business_hours.holidays == (date(2025, 12, 25), date(2025, 12, 26))


# --- lookups --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("open", "open"),
        ("OPEN", "open"),
        ("Waiting on Customer", "waiting_on_customer"),
        ("waiting on customer", "waiting_on_customer"),
        (" escalated - in progress ", "escalated_in_progress"),
        ("request_more_information", "request_more_information"),
        # the seed's own typography, and what people type for it
        ("Escalated \u2013 needs action", "escalated_needs_action"),
        ("escalated-needs-action", "escalated_needs_action"),
        ("Escalated\u2014Needs Action", "escalated_needs_action"),
        ("Awaiting action on specific date.", "awaiting_action_on_date"),
        ("Being processed", None),
        ("nope", None),
    ],
)
def test_status_lookup(name: str, key: str | None) -> None:
    found = POLICY.status(name)
    assert (found.key if found else None) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [("urgent", "urgent"), ("Urgent", "urgent"), ("MEDIUM", "medium"), ("p1", None)],
)
def test_priority_lookup(name: str, key: str | None) -> None:
    found = POLICY.priority(name)
    assert (found.key if found else None) == key


def test_targets_lookup() -> None:
    assert POLICY.targets(None, "medium") == POLICY.targets("default", "Medium")
    assert POLICY.targets("default", "low").resolution is None
    concero = Policy(sla_profile="concero")
    assert concero.targets(None, "high").response == d("16 working hours")
    assert concero.targets("default", "high").response == d("1h")
    with pytest.raises(KeyError, match="unknown SLA profile 'gold'; known: default, concero"):
        POLICY.targets("gold", "low")
    with pytest.raises(KeyError, match="unknown priority 'critical'; known: low, medium"):
        POLICY.targets(None, "critical")
    with pytest.raises(KeyError, match="unknown priority"):
        POLICY.priority_rank("critical")


# --- triage ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("Safeguarding concern about a pupil", ["safeguarding"]),
        ("SAFEGUARDING", ["safeguarding"]),
        ("a child\nprotection matter", ["safeguarding"]),
        ("The whole school cannot log in", ["whole school"]),
        ("the whole\r\n  school is affected", ["whole school"]),
        ("wholeschool", []),
        ("We think we have been hacked", ["network security"]),
        ("Internet down in the office", ["network down"]),
        ("no internet since 9am", ["network down"]),
        ("slow internet this morning", []),
        ("Projector failed during the lesson", ["whole class"]),
        ("Lessons cancelled", ["whole class"]),
        ("Sound system for tonight's event", ["event"]),
        ("Several users in the office cannot print", ["many users"]),
        ("multiple users locked out", ["many users"]),
        ("many usernames are wrong", []),
        ("preventing login", []),
        ("eventually it works", []),
        ("Feature request: dark mode", ["feature request"]),
        ("Feature requests for the whole school", ["whole school", "feature request"]),
        (
            "Safeguarding: whole school network is down during lessons",
            ["safeguarding", "whole school", "network down", "whole class"],
        ),
        ("Printer jammed", []),
        ("", []),
    ],
)
def test_triage_matches(text: str, rules: list[str]) -> None:
    assert [rule.name for rule in POLICY.triage_matches(text)] == rules


def test_triage_rule_values() -> None:
    [rule] = POLICY.triage_matches("safeguarding")
    assert (rule.priority, rule.confidential, rule.category) == ("urgent", True, None)
    [rule] = POLICY.triage_matches("ransomware")
    assert (rule.priority, rule.confidential, rule.category) == ("urgent", None, "Network")


def test_triage_keywords_with_punctuation() -> None:
    policy = Policy(
        triage=[{"name": "wifi", "keywords": ["wi-fi down", "c++"], "category": "Network"}]  # type: ignore[list-item]
    )
    assert [r.name for r in policy.triage_matches("The Wi-Fi  down again")] == ["wifi"]
    assert policy.triage_matches("wi-fi downstairs is fine") == []
    assert [r.name for r in policy.triage_matches("C++ compiler missing")] == ["wifi"]
