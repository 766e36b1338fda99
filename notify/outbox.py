"""Events → outbox rows, in the caller's transaction. Each kind of event has its handler in a
module of its own; this one only dispatches. Only the sender talks to SMTP."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from notify import acknowledgement, pending, replies, scheduled, status
from notify.queue import Handler, Notifier, queue_mail, ticket_and_requester
from tickets.events import Event
from tickets.models import Outbox

__all__ = ["HANDLERS", "Notifier", "enqueue", "queue_mail", "ticket_and_requester"]

HANDLERS: dict[str, Handler] = {
    **acknowledgement.HANDLERS, **pending.HANDLERS, **replies.HANDLERS, **scheduled.HANDLERS,
    **status.HANDLERS,
}


def enqueue(
    session: Session, notifier: Notifier, events: Iterable[Event], now: datetime
) -> list[Outbox]:
    rows: list[Outbox] = []
    for event in events:
        handler = HANDLERS.get(event.kind)
        if handler is None or not event.notify:
            continue
        rows.extend(handler(session, notifier, event, now))
    return rows
