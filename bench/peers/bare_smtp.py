"""The baseline for `bench.storm`: a bare aiosmtpd server that commits each raw mail to SQLite
(one row, one commit, WAL journal, synchronous=FULL as mailgate/db.py sets it) before it answers
250, and does nothing else.

    python -m bench.peers.bare_smtp --port P --db PATH

Prints "ready" on standard output once it listens; stops on SIGTERM or SIGINT. It runs in its
own process so that the load generator's GIL is not shared with it. The commit runs on one
writer thread (as mailgate's door runs its store in an executor), so the event loop goes on
reading other clients' data while a commit is synced to disk.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class CommitHandler:
    def __init__(self, path: str) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None
        # one thread owns the connection: SQLite writes are serialised anyway
        self.writer = ThreadPoolExecutor(max_workers=1, initializer=self._open)

    def _open(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        # the pragmas of mailgate.db.make_engine
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA busy_timeout=30000")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS mail (id INTEGER PRIMARY KEY, raw BLOB NOT NULL)")
        self.connection = connection

    def _store(self, raw: bytes) -> int:
        assert self.connection is not None
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute("INSERT INTO mail (raw) VALUES (?)", (raw,))
        row_id = cursor.lastrowid
        cursor.execute("COMMIT")
        return int(row_id or 0)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            row_id = await asyncio.get_running_loop().run_in_executor(
                self.writer, self._store, raw)
        except sqlite3.Error as exc:
            return f"451 4.3.0 could not store: {exc}"
        return f"250 2.0.0 OK: stored as {row_id}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True, help="SQLite file (created)")
    args = parser.parse_args()
    handler = CommitHandler(args.db)
    handler.writer.submit(lambda: None).result()  # the table exists before we say ready
    controller = Controller(handler, hostname=args.host, port=args.port,
                            data_size_limit=64 * 1024 * 1024, ready_timeout=10)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    controller.start()
    print("ready", flush=True)
    try:
        stop.wait()
    finally:
        controller.stop()
        handler.writer.shutdown(wait=True)


if __name__ == "__main__":
    main()
