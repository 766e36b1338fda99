"""The sweep's part for held requests: expire those nobody answered, with a final notice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from mailgate.config import Config
from mailgate.pipeline import notifier_for
from notify.outbox import enqueue
from tickets.pending import expire_due


def expire_pending(engine: Engine, config: Config, now: datetime) -> int:
    """Expire waiting requests past `[intake] pending_expiry_hours`; returns how many."""
    with Session(engine) as session:
        events = expire_due(session, now)
        if not events:
            return 0
        enqueue(session, notifier_for(config), events, now)
        session.commit()
        return len(events)
