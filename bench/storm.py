"""End to end over SMTP: a storm of mail at `mailgate serve`'s door, until every ticket is
committed and every acknowledgement has reached a local SMTP sink.

    .venv/bin/python -m bench.storm [--quick] [--postgres] [--count N]

N mails of `bench.corpus` (2,000; 300 with --quick) are sent by 4 concurrent smtplib clients,
each on its own connection, to `mailgate serve` in its own process (SQLite, or a fresh
PostgreSQL database on 127.0.0.1:5432), and in the same run to the baseline, a bare aiosmtpd
server committing each raw mail to SQLite before its 250 (`bench.peers.bare_smtp`, its own
process too). Acknowledgements go to an aiosmtpd sink in this process. Per database kind:
- end to end over SMTP: N / time until every ticket is committed and acknowledged; target at
  least 0.5x the bare server's accept rate, on SQLite and PostgreSQL alike;
- accept p50 and p99 of the SMTP transaction (sendmail) during mailgate's run; target p99 at
  most 2x the bare server's;
- door accept rate: N / time for mailgate's door to accept them all (no target).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import smtplib
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench.corpus import make_corpus
from bench.report import Figure, run_alone

REPO = Path(__file__).resolve().parent.parent
MAILGATE = str(Path(sys.executable).with_name("mailgate"))  # .venv/bin/mailgate
SERVE_ENV = {**os.environ, "MAILGATE_SECRET": "bench-secret"}  # acks are signed and sent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
BASELINE = "bare aiosmtpd + SQLite commit"
CLIENTS = 4
POLL = 0.05


class BenchError(RuntimeError):
    pass


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(folder: Path, db_url: str, smtp_port: int, sink_port: int,
                 max_bytes: int = 64 * 1024 * 1024) -> Path:
    """A desk whose 13 schools are known by domain, so each corpus mail makes a ticket."""
    path = folder / "config.toml"
    companies = "".join(f'[[companies]]\nname = "School {n}"\ndomains = ["school{n}.example"]\n'
                        for n in range(13))
    path.write_text(
        f'[desk]\naddress = "support@desk.example"\ntemplates = "{REPO / "templates"}"\n'
        f'[database]\nurl = "{db_url}"\n'
        f"[smtp_in]\nport = {smtp_port}\nmax_message_bytes = {max_bytes}\n"
        f'[smtp_out]\nhost = "127.0.0.1"\nport = {sink_port}\n'
        f"[intake]\nautoreply_limit = 1000000\nmax_attachment_bytes = {max_bytes}\n{companies}")
    return path


@dataclass
class Database:
    """A fresh database of `kind`, read directly (not through mailgate's engine, whose SQLite
    transactions take the write lock) to see how far the daemon has come."""

    kind: str
    url: str  # SQLAlchemy's, for the config
    target: str  # the SQLite file, or psycopg's conninfo
    connection: Any = None

    @classmethod
    def fresh(cls, kind: str, folder: Path) -> Database:
        if kind == "sqlite":
            path = folder / "mailgate.db"
            return cls(kind, f"sqlite:///{path}", str(path))
        import psycopg

        name = f"mailgate_bench_{os.getpid()}_{time.monotonic_ns()}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        conninfo = f"postgresql://postgres@127.0.0.1:5432/{name}"
        return cls(kind, conninfo.replace("postgresql:", "postgresql+psycopg:"), conninfo)

    def execute(self, sql: str) -> Any:
        if self.connection is None:
            if self.kind == "sqlite":
                self.connection = sqlite3.connect(self.target, isolation_level=None, timeout=30)
            else:
                import psycopg

                self.connection = psycopg.connect(self.target, autocommit=True)
        return self.connection.execute(sql)

    def scalar(self, sql: str) -> int:
        return int(self.execute(sql).fetchone()[0])

    def groups(self, table_name: str, column: str) -> str:
        rows = self.execute(
            f"SELECT {column}, count(*) FROM {table_name} GROUP BY {column} ORDER BY 1").fetchall()
        return ", ".join(f"{key} {count}" for key, count in rows) or "none"

    def drop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.kind == "postgresql":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.target.rsplit("/", 1)[1]}" '
                             "WITH (FORCE)")


class Sink:
    """An SMTP server in this process that counts the mail mailgate sends."""

    def __init__(self) -> None:
        self.port, self.count, self.last_at, self.lock = free_port(), 0, 0.0, threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.count += 1
            self.last_at = time.perf_counter()
        return "250 2.0.0 OK"

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()


class Serve:
    """`mailgate serve` as a subprocess, its output kept in `log`."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config, self.port, self.log = config, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> float:
        """Start and wait until the door answers; perf_counter at that moment."""
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([MAILGATE, "--config", str(self.config), "serve"],
                                         stdout=out, stderr=subprocess.STDOUT, env=SERVE_ENV)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=5) as probe:
                    probe.noop()
                return time.perf_counter()
            except OSError:
                time.sleep(0.02)
        raise BenchError(f"mailgate serve did not listen within {timeout:.0f} s")

    def check(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise BenchError(f"mailgate serve exited with {self.proc.returncode}")

    def stop(self) -> int | None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                say(f"mailgate serve did not stop within 60 s of SIGTERM; killed\n{self.tail()}")
        return self.proc.returncode if self.proc is not None else None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 30) -> str:
        last = "\n".join(self.text().splitlines()[-lines:])
        return f"--- last lines of {self.log} ---\n{last}"

    def problems(self) -> str:
        """What the log holds at WARNING and above ('' when nothing)."""
        counts = {w: self.text().count(w) for w in (" WARNING ", " ERROR ", " CRITICAL ",
                                                     "Traceback")}
        return ", ".join(f"{n}{word.rstrip()}" for word, n in counts.items() if n)


