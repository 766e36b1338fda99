"""Ticket reference numbers: gapless, unique across daemons sharing one database."""

from __future__ import annotations

import re

from sqlalchemy import update
from sqlmodel import Session

from tickets.models import Counter


def next_number(session: Session, name: str = "ticket") -> int:
    """Increment and return a counter inside the caller's transaction (the row lock serialises)."""
    result = session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
        .returning(Counter.value)
    ).scalar_one_or_none()
    if result is None:
        session.add(Counter(name=name, value=1))
        session.flush()
        return 1
    return int(result)


def format_reference(prefix: str, number: int, digits: int) -> str:
    return f"{prefix}{number:0{digits}d}"


def reference_pattern(prefix: str) -> re.Pattern[str]:
    """Matches a reference such as INC0000123 inside text; group 1 is the reference."""
    return re.compile(rf"\b({re.escape(prefix)}\d{{3,12}})\b", re.IGNORECASE)
