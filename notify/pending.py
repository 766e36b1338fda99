"""Mail about held requests: the one request for missing details, and the final notice."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from notify.details import supplied
from notify.queue import Notifier, queue_mail
from parsing.details import LABELS
from tickets.events import Event
from tickets.models import Outbox, PendingRequest


def _context(pending: PendingRequest, notifier: Notifier) -> dict[str, object]:
    return {
        "pending": pending,
        "missing": [LABELS.get(m, m) for m in pending.missing],
        "already_have": supplied(pending),  # read from their first mail, shown to be corrected
        "subject": pending.subject or "(no subject)",
        "expires_at": notifier.policy.local_time(pending.expires_at),
    }


def info_request(session: Session, notifier: Notifier, event: Event, now: datetime) -> list[Outbox]:
    pending = session.get(PendingRequest, event.data["pending_id"])
    assert pending is not None
    row = queue_mail(
        session, notifier, now,
        kind="info_request",
        dedup_key=f"{event.key}:mail",
        ticket=None,
        to=[pending.email],
        context=_context(pending, notifier),
        subject=f"Details needed: {' '.join((pending.subject or '(no subject)').split())}",
        in_reply_to=event.data.get("in_reply_to", ""),
    )
    if row is None:
        return []
    pending.message_id = row.message_id  # the answer names it in In-Reply-To
    return [row]


def info_request_expired(
    session: Session, notifier: Notifier, event: Event, now: datetime
) -> list[Outbox]:
    pending = session.get(PendingRequest, event.data["pending_id"])
    assert pending is not None
    row = queue_mail(
        session, notifier, now,
        kind="info_request_expired",
        dedup_key=f"{event.key}:mail",
        ticket=None,
        to=[pending.email],
        context=_context(pending, notifier),
        subject=f"Not logged: {' '.join((pending.subject or '(no subject)').split())}",
        in_reply_to=pending.message_id,
    )
    return [row] if row else []