def upgrade(config: Path) -> None:
    done = subprocess.run([MAILGATE, "--config", str(config), "db", "upgrade"],
                          capture_output=True, text=True, env=SERVE_ENV)
    if done.returncode != 0:
        raise BenchError(f"mailgate db upgrade failed:\n{done.stdout}{done.stderr}")


def send_all(port: int, mails: Sequence[bytes]) -> tuple[float, float, list[float]]:
    """Send `mails` over CLIENTS connections (each its share, in order). Returns the start
    (all connected), the end (all accepted) and each transaction's latency in seconds."""
    clients, errors = CLIENTS, list[BaseException]()
    ready = threading.Barrier(clients + 1)
    latencies: list[list[float]] = [[] for _ in range(clients)]

    def client(n: int) -> None:
        try:
            smtp = smtplib.SMTP("127.0.0.1", port, timeout=120)
            smtp.ehlo()
        except BaseException as exc:
            errors.append(exc)
            ready.abort()
            return
        with smtp:
            ready.wait()
            try:
                for raw in mails[n::clients]:
                    began = time.perf_counter()
                    smtp.sendmail("user@school.example", ["support@desk.example"], raw)
                    latencies[n].append(time.perf_counter() - began)
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:  # connected (or failed) before the clock starts
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    ended = time.perf_counter()
    if errors:
        raise BenchError(f"an SMTP client failed: {errors[0]!r}")
    return started, ended, [x for each in latencies for x in each]


def p50_p99(latencies: list[float]) -> tuple[float, float]:  # ms
    return statistics.median(latencies) * 1000, statistics.quantiles(latencies, n=100)[98] * 1000


def baseline(mails: Sequence[bytes], runs: int = 3) -> tuple[float, float, float]:
    """The bare server, `runs` times (each under 1 s in quick mode: noise): the median accept
    rate (mails/s), and p50 and p99 (ms) over all its transactions."""
    rates: list[float] = []
    latencies: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-bare-") as tmp:
            port, path = free_port(), Path(tmp) / "bare.db"
            proc = subprocess.Popen([sys.executable, "-m", "bench.peers.bare_smtp", "--port",
                                     str(port), "--db", str(path)], cwd=REPO,
                                    stdout=subprocess.PIPE)
            try:
                assert proc.stdout is not None
                if not select.select([proc.stdout], [], [], 30)[0] or \
                        proc.stdout.readline().strip() != b"ready":
                    raise BenchError("bench.peers.bare_smtp did not say ready within 30 s")
                started, ended, each = send_all(port, mails)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
            with sqlite3.connect(path) as conn:
                stored = conn.execute("SELECT count(*) FROM mail").fetchone()[0]
            if stored != len(mails):
                raise BenchError(f"the bare server stored {stored} of {len(mails)} mails")
        rates.append(len(mails) / (ended - started))
        latencies += each
    return statistics.median(rates), *p50_p99(latencies)


