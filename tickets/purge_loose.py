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

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlmodel import Session

from tickets.models import PendingRequest
from tickets.retention import Retention
from tickets.scrub import inbound_t, outbox_t

PURGED = "purged"
CHUNK = 500  # ids per statement: SQLite takes at most 32,766 parameters


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
    for start in range(0, len(ids), CHUNK):
        _purge(session, ids[start:start + CHUNK], now)
    return len(ids)


def _purge(session: Session, ids: Sequence[int], now: datetime) -> None:
    session.execute(
        update(inbound_t).where(inbound_t.c.id.in_(ids)).values(
            raw=b"", envelope_from="", envelope_to=[], decisions=[], state=PURGED,
            reason=f"removed {now:%Y-%m-%d} under [retention]",
        )
    )
    pending = session.execute(
        select(PendingRequest.id).where(PendingRequest.inbound_id.in_(ids))  # type: ignore[call-overload, attr-defined]
    ).scalars().all()
    if not pending:
        return
    # the questions mailed about a held request (notify/pending.py keys them so)
    keys = [f"{kind}:{pending_id}:mail" for pending_id in pending
            for kind in ("info_request", "info_request_expired")]
    # and the staff alert about a flooding sender whose requests were all held
    # (tickets/pipeline/rate_limit.py keys it by the held request, notify/rate_limit.py so)
    keys += [f"sender_rate_limited:held:{pending_id}:sender_rate_limited"
             for pending_id in pending]
    session.execute(
        update(outbox_t).where(outbox_t.c.dedup_key.in_(keys))
        .values(raw=b"", to_addr="", recipients=[], subject="", last_error="")
    )
    session.execute(delete(PendingRequest).where(PendingRequest.id.in_(pending)))  # type: ignore[attr-defined]
