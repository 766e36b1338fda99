"""The acknowledgement of a new ticket: its reference, status and the details we read."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from notify.compose import ticket_subject
from notify.details import on_ticket as details_on_ticket
from notify.queue import Notifier, queue_mail, ticket_and_requester
from tickets.events import Event
from tickets.models import Outbox


def acknowledgement(
    session: Session, notifier: Notifier, event: Event, now: datetime
) -> list[Outbox]:
    ticket, requester = ticket_and_requester(session, event)
    previous = event.data.get("follows_closed", "")  # a reply to a closed ticket opened this one
    row = queue_mail(
        session, notifier, now,
        kind="linked_ticket" if previous else "acknowledgement",
        dedup_key=f"{event.key}:acknowledgement",
        ticket=ticket,
        to=[requester.email],
        context={
            "requester": requester,
            "status": notifier.policy.status(ticket.status),
            "previous": previous,
            "skipped_attachments": event.data.get("skipped_attachments", []),
            "details_shown": details_on_ticket(session, ticket, requester),
        },
        subject=ticket_subject(ticket, notifier.policy),
        in_reply_to=event.data.get("in_reply_to", ""),
    )
    return [row] if row else []
