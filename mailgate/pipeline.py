"""Run stored messages through parse → ticket rules → outbox, one transaction per message."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

import tickets.pipeline
from mailgate.config import Config
from notify.outbox import Notifier, enqueue
from parsing import parse_message
from tickets.models import InboundMessage
from tickets.pipeline import Intake

log = logging.getLogger("mailgate.pipeline")


def notifier_for(config: Config) -> Notifier:
    return Notifier(policy=config, templates_dir=config.templates_dir)


# Two daemons may create the same contact or company at the same instant; the loser's
# transaction fails on the unique constraint and simply runs again, then finding the row.
CONFLICT_RETRIES = 3


def process(engine: Engine, config: Config, inbound_id: int, now: datetime) -> str:
    """Process one stored message; returns its final state. A failure quarantines, never drops."""
    for attempt in range(1, CONFLICT_RETRIES + 1):
        try:
            return _process_once(engine, config, inbound_id, now)
        except (IntegrityError, OperationalError) as exc:
            if attempt == CONFLICT_RETRIES:
                return _failed(engine, inbound_id, exc, now)
            log.info("message %s: conflict with a concurrent transaction, retrying", inbound_id)
        except Exception as exc:
            return _failed(engine, inbound_id, exc, now)
    raise AssertionError("unreachable")


def _failed(engine: Engine, inbound_id: int, exc: Exception, now: datetime) -> str:
    log.error("message %s could not be processed; quarantined", inbound_id, exc_info=exc)
    return quarantine(engine, inbound_id, f"pipeline error: {type(exc).__name__}: {exc}", now)


def _process_once(engine: Engine, config: Config, inbound_id: int, now: datetime) -> str:
    # expire_on_commit=False: nothing is read back after the commit, so don't reload it
    with Session(engine, expire_on_commit=False) as session:
        query = select(InboundMessage).where(
            InboundMessage.id == inbound_id, InboundMessage.state == "received"
        )
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        inbound = session.exec(query).first()
        if inbound is None:
            return "skipped"  # already processed, or another daemon has it
        parsed = parse_message(
            inbound.raw, max_attachment_bytes=config.intake.max_attachment_bytes
        )
        intake = tickets.pipeline.run(
            Intake(session=session, policy=config, inbound=inbound, parsed=parsed, now=now)
        )
        enqueue(session, notifier_for(config), intake.events, now)
        inbound.attempts += 1
        inbound.state = intake.final_state or "done"
        inbound.reason = intake.final_reason
        inbound.decisions = intake.decisions
        inbound.processed_at = now
        session.commit()
        log.info("message %s: %s %s", inbound_id, inbound.state, inbound.reason)
        return inbound.state


def quarantine(engine: Engine, inbound_id: int, reason: str, now: datetime) -> str:
    with Session(engine) as session:
        inbound = session.get(InboundMessage, inbound_id)
        if inbound is None:
            return "missing"
        inbound.state = "quarantined"
        inbound.reason = reason[:2000]
        inbound.processed_at = now
        session.commit()
    return "quarantined"


def pending_ids(engine: Engine, limit: int) -> list[int]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(InboundMessage.id)
                .where(InboundMessage.state == "received")
                .order_by(InboundMessage.id)  # type: ignore[arg-type]
                .limit(limit)
            ).all()
        )  # type: ignore[arg-type]


def process_pending(engine: Engine, config: Config, now: datetime, limit: int = 100) -> int:
    """Process stored messages in arrival order; returns how many were handled."""
    handled = 0
    for inbound_id in pending_ids(engine, limit):
        if process(engine, config, inbound_id, now) != "skipped":
            handled += 1
    return handled
