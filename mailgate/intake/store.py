"""The inbound store: every door ends here. Raw bytes are committed before anyone is told yes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from mailgate import observe
from mailgate.db import database_unavailable
from mailgate.errors import one_line
from mailgate.intake.impostor import impostor_key, impostor_reason
from parsing.fingerprint import dedup_key, message_id_of
from tickets.blobs import insert_with_blob
from tickets.models import InboundMessage


class StoreError(Exception):
    """The message could not be stored; the sender must be told to try again later.
    `unavailable`: the database itself failed (down, locked, full), not this message."""

    def __init__(self, message: str, unavailable: bool = False) -> None:
        super().__init__(message)
        self.unavailable = unavailable


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
    state: str = "received",
) -> Stored:
    """Store one message durably; the same message twice returns the first one's id."""
    key = dedup_key(raw)
    try:
        with Session(engine, expire_on_commit=False) as session:
            arrival = Arrival(raw, now, envelope_from, envelope_to, state)
            existing = session.exec(
                select(InboundMessage.id).where(InboundMessage.dedup_key == key)
            ).first()
            if existing is not None:
                impostors: list[tuple[int, str, str]] = []
                stored = _again(session, arrival, key, existing, source, {}, impostors)
                session.commit()
                _tell_impostors(source, impostors)
                return stored
            try:
                row_id, message_id = _insert(session, arrival, key, source)
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
    except Exception as exc:
        raise StoreError(one_line(exc), unavailable=database_unavailable(exc)) from exc
    observe.received(source, row_id, message_id, len(raw))
    return Stored(row_id, duplicate=False)


def _insert(
    session: Session, arrival: Arrival, key: str, source: str, quarantine_reason: str = ""
) -> tuple[int, str]:
    """One INSERT, without the ORM (the raw bytes written without copies: tickets.blobs);
    the row's id and the message's Message-ID. With `quarantine_reason` the row is stored
    quarantined, never processed."""
    raw = arrival.raw
    message_id = message_id_of(raw)
    row_id = insert_with_blob(session.connection(), InboundMessage.__table__, {  # type: ignore[attr-defined]
        "received_at": arrival.received_at, "source": source,
        "envelope_from": arrival.envelope_from,
        "envelope_to": [a.lower() for a in arrival.envelope_to],
        "message_id": message_id, "dedup_key": key,
        "sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw), "raw": raw,
        "state": "quarantined" if quarantine_reason else arrival.state,
        "reason": quarantine_reason, "decisions": [], "attempts": 0,
        "processed_at": arrival.received_at if quarantine_reason else None,
    }, "raw")
    return row_id, message_id


def _again(
    session: Session, arrival: Arrival, key: str, stored_id: int, source: str,
    ids: dict[str, int], impostors: list[tuple[int, str, str]],
) -> Stored:
    """A mail under a key already stored (as `stored_id`): a silent duplicate when it is the
    same mail arriving again; from another sender, recorded and quarantined (once per sender)."""
    reason = impostor_reason(session, stored_id, arrival.raw, arrival.envelope_from)
    if not reason:
        return Stored(stored_id, duplicate=True)
    own_key = impostor_key(key, arrival.raw, arrival.envelope_from)
    recorded = ids.get(own_key) or session.exec(
        select(InboundMessage.id).where(InboundMessage.dedup_key == own_key)
    ).first()
    if recorded is not None:
        return Stored(recorded, duplicate=True)
    ids[own_key], message_id = _insert(session, arrival, own_key, source, reason)
    impostors.append((ids[own_key], message_id, reason))
    return Stored(ids[own_key], duplicate=False)


def _tell_impostors(source: str, impostors: list[tuple[int, str, str]]) -> None:
    for row_id, message_id, reason in impostors:
        observe.quarantined_on_arrival(source, row_id, message_id, reason)


