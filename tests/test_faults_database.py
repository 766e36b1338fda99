"""Database faults (issue 12): PostgreSQL restarted mid-burst, SQLite locked by another writer for
longer than the busy timeout, the disk full under SQLite.

What the doors promise: a message is acknowledged (SMTP 250, `ingest` exit 0, IMAP move) only
once it is stored; what cannot be stored now is refused for now (SMTP 451, `ingest` exit 75, IMAP
leaves it in the mailbox), so the sender keeps it and tries again. When the database is back the
same daemon carries on, without a restart: every acknowledged message is one ticket and one
acknowledgement, nothing is left waiting.

These scenarios make their own databases (a private PostgreSQL cluster, an SQLite file on a small
tmpfs), so they do not take the suite's `db_url` parameter.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import smtplib
import sqlite3
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import select

from mailgate.commands.base import open_database
from mailgate.daemon import Daemon
from mailgate.db import database_unavailable, make_engine, upgrade
from tests.conftest import free_port
from tests.mail import mail
from tests.support.dovecot import Dovecot
from tests.support.harness import DESK, Harness, crlf, wait_until
from tests.support.imap_box import Mailbox
from tests.support.pgcluster import PgCluster, unavailable
from tests.support.scale import FULL, sized
from tests.support.sink import SmtpSink
from tickets.models import InboundMessage, Outbox

pytestmark = pytest.mark.faults

# SQLite's busy timeout in these tests ([database] busy_timeout_seconds; 30 s by default): the
# other writer holds its lock for longer than this.
BUSY_SECONDS = 0.5
SECRET = "test-secret-not-for-production"
NO_ANSWER = 0  # the SMTP connection failed before an answer to DATA


# --- traffic ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Letter:
    """One customer's mail: each from its own address, so the per-sender limit on automatic
    replies never hides a missing acknowledgement."""

    tag: str
    number: int
    body_bytes: int = 0

    @property
    def message_id(self) -> str:
        return f"<{self.tag}-{self.number}@school.example>"

    @property
    def sender(self) -> str:
        return f"user{self.number}.{self.tag}@school.example"

    @property
    def raw(self) -> bytes:
        padding = ("The log says:\n" + "x" * 70 + "\n") * (self.body_bytes // 85)
        return mail(
            subject=f"{self.tag} request {self.number}",
            sender=f"User {self.number} <{self.sender}>",
            message_id=self.message_id,
            body=f"Hello,\n\nrequest number {self.number} of {self.tag}.\n\n{padding}\nUser",
        )


def smtp_send(port: int, letter: Letter) -> int:
    """The SMTP reply code to the end of DATA (NO_ANSWER when the connection failed)."""
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            client.sendmail(letter.sender, [DESK], crlf(letter.raw))
    except smtplib.SMTPResponseException as exc:
        return exc.smtp_code
    except (smtplib.SMTPException, OSError):
        return NO_ANSWER
    return 250


@dataclass
class Answers:
    """Every SMTP answer each letter got, in order; a letter is acknowledged by its last 250."""

    by_letter: dict[Letter, list[int]]

    def acknowledged(self) -> list[Letter]:
        return [letter for letter, codes in self.by_letter.items() if 250 in codes]

    def codes(self) -> Counter[int]:
        return Counter(code for codes in self.by_letter.values() for code in codes)


def send_until_accepted(port: int, letters: list[Letter], answers: Answers,
                        deadline: float) -> None:
    """As an MTA does: a 4xx (or no answer) keeps the letter queued and it is sent again."""
    for letter in letters:
        codes = answers.by_letter.setdefault(letter, [])
        while time.monotonic() < deadline:
            codes.append(smtp_send(port, letter))
            if codes[-1] == 250:
                break
            time.sleep(0.05)  # an MTA's retry interval, shortened; no timing is asserted


def pipe_until_stored(harness: Harness, letter: Letter, deadline: float) -> list[int]:
    """`mailgate ingest` as an MTA's pipe transport runs it: exit 75 keeps the mail queued and
    it is run again. Every exit status, in order."""
    statuses: list[int] = []
    while time.monotonic() < deadline:
        run = harness.run_process("ingest", stdin=letter.raw)
        statuses.append(run.returncode)
        if run.returncode != 75:
            assert run.returncode == 0, run.stderr.decode()
            break
        time.sleep(0.05)  # an MTA's retry interval, shortened; no timing is asserted
    return statuses


# --- the daemon and what it did ----------------------------------------------------------------

@contextlib.contextmanager
def serving(harness: Harness) -> Iterator[Daemon]:
    """`mailgate serve` in this process, on the database as its config opens it (with the
    configured busy timeout), as the command does."""
    config = harness.config
    engine = open_database(config)
    daemon = Daemon(config, engine)
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()
        engine.dispose()


def with_busy_timeout(harness: Harness, seconds: float) -> None:
    """[database] busy_timeout_seconds in the harness's config file."""
    text = harness.config_path.read_text(encoding="utf-8")
    line = f'url = "{harness.db_url}"\n'
    assert line in text
    harness.config_path.write_text(
        text.replace(line, f"{line}busy_timeout_seconds = {seconds}\n"), encoding="utf-8")


