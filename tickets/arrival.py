"""What happens to every new ticket: triage rules, then auto-assignment.

Triage: every `[[triage]]` rule with a keyword in the subject or description fires; the most
urgent priority among them wins, the first category, and any `confidential = true`. Every rule
that fired is kept on `Ticket.triage` and in the history.

Assignment (when `[[technicians]]` are configured): round-robin over the technicians on duty
now; if nobody is on duty, over those on duty at the next opening.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from tickets import history, lifecycle
from tickets.calendar import DAY_NAMES, parse_interval
from tickets.desk import DeskPolicy, Technician
from tickets.events import Event
from tickets.models import Ticket
from tickets.references import next_number

ROTA_COUNTER = "assignment"  # Counter row: how many tickets were auto-assigned


def on_new_ticket(
    session: Session, policy: DeskPolicy, ticket: Ticket, now: datetime, *, notify: bool = True
) -> list[Event]:
    events = triage(session, policy, ticket, now)
    technician = pick_technician(session, policy, now)
    if technician is not None and not ticket.assignee:
        events += lifecycle.assign(
            session, policy, ticket, technician.address, now,
            reason="round-robin among technicians on duty", actor="auto-assign", notify=notify,
        )
    return events


def triage(session: Session, policy: DeskPolicy, ticket: Ticket, now: datetime) -> list[Event]:
    rules = policy.triage_matches(f"{ticket.subject}\n{ticket.description}")
    if not rules:
        return []
    ticket.triage = [rule.name for rule in rules]
    effects = []
    for rule in rules:
        sets = [f"{name} {value}" for name, value in (
            ("priority", rule.priority), ("category", rule.category),
            ("confidential", rule.confidential),
        ) if value is not None]
        effects.append(f"{rule.name} ({', '.join(sets)})")
    history.record(session, ticket, "triage", "rules fired: " + "; ".join(effects), now, "triage")
    category = next((r.category for r in rules if r.category), None)
    if category:
        ticket.category = category
    if any(r.confidential for r in rules):
        ticket.confidential = True
    priorities = [r.priority for r in rules if r.priority is not None]
    if not priorities:
        lifecycle.touched(ticket, policy, now)
        return []
    priority = max(priorities, key=policy.priority_rank)
    names = ", ".join(r.name for r in rules if r.priority == priority)
    return lifecycle.set_priority(
        session, policy, ticket, priority, now, reason=f"triage: {names}", actor="triage"
    )


def roster(policy: DeskPolicy) -> tuple[Technician, ...]:
    """Who auto-assignment picks from: `[[technicians]]` (none configured: no auto-assignment)."""
    return policy.technicians


def on_duty(policy: DeskPolicy, technician: Technician, at: datetime) -> bool:
    calendar = policy.calendar()
    local = at.astimezone(calendar.tz)
    if DAY_NAMES[local.weekday()] not in technician.days or calendar.is_holiday(local.date()):
        return False
    if not technician.hours:
        return calendar.is_open(at)
    clock = local.time().replace(tzinfo=None)
    for text in technician.hours:
        start, end = parse_interval(text)
        if start <= clock and (clock < end or end.hour == end.minute == 0):
            return True
    return False


def pick_technician(session: Session, policy: DeskPolicy, now: datetime) -> Technician | None:
    everyone = roster(policy)
    if not everyone:
        return None
    ready = [i for i, t in enumerate(everyone) if on_duty(policy, t, now)]
    if not ready:
        opening = policy.calendar().next_open(now)
        ready = [i for i, t in enumerate(everyone) if on_duty(policy, t, opening)]
    ready = ready or list(range(len(everyone)))
    turn = next_number(session, ROTA_COUNTER)
    return everyone[ready[(turn - 1) % len(ready)]]
