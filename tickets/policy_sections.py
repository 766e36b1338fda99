"""The sections a service-desk policy is made of: statuses, priorities and their SLA targets,
business hours, triage rules, the schedule; and `Section`, the base of every config section.

Pydantic models whose fields are `config.toml` keys. Unknown keys are errors, and errors name
the key. A key left out takes the default given here; the default lists of statuses, priorities,
SLA profiles and triage rules are data, in `tickets/default_policy.toml`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
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
from tickets.durations import Duration, DurationField, OptionalDuration, Target

__all__ = [
    "AlternateHours",
    "BusinessHours",
    "Period",
    "Priority",
    "Schedule",
    "Section",
    "Status",
    "StatusCategory",
    "Targets",
    "TriageRule",
    "bare_address",
]

StatusCategory = Literal["new", "working", "waiting", "resolved", "closed"]

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"


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

    key: str = Field(pattern=KEY_PATTERN)
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


# --- priorities and SLA targets --------------------------------------------------------------


class Targets(Section):
    """Response and resolution targets on the business clock; None: no target."""

    response: Target
    resolution: Target


class Priority(Section):
    """A priority and the desk's own ("default" profile) targets for it."""

    key: str = Field(pattern=KEY_PATTERN)
    label: str = Field(min_length=1)
    response: Target
    resolution: Target

    @property
    def targets(self) -> Targets:
        return Targets(response=self.response, resolution=self.resolution)


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
