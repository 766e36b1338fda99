"""Claim tickets whose `next_action_at` has come and apply their actions.

One indexed query (`ix_ticket_due` on `next_action_at`) finds them. On PostgreSQL the rows are
claimed with `FOR UPDATE SKIP LOCKED`, so several daemons share the work without waiting on
each other; on SQLite the write transaction begins with BEGIN IMMEDIATE (`mailgate.db`), which
serialises sweeps. The actions, their history and their mail (outbox rows with unique keys) are
committed together, so a crash sends nothing and loses nothing, and a second sweep finds the
ticket already moved on.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from mailgate import observe
from mailgate.config import Config
from mailgate.pipeline import notifier_for
from notify.outbox import enqueue
from tickets import schedule
from tickets.due import run_due
from tickets.models import Ticket

log = logging.getLogger("mailgate.due")

BATCH = 200


def due_query(
    dialect: str, now: datetime, limit: int, exclude: Collection[int] = ()
) -> SelectOfScalar[int]:
    """The claim: ids of due tickets, earliest first, locked (PostgreSQL) so that another
    daemon's sweep skips them."""
    query = select(Ticket.id).where(Ticket.next_action_at <= now)  # type: ignore[operator]
    if exclude:
        query = query.where(col(Ticket.id).not_in(exclude))
    query = query.order_by(Ticket.next_action_at).limit(limit)  # type: ignore[arg-type]
    if dialect == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return query  # type: ignore[return-value]


def claim(session: Session, dialect: str, now: datetime, limit: int,
          exclude: Collection[int] = ()) -> list[Ticket]:
    """Claim up to `limit` due tickets in the session's transaction and load them."""
    ids = list(session.exec(due_query(dialect, now, limit, exclude)).all())
    if not ids:
        return []
    order = {ticket_id: n for n, ticket_id in enumerate(ids)}
    tickets = session.exec(select(Ticket).where(col(Ticket.id).in_(ids))).all()
    return sorted(tickets, key=lambda t: order[t.id])  # type: ignore[index]


def run_due_tickets(engine: Engine, config: Config, now: datetime, batch: int = BATCH) -> int:
    """Apply the due actions of every ticket due at `now`; returns how many tickets acted."""
    notifier = notifier_for(config)
    done: set[int] = set()  # tried in this sweep, even if it failed: never twice in one sweep
    acted = 0
    while True:
        with Session(engine) as session:
            tickets = claim(session, engine.dialect.name, now, batch, done)
            if not tickets:
                return acted
            breaches: list[tuple[int, str, str]] = []  # told once committed
            for ticket in tickets:
                assert ticket.id is not None
                done.add(ticket.id)
                try:
                    with session.begin_nested():
                        events = run_due(session, config, ticket, now)
                        enqueue(session, notifier, events, now)
                        schedule.refresh(ticket, config, now)  # its mail updated the ticket
                    acted += 1
                except Exception:
                    log.exception("ticket %s: due action failed; will try again", ticket.id)
                    continue
                breaches += [(ticket.id, ticket.reference, str(event.data.get("target", "")))
                             for event in events if event.kind == "sla_breach"]
            session.commit()
        for ticket_id, reference, target in breaches:
            observe.sla_breached(ticket_id, reference, target)
