"""Process waiting messages many to a transaction, each in its own savepoint (issue 10).

A commit is the dearest thing the pipeline does on both databases (a sync to disk, a round
trip), so the messages of one pass share transactions. Each message runs in a savepoint: one
that fails is rolled back alone and then goes through `pipeline.process` on its own, which
quarantines it with its reason or defers it exactly as before, so one bad message never
poisons its batch. Parsing, pure and the slow part, is done before the transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from mailgate import chunks, observe
from mailgate.config import Config
from mailgate.observe import Processed
from mailgate.parsers import ParsedStream, Waiting, with_raws
from mailgate.pipeline import DEFERRED, SKIPPED, UNAVAILABLE, process, run_stages
from tickets.models import InboundMessage

log = logging.getLogger("mailgate.pipeline")

# How long one transaction may go on taking messages. SQLite has one writer: the SMTP door
# waits for the pipeline's transaction before it can store and answer 250, so it stays short
# there. PostgreSQL's door does not wait for it.
TRANSACTION_SECONDS = {"sqlite": 0.05}
DEFAULT_TRANSACTION_SECONDS = 0.5
# Messages' bytes are read this much at a time (a backlog of 25 MB mails must not be read into
# memory a hundred at a time); a larger message is read alone.
PASS_BYTES = 16 * 1024 * 1024


def process_pending(engine: Engine, config: Config, now: datetime, limit: int = 100) -> int:
    """Process stored messages in arrival order; returns how many were handled (a message the
    database could not take now is not counted: it waits for the next pass)."""
    return process_waiting(engine, config, _waiting(engine, limit), now)


def process_waiting(
    engine: Engine, config: Config, waiting: Iterable[Waiting], now: datetime
) -> int:
    """Process these stored messages (those already handled elsewhere are skipped)."""
    handled = 0
    for state in process_states(engine, config, waiting, now).values():
        if state not in (SKIPPED, DEFERRED, UNAVAILABLE):
            handled += 1
    return handled


def process_states(
    engine: Engine, config: Config, waiting: Iterable[Waiting], now: datetime, *,
    hold_mail: bool = False,
) -> dict[int, str]:
    """Each message's final state (or SKIPPED, DEFERRED, UNAVAILABLE), by id. Each is processed
    at its `Waiting.at` when it has one, else at `now`; `hold_mail`: see `pipeline.process`."""
    states: dict[int, str] = {}
    budget = TRANSACTION_SECONDS.get(engine.dialect.name, DEFAULT_TRANSACTION_SECONDS)
    for part in chunks.by_bytes(waiting, _size, PASS_BYTES):
        try:
            loaded = with_raws(engine, part)
        except SQLAlchemyError as exc:  # the database went away: the next pass tries again
            log.warning("could not read waiting messages: %s", exc)
            break
        if not _process_part(engine, config, loaded, _Pass(now, budget, hold_mail), states):
            break  # the database cannot take a message now: the rest wait for the next pass
    return states


def _size(item: Waiting) -> int:
    return len(item.raw) if item.raw is not None else item.size


@dataclass(frozen=True, slots=True)
class _Pass:
    now: datetime
    budget: float
    hold_mail: bool
    times: dict[int, datetime] = field(default_factory=dict)  # Waiting.at, by id

    def at(self, inbound_id: int) -> datetime:
        return self.times.get(inbound_id, self.now)


def _process_part(
    engine: Engine, config: Config, waiting: list[Waiting], run: _Pass, states: dict[int, str],
) -> bool:
    """False when the database could not take a message because it cannot write anything now:
    the ones after it wait too (each would wait a busy timeout in turn, and a reply must not
    overtake its request)."""
    parsed = ParsedStream(config, waiting)
    run = replace(run, times={item.id: item.at for item in waiting if item.at is not None})
    while True:
        taken: list[int] = []
        try:
            done, failed = _one_transaction(engine, config, parsed, run, taken)
        except SQLAlchemyError as exc:
            # The transaction as a whole failed (database gone, locked): every message it
            # held goes the careful way, which defers or quarantines each with its reason.
            log.warning("a batch transaction failed, processing its messages one by one: %s",
                        exc)
            done, failed = {}, taken
        if not taken:
            return True
        states.update(done)
        # at once, before the messages after them: a reply must not overtake its request
        for inbound_id in failed:
            states[inbound_id] = process(engine, config, inbound_id, run.at(inbound_id),
                                         hold_mail=run.hold_mail)
            if states[inbound_id] == UNAVAILABLE:
                return False


def _one_transaction(
    engine: Engine, config: Config, parsed: ParsedStream, run: _Pass, taken: list[int],
) -> tuple[dict[int, str], list[int]]:
    """Take parsed messages until the budget is spent; commit once. Returns the states of the
    messages committed and the ids to process alone; `taken` lists every message taken."""
    done: dict[int, str] = {}
    failed: list[int] = []
    results: list[Processed] = []  # logged once committed
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        while taken == [] or parsed.ready():  # never wait for a worker holding the lock
            item = next(parsed, None)
            if item is None:
                break
            taken.append(item.id)
            if item.message is None:
                failed.append(item.id)  # `process` parses it again and quarantines it
                break  # …right after this transaction, in its turn
            else:
                inbound = _claim(session, engine, item.id)
                if inbound is None:
                    done[item.id] = SKIPPED
                else:
                    savepoint = session.begin_nested()
                    try:
                        result = run_stages(
                            session, config, inbound, item.message, run.at(item.id), item.read,
                            hold_mail=run.hold_mail,
                        )
                        session.flush()
                        savepoint.commit()
                    except Exception as exc:
                        savepoint.rollback()
                        log.info("message %s failed in its batch (%s); trying it alone",
                                 item.id, type(exc).__name__)
                        failed.append(item.id)
                        break  # commit the others, then it goes alone, in its turn
                    else:
                        done[item.id] = result.state
                        results.append(result)
            if time.perf_counter() - started >= run.budget:
                break
        session.commit()
    for result in results:
        observe.processed(result, run.at(result.inbound_id))
    return done, failed


def _claim(session: Session, engine: Engine, inbound_id: int) -> InboundMessage | None:
    """The message, locked on PostgreSQL (another daemon's claim is skipped), if it still
    waits. Session.get: its statement is built once and cached, unlike a select per message."""
    inbound = session.get(
        InboundMessage, inbound_id,
        options=[defer(InboundMessage.raw)],  # type: ignore[arg-type]
        populate_existing=True,  # the row as the lock found it, never the identity map's
        with_for_update={"skip_locked": True} if engine.dialect.name == "postgresql" else None,
    )
    return inbound if inbound is not None and inbound.state == "received" else None


def _waiting(engine: Engine, limit: int) -> list[Waiting]:
    """Up to `limit` waiting messages in arrival order, with their sizes, and the bytes of the
    first PASS_BYTES of them (the rest are read a part at a time)."""
    with Session(engine) as session:
        rows = session.exec(
            select(InboundMessage.id, InboundMessage.size)
            .where(InboundMessage.state == "received")
            .order_by(InboundMessage.id)  # type: ignore[arg-type]
            .limit(limit)
        ).all()
        first = next(chunks.by_bytes([Waiting(i, None, size) for i, size in rows], _size,
                                     PASS_BYTES), [])
        raws = dict(session.exec(
            select(InboundMessage.id, InboundMessage.raw).where(
                InboundMessage.id.in_([item.id for item in first])  # type: ignore[union-attr]
            )
        ).all()) if first else {}
    return [Waiting(inbound_id, raws.get(inbound_id), size) for inbound_id, size in rows]
