"""Run one stored message through parse → ticket rules → outbox in a transaction of its own, with
every failure handled (mailgate.batches runs many to a transaction and falls back on this)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import defer
from sqlmodel import Session, select

import tickets.pipeline
from mailgate import observe
from mailgate.config import Config
from mailgate.db import database_unavailable
from mailgate.errors import one_line
from mailgate.observe import Processed
from notify.outbox import Notifier, enqueue
from parsing import ParsedMessage, parse_message
from parsing.details import Details
from tickets.models import InboundMessage, Outbox, Ticket
from tickets.pipeline import Intake

log = logging.getLogger("mailgate.pipeline")

# Two daemons may create the same contact or company at the same instant; the loser's
# transaction fails on the unique constraint and simply runs again, then finding the row.
CONFLICT_RETRIES = 3
DEFERRED = "deferred"  # the database failed us; the message stays stored for the next pass
# …because it cannot write anything now (down, locked, full): the messages after it would fail
# the same way, so the pass stops here (mailgate.batches)
UNAVAILABLE = "deferred: the database is unavailable"
# A database that answers but keeps refusing one message's transaction (a value it cannot take,
# a statement too large) would otherwise defer that message, and block the queue behind it, for
# ever; after this many such passes it is quarantined with the database's reason.
MAX_DEFERRALS = 5
SKIPPED = "skipped"  # already processed, or another daemon has it
SUPPRESSED = "suppressed"  # an outbox row the sender leaves alone: mail from the past (import)


def notifier_for(config: Config) -> Notifier:
    return Notifier(policy=config, templates_dir=config.templates_dir,
                    admin=config.admin.address)


def process(
    engine: Engine, config: Config, inbound_id: int, now: datetime, *, hold_mail: bool = False
) -> str:
    """Process one stored message; returns its final state. A failure quarantines, never drops.
    `hold_mail`: the mail it causes is kept in the outbox as `suppressed`, never sent (import)."""
    for attempt in range(1, CONFLICT_RETRIES + 1):
        try:
            return _process_once(engine, config, inbound_id, now, hold_mail)
        except IntegrityError as exc:
            if attempt == CONFLICT_RETRIES:
                return _failed(engine, inbound_id, exc, now)
            log.info("message %s: conflict with a concurrent transaction, retrying", inbound_id)
        except DBAPIError as exc:
            # locked, disconnected, restarting, disk full: not the message's fault, so not
            # quarantine…
            if database_unavailable(exc) or not _database_answers(engine):
                log.warning("message %s: database unavailable, will try again: %s",
                            inbound_id, one_line(exc))
                return UNAVAILABLE
            if not isinstance(exc, OperationalError):
                return _failed(engine, inbound_id, exc, now)
            # …unless the database is fine and refuses this message again and again
            deferrals = _count_deferral(engine, inbound_id)
            if deferrals >= MAX_DEFERRALS:
                return _failed(engine, inbound_id, exc, now,
                               f"the database refused it {deferrals} times")
            log.warning("message %s: the database refused it (%s of %s), will try again: %s",
                        inbound_id, deferrals, MAX_DEFERRALS, exc)
            return DEFERRED
        except PoolTimeout as exc:  # no connection to be had now: not the message's fault
            log.warning("message %s: no database connection free, will try again: %s",
                        inbound_id, one_line(exc))
            return UNAVAILABLE
        except Exception as exc:
            return _failed(engine, inbound_id, exc, now)
    raise AssertionError("unreachable")


def _failed(
    engine: Engine, inbound_id: int, exc: Exception, now: datetime, why: str = "pipeline error"
) -> str:
    log.error("message %s could not be processed; quarantined", inbound_id, exc_info=exc)
    return quarantine(engine, inbound_id, f"{why}: {one_line(exc)}", now)


def _database_answers(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def _count_deferral(engine: Engine, inbound_id: int) -> int:
    """One more pass the database refused this message; how many so far (`attempts` counts the
    passes of a message still waiting, and `quarantine retry` starts it again from zero)."""
    try:
        with Session(engine) as session:
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.id == inbound_id)  # type: ignore[arg-type]
                .values(attempts=InboundMessage.attempts + 1)
            )
            session.commit()
            return session.exec(
                select(InboundMessage.attempts).where(InboundMessage.id == inbound_id)
            ).one()
    except SQLAlchemyError:
        return 0  # the database went away after all: this pass does not count


def _waiting_raw(engine: Engine, inbound_id: int) -> bytes | None:
    with Session(engine) as session:
        return session.exec(
            select(InboundMessage.raw).where(
                InboundMessage.id == inbound_id, InboundMessage.state == "received"
            )
        ).first()


def _process_once(
    engine: Engine, config: Config, inbound_id: int, now: datetime, hold_mail: bool
) -> str:
    raw = _waiting_raw(engine, inbound_id)
    if raw is None:
        return SKIPPED
    # Parsing is the slow part; doing it before the write transaction keeps SQLite's single
    # writer lock short, so the SMTP door is not kept waiting behind it.
    parsed = parse_message(raw, max_attachment_bytes=config.intake.max_attachment_bytes)
    # expire_on_commit=False: nothing is read back after the commit, so don't reload it
    with Session(engine, expire_on_commit=False) as session:
        query = (
            select(InboundMessage)
            .options(defer(InboundMessage.raw))  # type: ignore[arg-type]
            .where(InboundMessage.id == inbound_id, InboundMessage.state == "received")
        )
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        inbound = session.exec(query).first()
        if inbound is None:
            return SKIPPED
        result = run_stages(session, config, inbound, parsed, now, hold_mail=hold_mail)
        session.commit()
    observe.processed(result, now)
    return result.state


def run_stages(
    session: Session, config: Config, inbound: InboundMessage, parsed: ParsedMessage,
    now: datetime, read: Details | None = None, *, hold_mail: bool = False,
) -> Processed:
    """Run one claimed message through the stages in `session`; its final state and why.
    `read`: the four details as the mail gives them, when a parsing worker read them."""
    intake = tickets.pipeline.run(Intake(
        session=session, policy=config, inbound=inbound, parsed=parsed, now=now, read_ahead=read,
    ))
    rows = enqueue(session, notifier_for(config), intake.events, now)
    if hold_mail:
        suppress(rows)
    if intake.final_state:
        state, reason = intake.final_state, intake.final_reason
    else:  # every stored message ends somewhere with a reason, never silently 'done'
        state = "quarantined"
        reason = f"no rule placed this message (outcome {intake.outcome or 'none'})"
    inbound.attempts += 1
    inbound.state, inbound.reason = state, reason
    inbound.decisions = intake.decisions
    inbound.processed_at = now
    ticket = intake.ticket or (
        session.get(Ticket, inbound.ticket_id) if inbound.ticket_id is not None else None)
    # the held request this mail answered, or the one it made (its info_request event says)
    pending_id = intake.pending.id if intake.pending is not None else next(
        (event.data["pending_id"] for event in intake.events if "pending_id" in event.data),
        None)
    assert inbound.id is not None
    return Processed(
        inbound_id=inbound.id, message_id=inbound.message_id, received_at=inbound.received_at,
        state=state, reason=reason, outcome=intake.outcome,
        reference=ticket.reference if ticket is not None else "", pending_id=pending_id,
    )


def suppress(rows: list[Outbox]) -> None:
    """Keep these outgoing mails (the ticket's conversation shows them) but never send them."""
    for row in rows:
        row.state = SUPPRESSED


def quarantine(engine: Engine, inbound_id: int, reason: str, now: datetime) -> str:
    """Hold a message that is still waiting; one another daemon finished stays finished."""
    with Session(engine) as session:
        result = session.execute(
            update(InboundMessage)
            .where(InboundMessage.id == inbound_id, InboundMessage.state == "received")  # type: ignore[arg-type]
            .values(state="quarantined", reason=reason[:2000], processed_at=now)
        )
        session.commit()
        if not result.rowcount:  # type: ignore[attr-defined]
            return SKIPPED
        message_id, received_at = session.exec(
            select(InboundMessage.message_id, InboundMessage.received_at)
            .where(InboundMessage.id == inbound_id)
        ).one()
    observe.processed(Processed(inbound_id, message_id, received_at, "quarantined",
                                reason[:2000], outcome="error"), now)
    return "quarantined"
