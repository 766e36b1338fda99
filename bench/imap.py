"""IMAP intake figures against a private Dovecot on loopback (tests/support/dovecot.py):

1. latency: APPEND one message while the daemon IDLEs → the ticket committed (median of N);
2. backlog: drain N messages already in the folder (fetch BODY.PEEK[], store, commit, move),
   beside imapclient's raw `UID FETCH BODY.PEEK[]` rate over the same messages in the same run,
   and then the pipeline's time to turn the backlog into tickets.

    .venv/bin/python -m bench.imap [--appends 20] [--backlog 5000] [--postgres]

Needs dovecot (apt-get install dovecot-imapd) and, for --postgres, PostgreSQL on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bench.corpus import make_corpus
from bench.ingest import fresh_database
from mailgate.config import Config, load_config
from mailgate.daemon import Daemon
from mailgate.db import make_engine, upgrade
from mailgate.intake.imap import Follower
from mailgate.pipeline import process_pending
from tests.support.dovecot import Dovecot
from tickets.models import InboundMessage, Ticket

PASSWORD_ENV = "MAILGATE_BENCH_IMAP_PASSWORD"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup(folder: Path, db_url: str, dovecot: Dovecot, user: str, batch: int) -> Config:
    repo = Path(__file__).resolve().parent.parent
    path = folder / "config.toml"
    path.write_text(f"""
[desk]
address = "support@desk.example"
templates = "{repo / 'templates'}"
[database]
url = "{db_url}"
[smtp_in]
enabled = false
[smtp_out]
port = 1
[intake]
autoreply_limit = 1000000
hold_incomplete_requests = false
[[imap]]
name = "bench"
host = "127.0.0.1"
port = {dovecot.port}
security = "none"
username = "{user}"
password_env = "{PASSWORD_ENV}"
batch_size = {batch}
""")
    return load_config(str(path))


def tickets(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Ticket)).one())


def processed(engine: Engine) -> int:
    """Stored messages the pipeline has finished with (a ticket, or held with a reason)."""
    with Session(engine) as session:
        return int(session.exec(
            select(func.count()).select_from(InboundMessage)
            .where(InboundMessage.state != "received")
        ).one())


def bench_latency(config: Config, engine: Engine, client: IMAPClient, mails: list[bytes]
                  ) -> list[float]:
    """Seconds from APPEND to the committed ticket, one message at a time, the daemon IDLE-ing."""
    daemon = Daemon(config, engine)
    daemon.start()
    try:
        deadline = time.monotonic() + 30
        while not _following(engine):
            if time.monotonic() > deadline:
                raise SystemExit("the follower did not log in")
            time.sleep(0.01)
        seen, latencies = processed(engine), []
        for raw in mails:
            started = time.perf_counter()
            client.append("INBOX", raw.replace(b"\n", b"\r\n"))
            deadline = time.monotonic() + 120
            while processed(engine) == seen:
                if time.monotonic() > deadline:
                    raise SystemExit("no ticket within 120 s")
                time.sleep(0.002)
            latencies.append(time.perf_counter() - started)
            seen += 1
    finally:
        daemon.stop()
    return latencies


def _following(engine: Engine) -> bool:
    from tickets.models import MailboxState

    with Session(engine) as session:
        state = session.get(MailboxState, "bench")
        return state is not None and state.status == "ok"


def raw_fetch_rate(dovecot: Dovecot, user: str, password: str, batch: int) -> float:
    """imapclient alone: UID FETCH BODY.PEEK[] of the whole folder in batches, nothing stored."""
    with IMAPClient("127.0.0.1", dovecot.port, ssl=False) as client:
        client.login(user, password)
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        started = time.perf_counter()
        for start in range(0, len(uids), batch):
            client.fetch(uids[start:start + batch], ["BODY.PEEK[]"])
        elapsed = time.perf_counter() - started
    return len(uids) / elapsed


def main() -> None:
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=20, help="messages for the latency run")
    parser.add_argument("--backlog", type=int, default=5000, help="messages in the backlog run")
    parser.add_argument("--batch", type=int, default=100, help="[[imap]] batch_size")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    kind = "postgresql" if args.postgres else "sqlite"
    password = "bench-secret"
    os.environ[PASSWORD_ENV] = password
    dovecot = Dovecot(free_port())
    dovecot.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            user = dovecot.add_user(password)
            config = setup(folder, fresh_database(kind, folder), dovecot, user, args.batch)
            engine = make_engine(config.database_url)
            upgrade(engine)
            corpus = make_corpus(args.appends + args.backlog, seed=11)

            with dovecot.client(user, password) as client:
                latencies = bench_latency(config, engine, client, corpus[:args.appends])
            print(f"IMAP ({kind}), APPEND → ticket committed, with IDLE, {len(latencies)} messages:"
                  f" median {statistics.median(latencies) * 1000:.0f} ms, "
                  f"max {max(latencies) * 1000:.0f} ms, over 2 s: "
                  f"{sum(1 for x in latencies if x > 2)} "
                  "(Dovecot waits ~500 ms before notifying)")

            backlog = corpus[args.appends:]
            with dovecot.client(user, password) as client:
                for raw in backlog:
                    client.append("INBOX", raw.replace(b"\n", b"\r\n"))
            megabytes = sum(len(m) for m in backlog) / 1e6
            raw_rate = raw_fetch_rate(dovecot, user, password, args.batch)
            follower = Follower(config, config.imap[0], engine)
            started = time.perf_counter()
            report = follower.run_once()
            drained = time.perf_counter() - started
            assert report.stored == len(backlog), report
            started = time.perf_counter()
            while process_pending(engine, config, follower.clock(), limit=500):
                pass
            took = time.perf_counter() - started
            assert processed(engine) == args.appends + len(backlog)
            made = tickets(engine)
            print(f"IMAP ({kind}), backlog of {len(backlog)} messages ({megabytes:.0f} MB, "
                  f"10% with a 200 KB attachment), batches of {args.batch}:")
            print(f"  imapclient raw UID FETCH BODY.PEEK[]     {raw_rate:8.0f} msg/s")
            rate = len(backlog) / drained
            print(f"  mailgate drain (fetch, store, commit, move) {rate:5.0f} msg/s"
                  f"  ({drained:.1f} s)")
            print(f"  pipeline afterwards (parse, ticket, ack)  {len(backlog) / took:5.0f} msg/s"
                  f"  ({took:.1f} s; {made} tickets in all)")
            engine.dispose()
    finally:
        dovecot.close()


if __name__ == "__main__":
    main()