def store_left(
    engine: Engine,
    header: bytes,
    *,
    source: str,
    now: datetime,
    size: int,
    reason: str,
    fallback_key: str,
) -> Stored:
    """Quarantine a message a door could not take whole (IMAP leaves it in the mailbox): its
    header, the size it has there and why. Stored again (a refetched folder), it is one row."""
    key = dedup_key(header) if header.strip() else hashlib.sha256(
        fallback_key.encode()).hexdigest()
    try:
        with Session(engine, expire_on_commit=False) as session:
            existing = session.exec(
                select(InboundMessage.id).where(InboundMessage.dedup_key == key)
            ).first()
            if existing is not None:
                return Stored(existing, duplicate=True)
            row = InboundMessage(
                received_at=now, source=source, message_id=message_id_of(header),
                dedup_key=key, sha256=hashlib.sha256(header).hexdigest(), size=size, raw=header,
                state="quarantined", reason=reason[:2000], processed_at=now,
            )
            session.add(row)
            session.commit()
            assert row.id is not None
            row_id, message_id = row.id, row.message_id
    except Exception as exc:
        raise StoreError(one_line(exc)) from exc
    observe.left_in_mailbox(source, row_id, message_id, reason)
    return Stored(row_id, duplicate=False)


@dataclass(frozen=True, slots=True)
class Arrival:
    """One message a door received, with its envelope, to be stored."""

    raw: bytes
    received_at: datetime
    envelope_from: str = ""
    envelope_to: Sequence[str] = ()
    # "received" waits for the pipeline; `mailgate import` stores "importing", which only it
    # processes (mailgate.backfill), so a running daemon never takes old mail for new
    state: str = "received"


def store_many(
    engine: Engine,
    raws: Sequence[bytes],
    *,
    source: str,
    now: datetime,
    envelope_from: str = "",
    envelope_to: Sequence[str] = (),
    received: Sequence[datetime] | None = None,
) -> list[Stored]:
    """Store a batch in one transaction (group commit), with the same dedup as `store_raw`.

    For a door that acknowledges the whole batch only after this returns (IMAP, ingest).
    `received`: each message's arrival time when they differ (default `now` for all).
    """
    times = list(received) if received is not None else [now] * len(raws)
    return store_arrivals(engine, [
        Arrival(raw, at, envelope_from, envelope_to)
        for raw, at in zip(raws, times, strict=True)
    ], source=source)


def store_arrivals(engine: Engine, arrivals: Sequence[Arrival], *, source: str) -> list[Stored]:
    """Store messages in one transaction, each with its own envelope; what `store_many` does."""
    keys = [dedup_key(arrival.raw) for arrival in arrivals]
    try:
        with Session(engine, expire_on_commit=False) as session:
            known = dict(
                session.exec(
                    select(InboundMessage.dedup_key, InboundMessage.id).where(
                        InboundMessage.dedup_key.in_(set(keys))  # type: ignore[attr-defined]
                    )
                ).all()
            )
            ids: dict[str, int] = {}
            inserted: list[tuple[int, str, int]] = []  # id, Message-ID, size
            impostors: list[tuple[int, str, str]] = []  # id, Message-ID, reason
            results: list[Stored] = []
            for arrival, key in zip(arrivals, keys, strict=True):
                stored_id = known.get(key) or ids.get(key)
                if stored_id is not None:
                    results.append(
                        _again(session, arrival, key, stored_id, source, ids, impostors)
                    )
                    continue
                ids[key], message_id = _insert(session, arrival, key, source)
                inserted.append((ids[key], message_id, len(arrival.raw)))
                results.append(Stored(ids[key], duplicate=False))
            session.commit()
    except IntegrityError:
        # another door stored one of these a moment ago: fall back to one at a time
        return [
            store_raw(engine, arrival.raw, source=source, now=arrival.received_at,
                      envelope_from=arrival.envelope_from, envelope_to=arrival.envelope_to,
                      state=arrival.state)
            for arrival in arrivals
        ]
    except OperationalError as exc:
        raise StoreError(one_line(exc), unavailable=True) from exc
    except Exception as exc:
        raise StoreError(one_line(exc), unavailable=database_unavailable(exc)) from exc
    for row_id, message_id, size in inserted:
        observe.received(source, row_id, message_id, size)
    _tell_impostors(source, impostors)
    return results
