"""Engine creation, SQLite tuning and the schema version check (migrations are Alembic's)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

import tickets

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(tickets.__file__).parent / "migrations"


class SchemaOutOfDate(RuntimeError):
    pass


DEFAULT_BUSY_TIMEOUT_SECONDS = 30.0


def make_engine(url: str, busy_timeout_seconds: float = DEFAULT_BUSY_TIMEOUT_SECONDS) -> Engine:
    """`busy_timeout_seconds` ([database]): on SQLite, how long a write waits for the lock
    another writer holds before it fails with "database is locked"."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": busy_timeout_seconds})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            # The stdlib driver's own transaction handling defers BEGIN; issue it ourselves so
            # that a write transaction takes the lock up front (BEGIN IMMEDIATE below).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk (the WAL is synced) before it returns, so the 250 said
            # after it survives a power cut; NORMAL could roll the last commits back.
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
            cursor.close()

        gate = _write_gate(database or ":memory:")

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):  # type: ignore[no-untyped-def]
            # SQLite makes a waiting writer poll with growing sleeps, so a busy pipeline worker
            # that takes the lock again at once can keep the SMTP door waiting for seconds.
            # Threads of this process queue on a lock instead and are woken in turn.
            # Bounded like SQLite's own wait: a thread queued behind one that waits on another
            # process's lock must not wait one busy timeout per thread ahead of it.
            if not gate.acquire(timeout=busy_timeout_seconds):
                raise OperationalError(
                    "BEGIN IMMEDIATE", None,
                    sqlite3.OperationalError("database is locked (waiting for this process's "
                                             "other writers)"))
            connection.info["write_gate"] = gate
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release_gate(connection)
                raise

        event.listen(engine, "commit", _release_gate)
        event.listen(engine, "rollback", _release_gate)
        return engine
    return create_engine(url, pool_pre_ping=True)


# What tells a database that cannot take any write now (down, restarting, locked by another
# writer, out of space) from one that refuses this statement: mail is then refused for now
# (451, 75) or left waiting, never quarantined for it.
_SQLITE_UNAVAILABLE = {
    sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PROTOCOL,
}
# SQLSTATE classes: 08 connection exception, 53 insufficient resources (disk full, out of
# memory, too many connections), 57 operator intervention (shutdown, starting up), 58 system
# error (I/O), 40 transaction rollback (serialization failure, deadlock: try again)
_POSTGRES_UNAVAILABLE = ("08", "53", "57", "58", "40")


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database cannot write anything now, whatever the statement."""
    if isinstance(exc, PoolTimeout):  # every connection of the pool busy: none to be had now
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is None:  # raised by us (the write gate) or an old sqlite3 without codes
            return "locked" in str(orig) or "disk is full" in str(orig)
        return code & 0xFF in _SQLITE_UNAVAILABLE  # the primary code of an extended one
    if not hasattr(orig, "sqlstate"):  # neither SQLite nor psycopg: no way to tell
        return False
    if orig.sqlstate is None:  # psycopg failed before the server answered: no connection
        return isinstance(exc, OperationalError)
    return str(orig.sqlstate)[:2] in _POSTGRES_UNAVAILABLE


_gates: dict[str, threading.RLock] = {}
_gates_lock = threading.Lock()


def _write_gate(database: str) -> threading.RLock:
    key = database if database == ":memory:" else str(Path(database).resolve())
    with _gates_lock:
        return _gates.setdefault(key, threading.RLock())


def _release_gate(connection) -> None:  # type: ignore[no-untyped-def]
    gate = connection.info.pop("write_gate", None)
    if gate is not None:
        gate.release()


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = _alembic_config()
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # A migration that rebuilds a table (batch mode: copy, drop, rename) must not have
            # SQLite check the rows that point at it while it is gone; the pragma works only
            # outside a transaction, so on the driver's connection before SQLAlchemy's BEGIN.
            connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite and (broken := connection.exec_driver_sql(
                        "PRAGMA foreign_key_check").fetchall()):
                    raise RuntimeError(f"the upgrade would break references: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA foreign_keys=ON")


def head_revision() -> str | None:
    """The newest migration, as Alembic reads it from the migration files."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_and_head(engine: Engine) -> tuple[str | None, str | None]:
    return current_revision(engine), head_revision()


def require_current_schema(engine: Engine) -> None:
    current, head = current_and_head(engine)
    if current != head:
        state = "has no mailgate tables" if current is None else f"is at revision {current}"
        raise SchemaOutOfDate(
            f"the database {state}, but this mailgate needs revision {head}; "
            "run `mailgate db upgrade` first"
        )
