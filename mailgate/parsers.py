"""Parse waiting messages ahead of their transaction: in a worker process when many wait.

Parsing and reading the four details are pure and take about a tenth of a message's time;
in a worker they run on the other core, beside the transaction of the messages before them,
and leave the interpreter lock to the SMTP door (issue 10).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from mailgate.config import Config
from mailgate.errors import one_line
from parsing import ParsedMessage, parse_message
from parsing.details import Details, extract_details
from tickets.models import InboundMessage

log = logging.getLogger("mailgate.pipeline")

# A pass with fewer messages is parsed in this process: a worker's start (a new interpreter
# importing mailgate, about half a second) costs more than it would save.
PARALLEL_FROM = 16
# One core stays with the process that runs the transactions and the doors; more than four
# workers would not keep up with one writer anyway, and each holds about 70 MB.
WORKERS = max(1, min(len(os.sched_getaffinity(0)) - 1, 4))
# Messages parsed ahead of the one being written: enough to keep the workers busy, few enough
# that a backlog of large mails is not all held in memory at once.
AHEAD = 4 * WORKERS + 4


@dataclass(frozen=True, slots=True)
class Waiting:
    id: int
    raw: bytes | None  # None: read from the store before its pass (or no longer waiting)
    size: int = 0
    # Mail from the past (`mailgate import`): processed as at this instant, not the pass's now
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    id: int
    message: ParsedMessage | None
    read: Details | None = None  # the four details, when a worker read them
    error: str = ""  # could not parse, or no longer waiting: the caller processes it alone


class ParsedStream:
    """Each message parsed, in the order given. It reads nothing from the database. Its caller
    pulls from it inside a write transaction, so it never parses there: a few messages are
    parsed before (in this process), many in the workers, and `ready` says whether the next
    one can be had without waiting for a worker."""

    def __init__(self, config: Config, waiting: Sequence[Waiting]) -> None:
        self.config = config
        self.pool = _shared_pool() if len(waiting) >= PARALLEL_FROM else None
        self.pending: deque[tuple[Waiting, Future[tuple[ParsedMessage, Details]] | Parsed]] = (
            deque())
        if self.pool is None:
            self.items: Iterator[Waiting] = iter(())
            self.pending.extend((item, _parse_here(config, item)) for item in waiting)
        else:
            self.items = iter(waiting)
            self._fill()

    def _fill(self) -> None:
        region = self.config.intake.phone_region
        limit = self.config.intake.max_attachment_bytes
        while len(self.pending) < AHEAD and (item := next(self.items, None)) is not None:
            if item.raw is None:
                self.pending.append((item, Parsed(item.id, None, error="no longer waiting")))
                continue
            try:
                assert self.pool is not None  # only a stream with workers has items left
                self.pending.append((item, self.pool.submit(
                    _parse_in_worker, item.raw, limit, region)))
            except Exception:  # no worker to be had (a broken pool, no memory): parse here
                self.pending.append((item, _parse_here(self.config, item)))

    def ready(self) -> bool:
        """Whether the next message is parsed (or there is none)."""
        if not self.pending:
            return True
        work = self.pending[0][1]
        return isinstance(work, Parsed) or work.done()

    def __iter__(self) -> ParsedStream:
        return self

    def __next__(self) -> Parsed:
        if not self.pending:
            raise StopIteration
        item, work = self.pending.popleft()
        try:
            if isinstance(work, Parsed):
                return work
            try:
                message, read = work.result()
            except BrokenProcessPool:
                _drop_pool()
                return _parse_here(self.config, item)
            except Exception as exc:
                return Parsed(item.id, None, error=one_line(exc))
            return Parsed(item.id, message, read)
        finally:
            self._fill()


def _parse_in_worker(raw: bytes, limit: int, region: str) -> tuple[ParsedMessage, Details]:
    message = parse_message(raw, max_attachment_bytes=limit)
    return message, extract_details(message, region=region)


def _parse_here(config: Config, item: Waiting) -> Parsed:
    if item.raw is None:
        return Parsed(item.id, None, error="no longer waiting")
    try:
        return Parsed(item.id, parse_message(
            item.raw, max_attachment_bytes=config.intake.max_attachment_bytes))
    except Exception as exc:
        return Parsed(item.id, None, error=one_line(exc))


def with_raws(engine: Engine, waiting: Sequence[Waiting]) -> list[Waiting]:
    """The messages with their bytes, read in one query where they are not given (None: no
    longer waiting). Called before a pass's transactions, never inside one."""
    wanted = [item.id for item in waiting if item.raw is None]
    if not wanted:
        return list(waiting)
    with Session(engine) as session:
        raws = dict(session.exec(
            select(InboundMessage.id, InboundMessage.raw).where(
                InboundMessage.id.in_(wanted),  # type: ignore[union-attr]
                InboundMessage.state == "received",
            )
        ).all())
    return [item if item.raw is not None else replace(item, raw=raws.get(item.id))
            for item in waiting]


_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _shared_pool() -> ProcessPoolExecutor | None:
    """The workers, started on first use; None where there is only one core."""
    global _pool
    if len(os.sched_getaffinity(0)) < 2:
        return None
    with _pool_lock:
        if _pool is None:
            # spawn, not fork: the daemon has threads (the SMTP door, the scheduler), and a
            # forked child could inherit a lock one of them held.
            try:
                _pool = ProcessPoolExecutor(
                    WORKERS, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_ignore_interrupts)
            except Exception as exc:  # parse here rather than not at all
                log.warning("no parsing worker (%s); parsing in this process", one_line(exc))
                return None
        return _pool


def _ignore_interrupts() -> None:
    """A worker leaves Ctrl-C to its parent, which finishes or drops its work (a terminal sends
    SIGINT to the whole process group: a worker that died of it would only print a traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _drop_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            log.warning("a parsing worker died; starting a new one for the next pass")
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None
