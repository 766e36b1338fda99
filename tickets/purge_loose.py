"""Retention for stored mail that is on no ticket: screened (auto-replies, bounces, lists),
quarantined, and requests held for details that expired unanswered.

Nothing of it is kept for a ticket's sake, so it goes whole at the first period that passes
(`raw_mail_days` or `personal_details_days`, desk-wide: a company is known by its tickets),
counted from when it was screened or quarantined, or from when the held request expired: the
raw mail, the envelope and the decision log are removed, the row is left as `purged` with the
date (so a message arriving again is still known as a duplicate), the held request is deleted
and the questions mailed about it lose their copies and addresses.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlmodel import Session

from tickets.models import PendingRequest
from tickets.retention import Retention
from tickets.scrub import inbound_t, outbox_t

PURGED = "purged"
LOOSE_STATES = ("screened", "quarantined", "held")


def purge_loose_mail(session: Session, retention: Retention, now: datetime) -> int:
    """How many stored mails on no ticket were removed."""
    days = [d for d in (retention.raw_mail_days, retention.personal_details_days) if d is not None]
    if not days:
        return 0
    before = now - timedelta(days=min(days))
    expired = select(PendingRequest.inbound_id).where(  # type: ignore[call-overload]
        PendingRequest.state == "expired", PendingRequest.ticket_id.is_(None),  # type: ignore[union-attr]
        PendingRequest.expires_at <= before,
    )
    ids = session.execute(
        select(inbound_t.c.id).where(
            inbound_t.c.ticket_id.is_(None),
            or_(
                and_(inbound_t.c.state.in_(("screened", "quarantined")),
                     inbound_t.c.processed_at <= before),
                and_(inbound_t.c.state == "held", inbound_t.c.id.in_(expired)),
            ),
        )
    ).scalars().all()
    if not ids:
        return 0
    session.execute(
        update(inbound_t).where(inbound_t.c.id.in_(ids)).values(
            raw=b"", envelope_from="", envelope_to=[], decisions=[], state=PURGED,
            reason=f"removed {now:%Y-%m-%d} under [retention]",
        )
    )
    pending = session.execute(
        select(PendingRequest.id).where(PendingRequest.inbound_id.in_(ids))  # type: ignore[call-overload, attr-defined]
    ).scalars().all()
    keys = [f"{kind}:{pending_id}" for pending_id in pending
            for kind in ("info_request", "info_request_expired")]
    if keys:
        session.execute(
            update(outbox_t).where(_keyed(keys))
            .values(raw=b"", to_addr="", recipients=[], subject="", last_error="")
        )
        session.execute(delete(PendingRequest).where(PendingRequest.id.in_(pending)))  # type: ignore[attr-defined]
    return len(ids)


def _keyed(keys: list[str]) -> ColumnElement[bool]:
    """Outbox rows of these events: their dedup key is the event's key and the mail's kind."""
    return or_(*(outbox_t.c.dedup_key.startswith(f"{key}:", autoescape=True) for key in keys))
