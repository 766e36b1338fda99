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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bench.corpus import make_corpus
from bench.ingest import drop_database, fresh_database
from bench.report import Figure
from mailgate.batches import process_pending
from mailgate.config import Config, load_config
from mailgate.daemon import Daemon
from mailgate.db import make_engine, upgrade
from mailgate.intake.imap import Follower
from tests.support.dovecot import DOVECOT, Dovecot
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


@dataclass(frozen=True, slots=True)
class Imap:
    kind: str
    latencies: list[float]  # seconds, APPEND → ticket committed
    backlog: int  # messages in the backlog run
    megabytes: float
    batch: int
    raw_rate: float  # imapclient UID FETCH BODY.PEEK[], msg/s
    drained: float  # seconds for mailgate to drain the backlog
    took: float  # seconds for the pipeline to turn it into tickets
    tickets: int  # tickets in all, afterwards

    @property
    def drain_rate(self) -> float:
        return self.backlog / self.drained

    @property
    def pipeline_rate(self) -> float:
        return self.backlog / self.took


def measure(kind: str, appends: int, backlog_size: int, batch: int) -> Imap:
    """The latency run (`appends` messages, one at a time) and the backlog run, on a fresh
    `kind` database against a private Dovecot."""
    if not Path(DOVECOT).exists():
        raise RuntimeError(f"Dovecot is not installed ({DOVECOT}): "
                           "apt-get install dovecot-imapd")
    password = "bench-secret"
    os.environ[PASSWORD_ENV] = password
    dovecot = Dovecot(free_port())
    dovecot.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            user = dovecot.add_user(password)
            config = setup(folder, fresh_database(kind, folder), dovecot, user, batch)
            engine = make_engine(config.database_url)
            try:
                upgrade(engine)
                corpus = make_corpus(appends + backlog_size, seed=11)

                with dovecot.client(user, password) as client:
                    latencies = bench_latency(config, engine, client, corpus[:appends])

                backlog = corpus[appends:]
                with dovecot.client(user, password) as client:
                    for raw in backlog:
                        client.append("INBOX", raw.replace(b"\n", b"\r\n"))
                megabytes = sum(len(m) for m in backlog) / 1e6
                raw_rate = raw_fetch_rate(dovecot, user, password, batch)
                follower = Follower(config, config.imap[0], engine)
                started = time.perf_counter()
                report = follower.run_once()
                drained = time.perf_counter() - started
                assert report.stored == len(backlog), report
                started = time.perf_counter()
                while process_pending(engine, config, follower.clock(), limit=500):
                    pass
                took = time.perf_counter() - started
                assert processed(engine) == appends + len(backlog)
                made = tickets(engine)
            finally:
                engine.dispose()
                drop_database(config.database_url)
    finally:
        dovecot.close()
    return Imap(kind, latencies, len(backlog), megabytes, batch, raw_rate, drained, took, made)


def figures(quick: bool, kinds: Sequence[str]) -> list[Figure]:
    """The drain beside imapclient's raw fetch of the same messages; the latency and the
    pipeline reported. Quick: 5 appends and a backlog of 200; full: 20 and 1,000 (the CLI's
    default backlog, 5,000, takes minutes on PostgreSQL)."""
    appends, backlog = (5, 200) if quick else (20, 1000)
    batch = 100
    rows = []
    for kind in kinds:
        result = measure(kind, appends, backlog, batch)
        latencies = result.latencies
        rows += [
            Figure("imap", f"APPEND → ticket committed, median ({kind})",
                   statistics.median(latencies) * 1000, "ms", lower_is_better=True,
                   note=f"with IDLE, {len(latencies)} messages, max "
                        f"{max(latencies) * 1000:.0f} ms (Dovecot waits ~500 ms before "
                        "notifying)"),
            Figure("imap", f"drain: fetch, store, commit, move ({kind})", result.drain_rate,
                   "msg/s", "imapclient raw UID FETCH BODY.PEEK[]", result.raw_rate,
                   note=f"backlog of {result.backlog} messages ({result.megabytes:.0f} MB), "
                        f"batches of {batch}"),
            Figure("imap", f"pipeline afterwards: parse, ticket, ack ({kind})",
                   result.pipeline_rate, "msg/s"),
        ]
    return rows


def main() -> None:
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=20, help="messages for the latency run")
    parser.add_argument("--backlog", type=int, default=5000, help="messages in the backlog run")
    parser.add_argument("--batch", type=int, default=100, help="[[imap]] batch_size")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    kind = "postgresql" if args.postgres else "sqlite"
    result = measure(kind, args.appends, args.backlog, args.batch)
    latencies = result.latencies
    print(f"IMAP ({kind}), APPEND → ticket committed, with IDLE, {len(latencies)} messages:"
          f" median {statistics.median(latencies) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms, over 2 s: "
          f"{sum(1 for x in latencies if x > 2)} "
          "(Dovecot waits ~500 ms before notifying)")
    print(f"IMAP ({kind}), backlog of {result.backlog} messages ({result.megabytes:.0f} MB, "
          f"10% with a 200 KB attachment), batches of {args.batch}:")
    print(f"  imapclient raw UID FETCH BODY.PEEK[]     {result.raw_rate:8.0f} msg/s")
    print(f"  mailgate drain (fetch, store, commit, move) {result.drain_rate:5.0f} msg/s"
          f"  ({result.drained:.1f} s)")
    print(f"  pipeline afterwards (parse, ticket, ack)  {result.pipeline_rate:5.0f} msg/s"
          f"  ({result.took:.1f} s; {result.tickets} tickets in all)")


if __name__ == "__main__":
    main()
