"""One follower per mailbox across daemons: a PostgreSQL advisory lock per mailbox name.

SQLite is the single-daemon deployment by design (DESIGN.md, Scale), so there the lock is always
granted: run one `mailgate serve` per SQLite database.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger("mailgate.imap")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock(bigint)."""
    return int.from_bytes(hashlib.sha256(f"mailgate-imap:{name}".encode()).digest()[:8], "big",
                          signed=True)


class MailboxLock:
    def __init__(self, engine: Engine, name: str) -> None:
        self.engine, self.name, self.key = engine, name, lock_key(name)
        self.connection: Connection | None = None

    @property
    def shared(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def acquire(self) -> bool:
        """Take the lock, or confirm it is still ours (its session may have died); never blocks."""
        if not self.shared:
            return True
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT 1"))
                return True
            except DBAPIError:
                log.warning("mailbox %s: lost the database session holding its lock", self.name)
                self._drop()
        # A session-level lock on a connection of its own, in autocommit so that holding it for
        # hours does not hold a transaction open.
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar()
        except DBAPIError:
            connection.invalidate()
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self.connection = connection
        return True

    def release(self) -> None:
        if self.connection is None:
            return
        with contextlib.suppress(DBAPIError):  # the session is gone, and its lock with it
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        self._drop()

    def _drop(self) -> None:
        assert self.connection is not None
        # Discard the connection rather than pool it: closing the session releases the lock for
        # certain, whatever state the unlock above left it in.
        self.connection.invalidate()
        self.connection.close()
        self.connection = None