@dataclass
class Counts:
    sent: int
    acknowledged: int
    tickets: int
    quarantined: int
    acknowledgements: int
    duplicates: int
    stuck: int

    def __str__(self) -> str:
        return (f"sent {self.sent}, acknowledged {self.acknowledged}, tickets {self.tickets}, "
                f"quarantined {self.quarantined}, acknowledgements {self.acknowledgements}, "
                f"duplicates {self.duplicates}, stuck {self.stuck}")


def acknowledgements(sink: SmtpSink, letters: list[Letter]) -> Counter[str]:
    """How many of our acknowledgements answer each letter (by In-Reply-To)."""
    ours = {letter.message_id for letter in letters}
    with sink.lock:
        received = list(sink.messages)
    return Counter(m.header("In-Reply-To") for m in received if m.header("In-Reply-To") in ours)


def stuck(harness: Harness) -> int:
    """Messages still waiting for the pipeline, and mail still waiting to go or going out."""
    with harness.session() as session:
        waiting = session.exec(
            select(InboundMessage.id).where(InboundMessage.state == "received")).all()
        unsent = session.exec(
            select(Outbox.id).where(Outbox.state.in_(("pending", "sending")))  # type: ignore[attr-defined]
        ).all()
    return len(waiting) + len(unsent)


def leftovers(harness: Harness) -> str:
    """What is still in between, for a failure message."""
    with harness.session() as session:
        inbound = Counter(session.exec(select(InboundMessage.state)).all())
        outbox = Counter(session.exec(select(Outbox.state)).all())
    return f"messages {dict(inbound)}, outbox {dict(outbox)}"


def settle(harness: Harness, letters: list[Letter], timeout: float = 90) -> None:
    """Wait until every letter's acknowledgement went out and nothing is left in between."""
    try:
        wait_until(
            lambda: len(acknowledgements(harness.sink, letters)) >= len(letters)
            and stuck(harness) == 0,
            timeout=timeout, what="every acknowledged letter processed and answered",
        )
    except AssertionError as exc:
        answered = len(acknowledgements(harness.sink, letters))
        raise AssertionError(
            f"{exc}: {answered} of {len(letters)} answered; {leftovers(harness)}") from None


def count(harness: Harness, sent: list[Letter], acknowledged: list[Letter]) -> Counts:
    """The issue's counts, each acknowledged letter checked: one stored row, in one ticket of
    its own (or in quarantine with a reason), one acknowledgement."""
    by_message_id: dict[str, list[InboundMessage]] = {}
    for row in harness.inbound():
        by_message_id.setdefault(row.message_id, []).append(row)
    tickets: set[int] = set()
    quarantined = 0
    for letter in acknowledged:
        rows = by_message_id.get(letter.message_id.strip("<>"), [])
        assert len(rows) == 1, f"{letter.message_id} stored {len(rows)} times"
        [row] = rows
        if row.state == "quarantined":
            assert row.reason, f"{letter.message_id} quarantined without a reason"
            quarantined += 1
        else:
            assert row.ticket_id is not None, f"{letter.message_id}: {row.state} {row.reason}"
            assert row.ticket_id not in tickets, f"{letter.message_id} shares a ticket"
            tickets.add(row.ticket_id)
    answered = acknowledgements(harness.sink, sent)
    return Counts(
        sent=len(sent), acknowledged=len(acknowledged), tickets=len(tickets),
        quarantined=quarantined, acknowledgements=sum(answered.values()),
        duplicates=sum(n - 1 for n in answered.values() if n > 1), stuck=stuck(harness),
    )


def assert_every_letter_once(counts: Counts) -> None:
    assert counts.acknowledged == counts.sent  # every letter was stored in the end
    assert counts.tickets == counts.acknowledged and counts.quarantined == 0
    assert counts.acknowledgements == counts.acknowledged and counts.duplicates == 0
    assert counts.stuck == 0


