"""Group commit for the SMTP door: what arrives while one commit runs is stored by the next.

Each sender still hears 250 only after its own message is committed. One commit (one sync of
the write-ahead log to disk, and on SQLite one turn of the single writer lock) serves every
message that arrived meanwhile, so a storm of clients does not queue one commit each
(issue 10).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy import Engine

from mailgate.intake.store import Arrival, Stored, StoreError, store_arrivals, store_raw

log = logging.getLogger("mailgate.smtp")

# At most this many messages to one commit; a larger burst is stored by the commits after it.
MOST_PER_COMMIT = 100


class GroupCommit:
    def __init__(self, engine: Engine, source: str = "smtp") -> None:
        self.engine, self.source = engine, source
        self._waiting: list[tuple[Arrival, asyncio.Future[Stored]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, arrival: Arrival) -> Stored:
        """Store `arrival`, durably, with the others that arrive meanwhile; raises StoreError."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Stored] = loop.create_future()
        self._waiting.append((arrival, future))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write())
        return await future

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            batch = self._waiting[:MOST_PER_COMMIT]
            del self._waiting[:MOST_PER_COMMIT]
            try:
                results = await loop.run_in_executor(
                    None, self._store, [arrival for arrival, _ in batch]
                )
            except Exception as exc:  # never leave a sender waiting for an answer
                log.exception("storing a group of %s messages failed", len(batch))
                results = [StoreError(f"{type(exc).__name__}: {exc}")] * len(batch)
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():  # the client went away meanwhile
                    continue
                if isinstance(result, StoreError):
                    future.set_exception(result)
                else:
                    future.set_result(result)

    def _store(self, arrivals: Sequence[Arrival]) -> list[Stored | StoreError]:
        if len(arrivals) > 1:
            try:
                return list(store_arrivals(self.engine, arrivals, source=self.source))
            except StoreError as exc:
                if exc.unavailable:  # one by one would only wait on it again, each in turn
                    log.error("could not store %s messages: %s", len(arrivals), exc)
                    return [exc] * len(arrivals)
                log.warning("a group of %s messages could not be stored together (%s); "
                            "storing them one by one", len(arrivals), exc)
        results: list[Stored | StoreError] = []
        for arrival in arrivals:  # one failure answers 451 to its own sender only
            try:
                results.append(store_raw(
                    self.engine, arrival.raw, source=self.source, now=arrival.received_at,
                    envelope_from=arrival.envelope_from, envelope_to=arrival.envelope_to,
                ))
            except StoreError as exc:
                results.append(exc)
        return results
