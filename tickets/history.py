"""The ticket's history: every change is recorded with who made it and why."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from tickets.models import HistoryEvent, Ticket


def record(
    session: Session, ticket: Ticket, kind: str, detail: str, now: datetime, actor: str = ""
) -> None:
    assert ticket.id is not None
    session.add(HistoryEvent(ticket_id=ticket.id, at=now, kind=kind, actor=actor, detail=detail))
