"""The ticket's history: every change is recorded with who made it and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session

from tickets.models import HistoryEvent, Ticket


def record(
    session: Session, ticket: Ticket, kind: str, detail: str, now: datetime, actor: str = ""
) -> None:
    """Written at once with one INSERT, without the ORM's unit of work: history is never read
    back as objects in the transaction that writes it (the hot path, issue 10)."""
    assert ticket.id is not None
    session.connection().execute(
        insert(HistoryEvent.__table__),  # type: ignore[attr-defined]
        {"ticket_id": ticket.id, "at": now, "kind": kind, "actor": actor, "detail": detail},
    )