# --- fixtures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    """A PostgreSQL cluster of this module's own, to restart under the daemon."""
    if why := unavailable():
        pytest.skip(why)
    server = PgCluster(free_port())
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def pg_harness(
    cluster: PgCluster, tmp_path: Path, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Harness]:
    monkeypatch.setenv("MAILGATE_SECRET", SECRET)
    url = cluster.create_database(f"faults_{uuid.uuid4().hex[:12]}")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    harness = Harness(tmp_path, url, sink, smtp_in_port=free_port())
    yield harness
    harness.close()


def sqlite_harness(
    directory: Path, template: Path, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> Harness:
    monkeypatch.setenv("MAILGATE_SECRET", SECRET)
    path = directory / "mailgate.db"
    shutil.copy(template, path)
    harness = Harness(directory, f"sqlite:///{path}", sink, smtp_in_port=free_port())
    with_busy_timeout(harness, BUSY_SECONDS)
    return harness


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 32 MiB tmpfs of the test's own, to fill up."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m,mode=0755", "tmpfs",
                           str(mount)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(directory: Path) -> Path:
    """A file that takes every free byte of the file system (unbuffered: nothing is left to
    write, and fail, when it is closed)."""
    filler = directory / "filler"
    handle = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1024 * 1024, 4096):  # then the last pages
            with contextlib.suppress(OSError):  # ENOSPC: full
                while True:
                    os.write(handle, bytes(size))
    finally:
        os.close(handle)
    return filler


# --- PostgreSQL restarted mid-burst ------------------------------------------------------------

@pytest.mark.long
def test_postgresql_restarted_mid_burst(cluster: PgCluster, pg_harness: Harness) -> None:
    harness = pg_harness
    total = sized(60, 600)
    letters = [Letter("pg", n) for n in range(total)]
    answers = Answers({})
    with serving(harness) as daemon:
        port = daemon.smtp_port
        assert port is not None
        deadline = time.monotonic() + 240
        clients = [
            threading.Thread(target=send_until_accepted,
                             args=(port, letters[i::4], answers, deadline))
            for i in range(4)
        ]
        for client in clients:
            client.start()
        wait_until(lambda: len(answers.acknowledged()) >= total // 3, timeout=60,
                   what="a third of the burst acknowledged")
        cluster.restart()  # pg_ctl restart -m fast: every session ends, mid-transaction
        restarted_at = len(answers.acknowledged())
        for client in clients:
            client.join()

        # while it is down, nobody hears 250
        cluster.stop()
        down = Letter("pg-down", 0)
        assert smtp_send(port, down) == 451
        cluster.start()
        # …and once it is back, the same daemon takes that mail and a new one
        after = Letter("pg-after", 0)
        answers.by_letter[down] = [451]
        send_until_accepted(port, [down, after], answers, time.monotonic() + 60)
        sent = [*letters, down, after]
        acknowledged = answers.acknowledged()
        settle(harness, acknowledged)
        counts = count(harness, sent, acknowledged)

    codes = answers.codes()
    print(f"PostgreSQL restarted after {restarted_at} of {total} acknowledged "
          f"({'full' if FULL else 'bounded'} size); answers {dict(codes)}; {counts}")
    assert set(codes) <= {250, 451}, codes  # never a permanent refusal, never silence
    assert_every_letter_once(counts)


# --- SQLite locked by another writer -----------------------------------------------------------

