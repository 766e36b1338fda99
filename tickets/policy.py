"""The service-desk policy: statuses, priorities and SLA targets, business hours, triage, schedule.

Pydantic models whose fields are `config.toml` sections; `Policy()` with no arguments is the
Lourdes IT help desk policy. Unknown keys are errors, and cross-field errors name the key.

Durations are strings: "90s", "30m", "1.5h", "3 days" (calendar days, same local time),
"1 business day", "3 working days", "1 week" (= 5 business days), "16 working hours" (hours on the
business clock wherever used) and, where a target may be absent, "none". Plain seconds count on
the business clock for SLA targets, on `schedule.reminder_hours` for waiting reminders and in real
time elsewhere.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from tickets import public_holidays
from tickets.calendar import (
    DAY_NAMES,
    BusinessCalendar,
    normalize_hours,
    parse_weekday,
)

__all__ = [
    "AlternateHours",
    "BusinessHours",
    "Duration",
    "Period",
    "Policy",
    "Priority",
    "Schedule",
    "Status",
    "StatusCategory",
    "Targets",
    "TriageRule",
]

StatusCategory = Literal["new", "working", "waiting", "resolved", "closed"]

_KEY = r"^[a-z][a-z0-9_]*$"
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


class Section(BaseModel):
    """Base for config sections: misspelt keys are errors; values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# an address as config holds it: no display name, no angle brackets, no spaces
_BARE_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+")


def bare_address(value: str) -> str:
    """`value` lower-cased if it is local@domain and nothing else ('Alice <a@x>' is refused:
    the address compared with senders would never match)."""
    if not _BARE_ADDRESS.fullmatch(value):
        raise ValueError(f"not an email address (local@domain, nothing else): {value!r}")
    return value.lower()


# --- statuses ------------------------------------------------------------------------------