def wait_done(db: Database, sink: Sink, serve: Serve, count: int) -> float:
    """Poll until no message is left 'received', the outbox is empty and the sink has every
    sent mail; the moment it was done (perf_counter)."""
    timeout = 60 + count * 0.2
    deadline = time.monotonic() + timeout
    while True:
        serve.check()
        received = db.scalar("SELECT count(*) FROM inbound_message WHERE state = 'received'")
        unsent = db.scalar("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')")
        if received == 0 and unsent == 0:
            sent = db.scalar("SELECT count(*) FROM outbox WHERE state = 'sent'")
            if sink.count >= sent:
                # every mail made one ack: the last one's arrival is the exact end
                return sink.last_at if sink.count == sent else time.perf_counter()
        if time.monotonic() > deadline:
            raise BenchError(
                f"timed out after {timeout:.0f} s: {received} messages still 'received', "
                f"{unsent} outbox rows unsent, {sink.count} mails at the sink")
        time.sleep(POLL)


def mailgate_run(kind: str, mails: Sequence[bytes]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-storm-") as tmp, Sink() as sink:
        folder, port = Path(tmp), free_port()
        db = Database.fresh(kind, folder)
        serve = Serve(write_config(folder, db.url, port, sink.port), port, folder / "serve.log")
        try:
            upgrade(serve.config)
            serve.start()
            say(f"[storm {kind}] mailgate serve ready; sending {len(mails)} mails")
            started, accepted, latencies = send_all(port, mails)
            say(f"[storm {kind}] door accepted all in {accepted - started:.1f} s; "
                "waiting for tickets and acknowledgements")
            done = wait_done(db, sink, serve, len(mails))
            tickets, notes = db.scalar("SELECT count(*) FROM ticket"), list[str]()
            # the corpus holds replies (follow-ups) and auto-replies (screened, unanswered)
            # beside new requests: each new ticket has its one acknowledgement
            notes.append(f"{tickets} tickets (inbound: {db.groups('inbound_message', 'state')})")
            if sink.count != tickets:
                notes.append(f"{sink.count} mails at the sink for {tickets} tickets "
                             f"(outbox: {db.groups('outbox', 'kind')})")
        except BaseException:
            say(serve.tail())
            raise
        finally:
            code = serve.stop()
            db.drop()
        if code != 0:
            notes.append(f"serve exited with {code} on SIGTERM")
        if problems := serve.problems():
            notes.append(f"serve's log: {problems}")
            say(serve.tail())
    p50, p99 = p50_p99(latencies)
    return {"end_to_end": len(mails) / (done - started), "door": len(mails) / (accepted - started),
            "p50": p50, "p99": p99, "notes": notes}


def figures(quick: bool, kinds: Sequence[str], count: int | None = None) -> list[Figure]:
    mails = [m.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
             for m in make_corpus(count or (300 if quick else 2000))]
    result: list[Figure] = []
    for kind in kinds:
        say(f"[storm {kind}] baseline: {BASELINE}, {len(mails)} mails, {CLIENTS} clients")
        rate, base_p50, base_p99 = baseline(mails)
        got = mailgate_run(kind, mails)
        note = "; ".join([f"{len(mails)} mails, {CLIENTS} clients, until every ticket is "
                          "committed and its ack at the sink", *got["notes"]])
        result += [
            Figure("storm", f"{kind}: end to end over SMTP", got["end_to_end"], "mails/s",
                   BASELINE, rate, target=0.5, note=note),
            Figure("storm", f"{kind}: accept p50", got["p50"], "ms", BASELINE, base_p50,
                   lower_is_better=True, note="baseline: median rate of 3 runs, latencies of "
                   "all 3"),
            Figure("storm", f"{kind}: accept p99", got["p99"], "ms", BASELINE, base_p99,
                   target=2.0, lower_is_better=True),
            Figure("storm", f"{kind}: door accept rate", got["door"], "mails/s", BASELINE,
                   rate, note="250s only, before the pipeline is done"),
        ]
    return result


def main() -> int:
    return run_alone("storm", __doc__ or "", figures, quick="300 mails instead of 2,000",
                     count="mails to send")


if __name__ == "__main__":
    sys.exit(main())
