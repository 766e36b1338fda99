"""Mail for a ticket's status: the requester is told when it is resolved.

Resolving starts the reopen window (Lourdes: "You will get an email to confirm all is fixed
after 72 hours"), so the requester learns it and how to reopen. When the technician's own answer
went to the requester from the same mail, that answer says so instead (`notify.replies`); other
status changes carry `notify=False` (`tickets.lifecycle.set_status`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from notify.compose import ticket_subject
from notify.queue import Notifier, queue_mail, ticket_and_requester
from tickets.events import Event
from tickets.models import Outbox


def resolved(session: Session, notifier: Notifier, event: Event, now: datetime) -> list[Outbox]:
    policy = notifier.policy
    status = policy.status(event.data.get("to", ""))
    if status is None or status.category != "resolved":
        return []
    ticket, requester = ticket_and_requester(session, event)
    row = queue_mail(
        session, notifier, now,
        kind="resolved",
        dedup_key=f"{event.key}:resolved",
        ticket=ticket,
        to=[requester.email],
        context={
            "requester": requester,
            "status": status,
            "window": str(policy.schedule.reopen_window),
        },
        subject=ticket_subject(ticket, policy),
        in_reply_to=ticket.last_customer_message_id,
        auto_submitted="auto-generated",  # RFC 3834 §5: the desk's own notice
    )
    return [row] if row else []
