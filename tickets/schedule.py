"""When a ticket next needs the scheduler's attention, and for what.

Every change to a ticket goes through `tickets.lifecycle`, which calls `refresh` so that the
sweep is one indexed query on `next_action_at`. The candidates, earliest first wins:

- `reminder` / `auto_close`: the ladder of an `awaits_customer` status, counted from when the
  wait began (`status_changed_at`); `reminders_sent` says how far it has gone.
- `close`: the resolved status, `schedule.resolved_autoclose` after it was entered.
- `resume`: a status with `resume_on`, on the ticket's `due_date` or the company's next rota day.
- `response_warning`, `response_breach`, `resolution_warning`, `resolution_breach`: while the SLA
  clock runs, `sla_warning_lead` before a due time and at it, once per due time (`sla_notified`
  holds `sla_mark`s): a target moved by a priority change or a reopen warns and breaches again.
- `stale`: a new or working ticket not updated for `schedule.stale_after` (business time).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from tickets.calendar import DAY_NAMES
from tickets.desk import DeskPolicy
from tickets.models import Ticket
from tickets.policy import Duration


def refresh(ticket: Ticket, policy: DeskPolicy, now: datetime) -> None:
    """Set `next_action_at` / `next_action` from the ticket's state."""
    found = candidates(ticket, policy)
    if found:
        ticket.next_action_at, ticket.next_action = min(found, key=lambda c: c[0])
    else:
        ticket.next_action_at, ticket.next_action = None, ""


def candidates(ticket: Ticket, policy: DeskPolicy) -> list[tuple[datetime, str]]:
    status = policy.status(ticket.status)
    if status is None:
        return []
    schedule, calendar = policy.schedule, policy.calendar()
    since = ticket.status_changed_at
    found: list[tuple[datetime, str]] = []
    if status.awaits_customer:
        ladder = waiting_ladder(policy, since)
        if ticket.reminders_sent < len(ladder):
            found.append(ladder[ticket.reminders_sent])
    if status.category == "resolved" and schedule.resolved_autoclose is not None:
        found.append((schedule.resolved_autoclose.after(since, calendar), "close"))
    if status.resume_on == "due_date" and ticket.due_date is not None:
        found.append((ticket.due_date, "resume"))
    if status.resume_on == "rota_day":
        day = next_rota_day(ticket, policy, since)
        if day is not None:
            found.append((day, "resume"))
    if ticket.clock_started_at is not None:
        found.extend(_sla(ticket, policy))
    if status.category in ("new", "working") and schedule.stale_after is not None:
        quiet = schedule.stale_after.after(ticket.updated_at, calendar, business=True)
        found.append((quiet, "stale"))
    return found


def waiting_ladder(policy: DeskPolicy, since: datetime) -> list[tuple[datetime, str]]:
    """Each reminder and then the closure of a wait for the customer that began at `since`."""
    schedule, calendar = policy.schedule, policy.calendar()
    business = schedule.reminder_hours == "business"
    steps = [(d.after(since, calendar, business=business), "reminder") for d in
             schedule.waiting_reminders]
    if schedule.waiting_autoclose is not None:
        steps.append((schedule.waiting_autoclose.after(since, calendar, business=business),
                      "auto_close"))
    return steps


def next_rota_day(ticket: Ticket, policy: DeskPolicy, since: datetime) -> datetime | None:
    """Opening time of the first open rota day of the ticket's company after `since`'s date."""
    company = next((c for c in policy.companies if c.name == ticket.company_name), None)
    if company is None or not company.rota_days:
        return None
    calendar = policy.calendar()
    rota = {DAY_NAMES.index(d) for d in company.rota_days}
    day = since.astimezone(calendar.tz).date()
    for _ in range(370):
        day += timedelta(days=1)
        if day.weekday() not in rota:
            continue
        opening = calendar.next_open(datetime.combine(day, time(0), calendar.tz))
        if opening.astimezone(calendar.tz).date() == day:
            return opening
    return None


def _lead(duration: Duration) -> timedelta:
    # The warning lead is real time; days count as 24 hours here (a lead is short in practice).
    days = duration.business_days + duration.calendar_days
    return timedelta(seconds=duration.seconds, days=days)


def sla_mark(kind: str, due: datetime) -> str:
    """What `sla_notified` records for one SLA mail: its kind and the due time it was about."""
    return f"{kind}@{due.astimezone(UTC).isoformat()}"


def _sla(ticket: Ticket, policy: DeskPolicy) -> list[tuple[datetime, str]]:
    lead = policy.schedule.sla_warning_lead
    done = ticket.sla_notified or []  # NULL on tickets from before migration 0002
    found: list[tuple[datetime, str]] = []
    for target, due, met in (
        ("response", ticket.response_due_at, ticket.responded_at),
        ("resolution", ticket.resolution_due_at, ticket.resolved_at),
    ):
        if due is None or met is not None:
            continue
        if lead is not None and sla_mark(f"{target}_warning", due) not in done:
            found.append((due - _lead(lead), f"{target}_warning"))
        if sla_mark(f"{target}_breach", due) not in done:
            found.append((due, f"{target}_breach"))
    return found
