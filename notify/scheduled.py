"""Mail for the clock's events: assignment, waiting reminders, closures, dates reached, SLA
warnings and breaches, stale tickets. Dispatched by the table in `notify.outbox`.

Requester mail goes in the ticket's public thread; mail to staff is kept as an internal copy.
All of it is `Auto-Submitted: auto-generated` (RFC 3834 §5), so it leaves with a null sender.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from notify.compose import ticket_subject
from notify.queue import Handler, Notifier, queue_mail
from tickets.arrival import roster
from tickets.events import Event
from tickets.models import Contact, Outbox, Ticket

STAFF_SUBJECTS = {
    "date_reached": "Back to work",
    "sla_warning": "SLA warning",
    "sla_breach": "SLA breached",
    "stale": "No update",
}


def technician_name(notifier: Notifier, address: str) -> str:
    for technician in roster(notifier.policy):
        if technician.address == address and technician.name:
            return technician.name
    return address


def staff_recipients(notifier: Notifier, ticket: Ticket, *, escalate: bool) -> list[str]:
    """The assignee (else the escalation address, else the desk's staff); `escalate` adds the
    escalation address."""
    schedule, desk = notifier.policy.schedule, notifier.policy.desk
    found = [ticket.assignee] if ticket.assignee else []
    if (escalate or not found) and schedule.escalation_address:
        found.append(schedule.escalation_address.lower())
    if not found:
        found = list(desk.staff)
    return list(dict.fromkeys(found))


def _context(
    session: Session, notifier: Notifier, ticket: Ticket, event: Event
) -> dict[str, Any]:
    policy = notifier.policy
    status = policy.status(ticket.status)
    priority = policy.priority(ticket.priority)
    return {
        "requester": session.get(Contact, ticket.requester_id),
        "status": status,
        "status_label": status.label if status else ticket.status,
        "priority_label": priority.label if priority else ticket.priority,
        "technician": technician_name(notifier, ticket.assignee) if ticket.assignee else "",
        "data": event.data,
        "due": _local(notifier, event.data.get("due")),
        "close_at": _local(notifier, event.data.get("close_at")),
        "quiet_since": _local(notifier, event.data.get("quiet_since")),
        # what a reply to a closed ticket does, so that the mail promises only that
        "reopens": policy.schedule.closed_reply == "reopen",
    }


def _local(notifier: Notifier, value: str | None) -> str:
    return notifier.policy.local_time(value) if value else ""


def to_requester(kind: str) -> Handler:
    def handler(
        session: Session, notifier: Notifier, event: Event, now: datetime
    ) -> list[Outbox]:
        ticket = session.get(Ticket, event.ticket_id)
        assert ticket is not None
        context = _context(session, notifier, ticket, event)
        requester = context["requester"]
        if requester is None:
            return []
        row = queue_mail(
            session, notifier, now,
            kind=kind,
            dedup_key=f"{event.key}:{kind}",
            ticket=ticket,
            to=[requester.email],
            context=context,
            subject=ticket_subject(ticket, notifier.policy),
            in_reply_to=ticket.last_customer_message_id,
            auto_submitted="auto-generated",
        )
        return [row] if row else []

    return handler


def to_staff(kind: str, *, escalate: bool = False) -> Handler:
    def handler(
        session: Session, notifier: Notifier, event: Event, now: datetime
    ) -> list[Outbox]:
        ticket = session.get(Ticket, event.ticket_id)
        assert ticket is not None
        recipients = staff_recipients(notifier, ticket, escalate=escalate)
        if not recipients:
            return []
        subject = f"{STAFF_SUBJECTS[kind]}: {' '.join(ticket.subject.split())}"
        row = queue_mail(
            session, notifier, now,
            kind=kind,
            dedup_key=f"{event.key}:{kind}",
            ticket=ticket,
            to=recipients[:1],
            cc=recipients[1:],
            context=_context(session, notifier, ticket, event),
            subject=ticket_subject(ticket, notifier.policy, subject),
            auto_submitted="auto-generated",
            internal_copy=True,
        )
        return [row] if row else []

    return handler