class Status(Section):
    """A ticket status. `timer`: the SLA clock runs in it. `awaits_customer`: the desk waits for
    the requester, so waiting reminders and auto-close apply and a reply moves the ticket to
    `working_status`. `resume_on`: the scheduler moves a waiting ticket back to
    `working_status` by itself, on the ticket's due date or on its company's next rota day."""

    key: str = Field(pattern=_KEY)
    label: str = Field(min_length=1)
    customer_label: str = ""
    timer: bool
    category: StatusCategory
    awaits_customer: bool = False
    resume_on: Literal["due_date", "rota_day"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _customer_label(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("customer_label") and "label" in data:
            return {**data, "customer_label": data["label"]}
        return data

    @model_validator(mode="after")
    def _check(self) -> Status:
        if self.timer and self.category in ("resolved", "closed"):
            raise ValueError(f"status {self.key!r}: a {self.category} status cannot run the timer")
        if self.awaits_customer and self.category != "waiting":
            raise ValueError(f"status {self.key!r}: awaits_customer needs category 'waiting'")
        if self.resume_on is not None and (self.category != "waiting" or self.awaits_customer):
            raise ValueError(
                f"status {self.key!r}: resume_on needs category 'waiting' without awaits_customer"
            )
        return self


def _status(key: str, label: str, timer: bool, category: StatusCategory, **kw: Any) -> Status:
    return Status(key=key, label=label, timer=timer, category=category, **kw)


LOURDES_STATUSES = (
    _status("open", "Open", True, "new", customer_label="Being processed"),
    _status("pending_action", "Pending Action", True, "working"),
    _status("actively_working_on", "Actively Working On", True, "working"),
    _status("escalated_needs_action", "Escalated - Needs Action", True, "working"),
    _status("escalated_in_progress", "Escalated - In Progress", True, "working"),
    _status(
        "waiting_on_customer",
        "Waiting on Customer",
        False,
        "waiting",
        customer_label="Awaiting your reply",
        awaits_customer=True,
    ),
    _status("waiting_on_third_party", "Waiting on Third Party", False, "waiting"),
    _status(
        "waiting_for_site_visit", "Waiting for Site Visit", False, "waiting", resume_on="rota_day"
    ),
    _status(
        "awaiting_action_on_date",
        "Awaiting Action on Specific Date",
        False,
        "waiting",
        resume_on="due_date",
    ),
    _status(
        "request_more_information",
        "Request More Information",
        False,
        "waiting",
        awaits_customer=True,
    ),
    _status("resolved", "Resolved", False, "resolved"),
    _status("closed", "Closed", False, "closed"),
)

# --- priorities and SLA targets --------------------------------------------------------------


class Targets(Section):
    """Response and resolution targets on the business clock; None: no target."""

    response: Target
    resolution: Target


class Priority(Section):
    """A priority and the desk's own ("default" profile) targets for it."""

    key: str = Field(pattern=_KEY)
    label: str = Field(min_length=1)
    response: Target
    resolution: Target

    @property
    def targets(self) -> Targets:
        return Targets(response=self.response, resolution=self.resolution)


def _t(text: str) -> Duration | None:
    return _target(text)


LOURDES_PRIORITIES = (
    Priority(key="low", label="Low", response=_t("1 week"), resolution=None),
    Priority(
        key="medium",
        label="Medium",
        response=_t("1 business day"),
        resolution=_t("3 business days"),
    ),
    Priority(key="high", label="High", response=_t("1h"), resolution=_t("2h")),
    Priority(key="urgent", label="Urgent", response=_t("30m"), resolution=_t("1h")),
)

CONCERO_PROFILE = {
    "low": Targets(response=_t("40 working hours"), resolution=_t("120 working hours")),
    "medium": Targets(response=_t("24 working hours"), resolution=_t("80 working hours")),
    "high": Targets(response=_t("16 working hours"), resolution=_t("40 working hours")),
    "urgent": Targets(response=_t("2 working hours"), resolution=_t("16 working hours")),
}
"""Concero's device-scheme targets, in working hours (07:30–17:00 Mon–Fri)."""

# --- business hours --------------------------------------------------------------------------


def _weekly(value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name, hours in value.items():
        day = DAY_NAMES[parse_weekday(name)]
        if day in out:
            raise ValueError(f"{name}: {day} given twice")
        try:
            out[day] = normalize_hours(hours)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from exc
    return {day: out[day] for day in DAY_NAMES if day in out}


def _weekdays(hours: str, days: tuple[str, ...] = DAY_NAMES[:5]) -> dict[str, tuple[str, ...]]:
    return {day: (hours,) for day in days}


class Period(Section):
    """A date range, both ends included."""

    start: date
    end: date

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self


class AlternateHours(Section):
    """Named hours (e.g. school holidays) that replace the weekly hours during its periods."""

    name: str = Field(min_length=1)
    weekly: dict[str, tuple[str, ...]]
    periods: tuple[Period, ...] = ()

    @field_validator("weekly")
    @classmethod
    def _normalize(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return _weekly(value)


class BusinessHours(Section):
    """When the SLA clock runs: IANA time zone, weekly hours, holidays, alternate hours."""

    timezone: str = "Europe/London"
    weekly: dict[str, tuple[str, ...]] = Field(default_factory=lambda: _weekdays("07:30-17:00"))
    holidays: tuple[date, ...] = ()
    # a country's public holidays too, e.g. "GB-ENG" (ISO 3166; tickets.public_holidays)
    holidays_from: str = ""
    alternate: tuple[AlternateHours, ...] = (
        AlternateHours(name="school holidays", weekly=_weekdays("08:00-17:00")),
    )
    _calendar: BusinessCalendar = PrivateAttr()

    @field_validator("weekly")
    @classmethod
    def _normalize(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return _weekly(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        BusinessCalendar(value)
        return value

    @field_validator("holidays_from")
    @classmethod
    def _holidays_from(cls, value: str) -> str:
        return public_holidays.check(value) if value.strip() else ""

    @model_validator(mode="after")
    def _build(self) -> BusinessHours:
        if not any(self.weekly.values()):
            raise ValueError("weekly: no opening hours at all")
        self._calendar = BusinessCalendar.from_policy(self)
        return self

    def calendar(self) -> BusinessCalendar:
        return self._calendar


# --- triage ----------------------------------------------------------------------------------


class TriageRule(Section):
    """Keywords (whole words or phrases, any case) that set priority, category, confidential."""

    name: str = Field(min_length=1)
    keywords: tuple[str, ...] = Field(min_length=1)
    priority: str | None = None
    category: str | None = None
    confidential: bool | None = None

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for i, keyword in enumerate(value):
            if not keyword.strip():
                raise ValueError(f"keywords[{i}] is empty")
        return value

    @model_validator(mode="after")
    def _does_something(self) -> TriageRule:
        if self.priority is None and self.category is None and self.confidential is None:
            raise ValueError(
                f"triage rule {self.name!r} sets none of priority/category/confidential"
            )
        return self

    def pattern(self) -> re.Pattern[str]:
        words = ("\\s+".join(map(re.escape, k.split())) for k in self.keywords)
        return re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", re.IGNORECASE)


LOURDES_TRIAGE = (
    TriageRule(
        name="safeguarding",
        keywords=("safeguarding", "child protection"),
        priority="urgent",
        confidential=True,
    ),
    TriageRule(
        name="whole school",
        keywords=("whole school", "entire school", "all staff", "all users", "all schools"),
        priority="urgent",
    ),
    TriageRule(
        name="network security",
        keywords=("network security", "security breach", "ransomware", "hacked"),
        priority="urgent",
        category="Network",
    ),
    TriageRule(
        name="network down",
        keywords=("network down", "network is down", "internet down", "no internet", "server down"),
        priority="urgent",
        category="Network",
    ),
    TriageRule(name="whole class", keywords=("whole class", "lesson", "lessons"), priority="high"),
    # Lourdes' High: "a significant proportion of users"; Education Digital's "Multiple Users"
    TriageRule(
        name="many users",
        keywords=("many users", "several users", "multiple users", "many staff"),
        priority="high",
    ),
    TriageRule(name="event", keywords=("event", "events"), priority="high"),
    TriageRule(
        name="feature request", keywords=("feature request", "feature requests"), priority="low"
    ),
)

# --- schedule --------------------------------------------------------------------------------


class Schedule(Section):
    """Reminders, closures and warnings.

    waiting_reminders, waiting_autoclose: a ticket in an `awaits_customer` status gets a
    reminder at each step and is closed at the last, all counted from when the wait began, on the
    clock `reminder_hours` names ("none": never auto-close). The seeds give 24 h and 72 h; 96 h
    for closing is ours.
    resolved_autoclose: a resolved ticket closes after this long (a reply before then reopens it).
    reopen_window: a reply to a resolved ticket this soon after it was resolved reopens it;
    replies to a closed ticket, or later ones, follow closed_reply ("new_linked": a new ticket
    linked to the old one, or "reopen"). The `closed` mail tells the requester which.
    sla_warning_lead: warn this long before a target is missed (to escalation_address if set).
    stale_after: remind the technician when a working ticket has had no update this long.
    Plain hours here are real time except where `reminder_hours` says otherwise.
    """

    waiting_reminders: tuple[DurationField, ...] = (Duration.parse("24h"), Duration.parse("72h"))
    waiting_autoclose: OptionalDuration = Duration.parse("96h")
    reminder_hours: Literal["calendar", "business"] = "calendar"
    resolved_autoclose: OptionalDuration = Duration.parse("72h")
    reopen_window: DurationField = Duration.parse("72h")
    closed_reply: Literal["new_linked", "reopen"] = "new_linked"
    sla_warning_lead: OptionalDuration = Duration.parse("30m")
    escalation_address: str | None = None
    stale_after: OptionalDuration = Duration.parse("2 business days")

    @field_validator("escalation_address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        return None if value is None else bare_address(value)

    @model_validator(mode="after")
    def _ladder(self) -> Schedule:
        steps = [*self.waiting_reminders]
        names = [f"waiting_reminders[{i}]" for i in range(len(steps))]
        if self.waiting_autoclose is not None:
            steps.append(self.waiting_autoclose)
            names.append("waiting_autoclose")
        for i in range(1, len(steps)):
            before, after = _comparable(steps[i - 1]), _comparable(steps[i])
            if before is not None and after is not None and after <= before:
                raise ValueError(
                    f"{names[i]} ({steps[i]}) must come after {names[i - 1]} ({steps[i - 1]})"
                )
        return self


def _comparable(d: Duration) -> int | None:
    """Seconds for ordering the ladder; None for business days, which cannot be compared."""
    return None if d.business_days else d.seconds + d.calendar_days * 86_400


# --- the policy ------------------------------------------------------------------------------


class Policy(Section):
    """Everything the ticket rules need from config; the defaults are Lourdes IT's policy."""

    initial_status: str = "open"
    working_status: str = "open"
    default_priority: str = "medium"
    sla_profile: str = "default"
    statuses: tuple[Status, ...] = LOURDES_STATUSES
    priorities: tuple[Priority, ...] = LOURDES_PRIORITIES
    sla_profiles: dict[str, dict[str, Targets]] = Field(
        default_factory=lambda: {"concero": dict(CONCERO_PROFILE)}
    )
    business_hours: BusinessHours = BusinessHours()
    triage: tuple[TriageRule, ...] = LOURDES_TRIAGE
    schedule: Schedule = Schedule()

    _status_index: dict[str, Status] = PrivateAttr(default_factory=dict)
    _priority_index: dict[str, Priority] = PrivateAttr(default_factory=dict)
    _triage_patterns: tuple[re.Pattern[str], ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _cross_check(self) -> Policy:
        problems: list[str] = []
        status_keys = [s.key for s in self.statuses]
        priority_keys = [p.key for p in self.priorities]
        known_statuses = ", ".join(status_keys)
        known_priorities = ", ".join(priority_keys)
        problems += _duplicates("statuses", status_keys, "key")
        problems += _duplicates("statuses", [name_key(s.label) for s in self.statuses], "label")
        problems += _duplicates("priorities", [name_key(p.label) for p in self.priorities], "label")
        problems += _duplicates("priorities", priority_keys, "key")
        problems += _duplicates("triage", [r.name for r in self.triage], "name")
        by_key = {s.key: s for s in self.statuses}
        by_name_key = {name_key(s.key): s for s in self.statuses}
        for i, s in enumerate(self.statuses):
            other = by_name_key.get(name_key(s.label))
            if other is not None and other is not s:
                problems.append(f"statuses[{i}].label: {s.label!r} is the key of another status")
        categories = Counter(s.category for s in self.statuses)
        if categories["resolved"] != 1:
            problems.append(
                f"statuses: need exactly one status of category 'resolved', "
                f"found {categories['resolved']}"
            )
        if categories["closed"] < 1:
            problems.append("statuses: need at least one status of category 'closed'")
        for name in ("initial_status", "working_status"):
            key = getattr(self, name)
            if key not in by_key:
                problems.append(f"{name}: unknown status {key!r}; known: {known_statuses}")
            elif by_key[key].category not in ("new", "working"):
                problems.append(
                    f"{name}: status {key!r} has category {by_key[key].category!r}; "
                    "it must be 'new' or 'working'"
                )
        if self.default_priority not in priority_keys:
            problems.append(
                f"default_priority: unknown priority {self.default_priority!r}; "
                f"known: {known_priorities}"
            )
        for i, rule in enumerate(self.triage):
            if rule.priority is not None and rule.priority not in priority_keys:
                problems.append(
                    f"triage[{i}].priority: unknown priority {rule.priority!r}; "
                    f"known: {known_priorities}"
                )
        if "default" in self.sla_profiles:
            problems.append(
                "sla_profiles.default: 'default' is the targets given in [[priorities]]; "
                "pick another name"
            )
        for name, profile in self.sla_profiles.items():
            unknown = [k for k in profile if k not in priority_keys]
            missing = [k for k in priority_keys if k not in profile]
            if unknown:
                problems.append(
                    f"sla_profiles.{name}: unknown priorities {', '.join(unknown)}; "
                    f"known: {known_priorities}"
                )
            if missing:
                problems.append(f"sla_profiles.{name}: missing priorities {', '.join(missing)}")
        profiles = ["default", *self.sla_profiles]
        if self.sla_profile not in profiles:
            problems.append(
                f"sla_profile: unknown SLA profile {self.sla_profile!r}; "
                f"known: {', '.join(profiles)}"
            )
        if problems:
            raise ValueError("\n".join(problems))  # one line each, each naming its key
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._status_index = {name_key(s.label): s for s in self.statuses}
        self._status_index |= {name_key(s.key): s for s in self.statuses}
        self._priority_index = {name_key(p.label): p for p in self.priorities}
        self._priority_index |= {name_key(p.key): p for p in self.priorities}
        self._triage_patterns = tuple(rule.pattern() for rule in self.triage)

    # --- lookups -------------------------------------------------------------------------------

    def status(self, name: str) -> Status | None:
        """The status with this key or label (any case, any punctuation: "Escalated – needs
        action", "escalated-needs-action"), or None."""
        return self._status_index.get(name_key(name))

    def priority(self, name: str) -> Priority | None:
        """The priority with this key or label (any case, any punctuation), or None."""
        return self._priority_index.get(name_key(name))

    def priority_rank(self, key: str) -> int:
        """Position in `priorities` (listed least to most urgent); KeyError if unknown."""
        for i, p in enumerate(self.priorities):
            if p.key == key:
                return i
        raise KeyError(f"unknown priority {key!r}")

    def statuses_in(self, category: StatusCategory) -> tuple[Status, ...]:
        return tuple(s for s in self.statuses if s.category == category)

    @property
    def resolved_status(self) -> Status:
        return self.statuses_in("resolved")[0]

    @property
    def closed_status(self) -> Status:
        """The status auto-closure uses: the first of category 'closed'."""
        return self.statuses_in("closed")[0]

    def profile_names(self) -> tuple[str, ...]:
        return ("default", *self.sla_profiles)

    def targets(self, profile: str | None, priority: str) -> Targets:
        """Targets of `priority` under `profile` (None: the desk's `sla_profile`); KeyError
        naming the known ones if either is unknown."""
        name = self.sla_profile if profile is None else profile
        if name != "default" and name not in self.sla_profiles:
            raise KeyError(
                f"unknown SLA profile {name!r}; known: {', '.join(self.profile_names())}"
            )
        chosen = self.priority(priority)
        if chosen is None:
            known = ", ".join(p.key for p in self.priorities)
            raise KeyError(f"unknown priority {priority!r}; known: {known}")
        if name == "default":
            return chosen.targets
        return self.sla_profiles[name][chosen.key]

    def triage_matches(self, text: str) -> list[TriageRule]:
        """Every triage rule with a keyword in `text`, in configured order."""
        return [
            rule
            for rule, pattern in zip(self.triage, self._triage_patterns, strict=True)
            if pattern.search(text)
        ]

    def calendar(self) -> BusinessCalendar:
        """The business-hours calendar built from `business_hours`."""
        return self.business_hours.calendar()

    def local_time(self, value: datetime | str) -> str:
        """An instant (or its ISO text) as the desk reads it: 'Mon 23 Nov 2026 10:30 GMT',
        'Tue 14 Jul 2026 15:00 BST'; the one format of every mail and listing."""
        instant = datetime.fromisoformat(value) if isinstance(value, str) else value
        return instant.astimezone(self.calendar().tz).strftime("%a %d %b %Y %H:%M %Z")


def name_key(name: str) -> str:
    """How a status or priority is looked up: lower case, every run of spaces, dashes (also
    typographic ones) and punctuation one '_'. 'On Hold (Awaiting Change)' →
    'on_hold_awaiting_change'."""
    return re.sub(r"[\W_]+", "_", name.lower()).strip("_")


def _duplicates(section: str, values: list[str], what: str) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for i, value in enumerate(values):
        if value in seen:
            problems.append(
                f"{section}[{i}].{what}: duplicate {value!r} (also {section}[{seen[value]}])"
            )
        seen.setdefault(value, i)
    return problems
