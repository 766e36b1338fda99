"""The one mail to staff when a sender passes `[intake] sender_request_limit` (a flood)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from notify.compose import ticket_subject
from notify.queue import Notifier, queue_mail
from tickets.events import Event
from tickets.models import Outbox, Ticket


def staff_to_tell(notifier: Notifier) -> list[str]:
    """The escalation and `[admin]` addresses; without either, the desk's staff."""
    found = [a.lower() for a in (notifier.policy.schedule.escalation_address, notifier.admin) if a]
    return list(dict.fromkeys(found or notifier.policy.desk.staff))


def sender_rate_limited(
    session: Session, notifier: Notifier, event: Event, now: datetime
) -> list[Outbox]:
    recipients = staff_to_tell(notifier)
    if not recipients:
        return []
    ticket = session.get(Ticket, event.ticket_id) if event.ticket_id is not None else None
    subject = f"Rate limited: {event.data['sender']} sent {event.data['count']} requests"
    row = queue_mail(
        session, notifier, now,
        kind="sender_rate_limited",
        dedup_key=f"{event.key}:sender_rate_limited",
        ticket=ticket,
        to=recipients[:1],
        cc=recipients[1:],
        context={"data": event.data},
        subject=ticket_subject(ticket, notifier.policy, subject) if ticket else subject,
        auto_submitted="auto-generated",
        internal_copy=True,
    )
    return [row] if row else []
