"""The inbound store: every door ends here. Raw bytes are committed before anyone is told yes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from parsing.fingerprint import dedup_key, message_id_of
from tickets.models import InboundMessage


class StoreError(Exception):
    """The message could not be stored; the sender must be told to try again later."""


@dataclass(frozen=True, slots=True)
class Stored:
    id: int
    duplicate: bool


def store_raw(
    engine: Engine,
    raw: bytes,
    *,
    source: str,
    now: datetime,
    envelope_from: str = "",
    envelope_to: Sequence[str] = (),
) -> Stored:
    """Store one message durably; the same message twice returns the first one's id."""
    key = dedup_key(raw)
    try:
        with Session(engine) as session:
            existing = session.exec(
                select(InboundMessage.id).where(InboundMessage.dedup_key == key)
            ).first()
            if existing is not None:
                return Stored(existing, duplicate=True)
            row = InboundMessage(
                received_at=now,
                source=source,
                envelope_from=envelope_from,
                envelope_to=[a.lower() for a in envelope_to],
                message_id=message_id_of(raw),
                dedup_key=key,
                sha256=hashlib.sha256(raw).hexdigest(),
                size=len(raw),
                raw=raw,
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                # another door stored the same message a moment ago
                session.rollback()
                winner = session.exec(
                    select(InboundMessage.id).where(InboundMessage.dedup_key == key)
                ).first()
                if winner is None:
                    raise
                return Stored(winner, duplicate=True)
            assert row.id is not None
            return Stored(row.id, duplicate=False)
    except Exception as exc:
        raise StoreError(f"{type(exc).__name__}: {exc}") from exc
