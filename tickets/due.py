"""What the sweep does to a ticket whose `next_action_at` has come (see `tickets.schedule`).

Each action changes the ticket so that `schedule.refresh` moves on to a later action, in the
caller's transaction; the events it returns carry keys unique to the occurrence, so that the
outbox sends each mail once even if two sweeps reach the same ticket.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from tickets import history, lifecycle, schedule
from tickets.desk import DeskPolicy
from tickets.events import Event
from tickets.models import Ticket

MAX_STEPS = 10  # actions one ticket may take in one sweep: each makes progress, this is a guard


def run_due(session: Session, policy: DeskPolicy, ticket: Ticket, now: datetime) -> list[Event]:
    """Apply every action of the ticket that is due at `now`."""
    events: list[Event] = []
    for _ in range(MAX_STEPS):
        # From the ticket as it is now: an earlier step may have changed it, and the config
        # may have changed since `next_action_at` was written.
        schedule.refresh(ticket, policy, now)
        if ticket.next_action_at is None or ticket.next_action_at > now:
            break
        events += ACTIONS[ticket.next_action](session, policy, ticket, now)
    return events


def _event(kind: str, ticket: Ticket, key: str, **data: object) -> Event:
    return Event(kind=kind, ticket_id=ticket.id, key=key, data=dict(data))


def _waiting(session: Session, policy: DeskPolicy, ticket: Ticket, now: datetime) -> list[Event]:
    """The waiting-on-customer ladder. A sweep that comes late sends only the latest step due,
    not a burst of reminders at once."""
    since = ticket.status_changed_at
    ladder = schedule.waiting_ladder(policy, since)
    reached = max(i for i, (at, _) in enumerate(ladder) if at <= now)
    if ladder[reached][1] == "auto_close":
        closed = policy.closed_status.key
        reminders = ticket.reminders_sent
        events = lifecycle.set_status(
            session, policy, ticket, closed, now,
            reason=f"no reply from the requester after {reminders} reminder(s)",
            actor="scheduler",
        )
        return [
            *events,
            _event("auto_closed", ticket, f"auto_closed:{ticket.id}:{since.isoformat()}",
                   reminders=reminders),
        ]
    number = reached + 1
    ticket.reminders_sent = number
    history.record(session, ticket, "reminder", f"reminder {number} to the requester", now,
                   "scheduler")
    schedule.refresh(ticket, policy, now)
    return [
        _event("reminder", ticket, f"reminder:{ticket.id}:{number}:{since.isoformat()}",
               number=number, last=number == len(policy.schedule.waiting_reminders),
               close_at=ladder[-1][0].isoformat() if ladder[-1][1] == "auto_close" else None)
    ]


def _close(session: Session, policy: DeskPolicy, ticket: Ticket, now: datetime) -> list[Event]:
    since = ticket.status_changed_at
    events = lifecycle.set_status(
        session, policy, ticket, policy.closed_status.key, now,
        reason="resolved with no reply from the requester", actor="scheduler",
    )
    return [*events, _event("closed", ticket, f"closed:{ticket.id}:{since.isoformat()}")]


def _resume(session: Session, policy: DeskPolicy, ticket: Ticket, now: datetime) -> list[Event]:
    status = policy.status(ticket.status)
    since = ticket.status_changed_at
    resume_on = status.resume_on if status is not None else None
    why = "the date set has come" if resume_on == "due_date" else "the site visit day has come"
    label = status.label if status is not None else ticket.status
    if resume_on == "due_date":
        ticket.due_date = None  # reached: a later wait needs a new date
    events = lifecycle.set_status(
        session, policy, ticket, policy.working_status, now, reason=why, actor="scheduler"
    )
    return [
        *events,
        _event("date_reached", ticket, f"date_reached:{ticket.id}:{since.isoformat()}",
               reason=why, waited_in=label),
    ]


def _sla(kind: str):  # type: ignore[no-untyped-def]
    target, _, what = kind.partition("_")

    def act(session: Session, policy: DeskPolicy, ticket: Ticket, now: datetime) -> list[Event]:
        due = ticket.response_due_at if target == "response" else ticket.resolution_due_at
        assert due is not None  # `schedule.refresh` names an SLA action only for a due time
        # Keyed on the due time: a target that moves (priority, reopen) is announced once more.
        mark = schedule.sla_mark(kind, due)
        ticket.sla_notified = [*(ticket.sla_notified or []), mark]
        if what == "warning":
            ticket.sla_warned = True
        else:
            ticket.sla_breached = True
        late = what == "warning" and now >= due  # the sweep came after the due time
        detail = f"{target} target {what}" + (" (no mail: the breach says it)" if late else "")
        history.record(session, ticket, "sla", detail, now, "scheduler")
        schedule.refresh(ticket, policy, now)
        if late:
            return []
        return [
            _event(f"sla_{what}", ticket, f"sla:{ticket.id}:{mark}", target=target,
                   due=due.isoformat())
        ]

    return act


def _stale(session: Session, policy: DeskPolicy, ticket: Ticket, now: datetime) -> list[Event]:
    quiet_since = ticket.updated_at
    history.record(session, ticket, "stale", "no update: the assignee was reminded", now,
                   "scheduler")
    lifecycle.touched(ticket, policy, now)  # the next reminder after another quiet spell
    return [
        _event("stale", ticket, f"stale:{ticket.id}:{quiet_since.isoformat()}",
               quiet_since=quiet_since.isoformat())
    ]


ACTIONS = {
    "reminder": _waiting,
    "auto_close": _waiting,
    "close": _close,
    "resume": _resume,
    "stale": _stale,
    **{kind: _sla(kind) for kind in (
        "response_warning", "response_breach", "resolution_warning", "resolution_breach"
    )},
}