def test_sqlite_locked_by_another_writer(
    tmp_path: Path, sqlite_template: Path, sink: SmtpSink, dovecot: Dovecot,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="mailgate.imap")
    harness = sqlite_harness(tmp_path, sqlite_template, sink, monkeypatch)
    box = Mailbox(dovecot, harness, monkeypatch)
    box.configure(idle=False, poll_seconds=0.2, after="move")
    with_busy_timeout(harness, BUSY_SECONDS)  # configure wrote the file again
    database = tmp_path / "mailgate.db"
    before = [Letter("before", n) for n in range(5)]
    during = [Letter("locked", n) for n in range(3)]
    piped, fetched = Letter("ingest", 0), Letter("imap", 0)
    answers = Answers({})
    with serving(harness) as daemon:
        port = daemon.smtp_port
        assert port is not None
        for letter in before:  # stored; the pipeline takes them while the lock comes
            answers.by_letter[letter] = [smtp_send(port, letter)]
        assert all(codes == [250] for codes in answers.by_letter.values())

        writer = sqlite3.connect(database, isolation_level=None, timeout=60)
        writer.execute("BEGIN IMMEDIATE")  # another writer: a script, a backup, sqlite3 CLI
        locked_at = time.monotonic()
        try:
            for letter in during:
                answers.by_letter[letter] = [smtp_send(port, letter)]
                assert answers.by_letter[letter] == [451]
            ingest = harness.run_process("ingest", stdin=piped.raw)
            assert ingest.returncode == 75, ingest.stderr.decode()
            assert b"database is locked" in ingest.stderr  # and the MTA keeps the mail
            box.append(fetched.raw)
            wait_until(lambda: "mailbox support" in caplog.text, timeout=30,
                       what="the IMAP follower to fail to store")
            assert len(box.messages()) == 1 and not box.messages("Processed")
            held = time.monotonic() - locked_at
            assert held > BUSY_SECONDS
        finally:
            writer.rollback()
            writer.close()

        # the lock is gone: the same daemon takes everything; the refused are sent again
        send_until_accepted(port, during, answers, time.monotonic() + 60)
        retried = pipe_until_stored(harness, piped, time.monotonic() + 60)
        assert retried[-1] == 0, retried
        wait_until(lambda: not box.messages(), timeout=30, what="the IMAP mail moved")
        sent = [*before, *during, piped, fetched]
        settle(harness, sent)
        counts = count(harness, sent, sent)

    print(f"SQLite locked for {held:.1f} s (busy timeout {BUSY_SECONDS} s); SMTP answers "
          f"{dict(answers.codes())}; ingest exit {ingest.returncode} then {retried}; "
          f"IMAP moved after the lock; {counts}")
    assert_every_letter_once(counts)


# --- the disk full under SQLite ----------------------------------------------------------------

def test_sqlite_disk_full(
    small_disk: Path, sqlite_template: Path, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch,
) -> None:
    harness = sqlite_harness(small_disk, sqlite_template, sink, monkeypatch)
    before = [Letter("roomy", n, body_bytes=20_000) for n in range(5)]
    full = [Letter("full", n, body_bytes=100_000) for n in range(20)]
    piped = Letter("ingest-full", 0, body_bytes=2_000_000)
    answers = Answers({})
    with serving(harness) as daemon:
        port = daemon.smtp_port
        assert port is not None
        send_until_accepted(port, before, answers, time.monotonic() + 60)
        settle(harness, before)

        filler = fill(small_disk)
        for letter in full:  # until the space the database had kept is used up as well
            answers.by_letter[letter] = [smtp_send(port, letter)]
        refused = [letter for letter in full if answers.by_letter[letter] == [451]]
        assert refused, f"no 451 on a full disk: {answers.codes()}"
        assert set(answers.codes()) <= {250, 451}
        ingest = harness.run_process("ingest", stdin=piped.raw)
        assert ingest.returncode == 75, ingest.stderr.decode()
        assert b"could not store" in ingest.stderr

        filler.unlink()  # space again: the same daemon carries on
        send_until_accepted(port, refused, answers, time.monotonic() + 60)
        retried = pipe_until_stored(harness, piped, time.monotonic() + 60)
        assert retried[-1] == 0, retried
        sent = [*before, *full, piped]
        settle(harness, sent)
        counts = count(harness, sent, sent)

    print(f"disk full: {len(full) - len(refused)} of {len(full)} stored in the space left, "
          f"{len(refused)} refused with 451 and sent again; ingest exit {ingest.returncode} "
          f"then {retried}; {counts}")
    assert_every_letter_once(counts)


# --- which failures mean "the database cannot write now" ---------------------------------------

def test_unavailable_is_told_from_a_refused_statement(
    tmp_path: Path, sqlite_template: Path, cluster: PgCluster
) -> None:
    """Mail is refused for now (451, 75) or left waiting only for these; a statement the database
    refuses is the message's problem (quarantine with the reason), as before."""
    path = tmp_path / "mailgate.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}", busy_timeout_seconds=0.2)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError) as locked, engine.begin() as connection:
            connection.execute(text("UPDATE inbound_message SET reason = ''"))
    finally:
        writer.rollback()
        writer.close()
    with pytest.raises(OperationalError) as no_table, engine.begin() as connection:
        connection.execute(text("SELECT * FROM no_such_table"))
    engine.dispose()

    closed = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/postgres")
    with pytest.raises(OperationalError) as refused, closed.connect():
        pass
    served = make_engine(cluster.url)
    with pytest.raises(ProgrammingError) as bad_sql, served.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table"))
    served.dispose()

    assert database_unavailable(locked.value), locked.value
    assert database_unavailable(refused.value), refused.value
    assert not database_unavailable(no_table.value), no_table.value
    assert not database_unavailable(bad_sql.value), bad_sql.value
