"""Events → outbox rows, in the caller's transaction. Only the sender talks to SMTP.

`HANDLERS` below is the one table of which event kind gets which mail: a new kind of event
gets its line here, and its handler a function in the module for its subject (none of them
registers itself on import).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from notify import acknowledgement, pending, rate_limit, replies, scheduled, status
from notify.queue import Handler, Notifier, queue_mail, ticket_and_requester
from tickets.events import Event
from tickets.models import Outbox

__all__ = ["HANDLERS", "Notifier", "enqueue", "queue_mail", "ticket_and_requester"]

# event kind (and who raises it) → the handler that queues its mail
HANDLERS: dict[str, Handler] = {
    # tickets.pipeline: a new ticket; tickets.lifecycle: a status change (mail when resolved)
    "ticket_created": acknowledgement.acknowledgement,
    "status_changed": status.resolved,
    # tickets.pending: a request held for missing details, and its expiry
    "info_request": pending.info_request,
    "info_request_expired": pending.info_request_expired,
    # tickets.technicians and tickets.replies: mail between customer and technician
    "technician_replied": replies.technician_reply,
    "customer_replied": replies.customer_reply,
    "command_result": replies.command_result,
    "delivery_failed": replies.delivery_failed,
    # tickets.lifecycle and tickets.due (the clock): to the requester …
    "ticket_assigned": scheduled.to_requester("assigned"),
    "reminder": scheduled.to_requester("reminder"),
    "auto_closed": scheduled.to_requester("auto_closed"),
    "closed": scheduled.to_requester("closed"),
    # … and to staff
    "date_reached": scheduled.to_staff("date_reached"),
    "sla_warning": scheduled.to_staff("sla_warning"),
    "sla_breach": scheduled.to_staff("sla_breach", escalate=True),
    "stale": scheduled.to_staff("stale"),
    # tickets.pipeline.rate_limit: a sender passed [intake] sender_request_limit (staff, once)
    "sender_rate_limited": rate_limit.sender_rate_limited,
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
