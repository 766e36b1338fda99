"""The IMAP door against awkward mailboxes and servers: mail too large to take, mail the server
will not return, mail deleted under us, folders that are not there, servers without MOVE or
IDLE, the same mail by SMTP too, and two daemons on one mailbox."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from imapclient import DELETED, IMAPClient
from imapclient.exceptions import IMAPClientError

from mailgate.clock import utcnow
from mailgate.config import SmtpIn
from mailgate.daemon import Daemon
from mailgate.intake import imap
from mailgate.intake.imap import MAX_STRIKES, FolderError, Follower
from mailgate.intake.imap_fetch import Left, Taken
from tests.conftest import free_port
from tests.mail import mail
from tests.support.dovecot import Dovecot
from tests.support.harness import Harness, wait_until
from tests.support.imap_box import ADMIN, Mailbox, numbered, state_of, status_of, subjects
from tickets.models import InboundMessage

LIMIT = 20_000


def huge() -> bytes:
    scan = "\n".join(f"line {n} of a scanned document pasted as text" for n in range(2000))
    return mail(subject="Huge scan", message_id="<huge@school.example>", body=scan)


def quarantined(harness: Harness) -> list[dict[str, Any]]:
    result = harness.cli("quarantine", "list", "--json")
    assert result.code == 0, result.err
    return result.json()


# --- too large to take --------------------------------------------------------------------------
def test_mail_over_max_message_bytes_stays_in_the_folder_and_is_quarantined(
    box: Mailbox,
) -> None:
    box.configure(max_message_bytes=LIMIT)
    box.append(numbered(1))
    box.append(huge())
    box.append(numbered(3))
    report = box.follower().run_once()
    assert (report.stored, report.left, report.acked) == (2, 1, 2)

    [(uid, _flags)] = box.messages().items()  # only the large one is still in the INBOX
    assert uid == 2 and len(box.messages("Processed")) == 2
    [held] = quarantined(box.harness)
    assert held["reason"].startswith("too large: ")
    assert f"over max_message_bytes ({LIMIT:,})" in held["reason"]
    assert "left in INBOX on 127.0.0.1 as UID 2" in held["reason"]
    assert held["message_id"] == "huge@school.example" and held["size"] > LIMIT
    assert "too large" in box.harness.cli("quarantine", "list").out
    with box.harness.session() as session:
        row = session.get(InboundMessage, held["id"])
        assert row is not None and b"Subject: Huge scan" in row.raw and b"line 1 " not in row.raw

    retry = box.harness.cli("quarantine", "retry", str(held["id"]))
    assert retry.code == 1 and "is not stored whole" in retry.err and "left in INBOX" in retry.err

    # the mailbox goes on: the large message is not looked at again, nor quarantined twice
    again = box.follower().run_once()
    assert (again.fetched, again.left) == (0, 0)
    assert state_of(box.harness).last_uid == 3
    box.append(numbered(4))
    assert box.follower().run_once().stored == 1
    assert len(quarantined(box.harness)) == 1
    box.harness.tick(utcnow())
    assert subjects(box.harness) == ["Request 1", "Request 3", "Request 4"]


class CrashOnSecondAck(Follower):
    acks = 0

    def acknowledge(self, client: IMAPClient, uids: list[int]) -> None:
        self.acks += 1
        if self.acks == 2:
            raise SystemExit("killed between store and move")
        super().acknowledge(client, uids)


def test_a_crash_before_the_move_never_moves_the_mail_that_was_left(box: Mailbox) -> None:
    box.configure(max_message_bytes=LIMIT)
    box.append(numbered(1))
    box.append(huge())
    box.append(numbered(3))
    with pytest.raises(SystemExit):
        box.follower(CrashOnSecondAck).run_once()
    assert list(box.messages()) == [2, 3]  # 3 stored, not moved

    report = box.follower().run_once()
    assert (report.fetched, report.acked) == (0, 1)  # 3 moved, nothing fetched again
    assert list(box.messages()) == [2]  # the large one is still where it was
    assert len(box.messages("Processed")) == 2
    assert len(quarantined(box.harness)) == 1


# --- the server will not give it ----------------------------------------------------------------
def maildir_file(box: Mailbox, needle: bytes) -> Path:
    [path] = [p for p in (box.server.dir / "mail" / box.user).glob("*/*")
              if p.is_file() and p.parent.name in ("new", "cur") and needle in p.read_bytes()]
    return path


def test_a_message_the_server_fails_on_is_quarantined_and_the_rest_go_on(box: Mailbox) -> None:
    box.configure(batch_size=10)
    box.append(numbered(1))
    box.append(mail(subject="Broken", message_id="<broken@school.example>"))
    box.append(numbered(3))
    broken = maildir_file(box, b"<broken@school.example>")
    broken.chmod(0)  # Dovecot cannot read it: its FETCH fails and it drops the connection
    try:
        follower = box.follower()  # one follower: it remembers failures across reconnects
        attempts = 0
        while True:
            attempts += 1
            assert attempts <= MAX_STRIKES + 2, "the broken message holds up the mailbox"
            try:
                report = follower.run_once()
                break
            except Exception:  # the daemon reconnects after any failure
                assert state_of(box.harness).status != "ok"
                continue
        assert report.left == 1
        assert list(box.messages()) == [2] and len(box.messages("Processed")) == 2
        [held] = quarantined(box.harness)
        assert held["reason"].startswith(f"the server failed {MAX_STRIKES} times to return it")
        assert "left in INBOX on 127.0.0.1 as UID 2" in held["reason"]
        assert state_of(box.harness).status == "ok"
        box.harness.tick(utcnow())
        assert subjects(box.harness) == ["Request 1", "Request 3"]
    finally:  # Dovecot may have moved it from new/ to cur/
        for path in (box.server.dir / "mail" / box.user).glob("*/*"):
            if path.parent.name in ("new", "cur"):
                path.chmod(0o600)


class FailsOnUid2:
    """A client whose server fails every FETCH that includes UID 2, even of its size."""

    def __init__(self, client: IMAPClient) -> None:
        self.client = client

    def fetch(self, uids: list[int], data: list[str]) -> dict[int, Any]:
        if 2 in uids:
            raise IMAPClientError(f"FETCH failed: Internal error ({data})")
        return self.client.fetch(uids, data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


class FailingFollower(Follower):
    def connect(self) -> IMAPClient:
        return FailsOnUid2(super().connect())  # type: ignore[return-value]


def test_a_message_whose_every_fetch_fails_is_given_up_on(box: Mailbox) -> None:
    box.configure(after="flag")
    for n in (1, 2, 3):
        box.append(numbered(n))
    follower = box.follower(FailingFollower)
    failures = 0
    while True:
        try:
            report = follower.run_once()
            break
        except IMAPClientError:
            failures += 1
            assert failures <= MAX_STRIKES + 1, "UID 2 holds up the mailbox"
    assert failures == MAX_STRIKES + 1  # the batch, then UID 2 alone three times
    assert (report.left, state_of(box.harness).last_uid) == (1, 3)
    [held] = quarantined(box.harness)
    assert "failed 3 times" in held["reason"] and "nothing of it is kept here" in held["reason"]
    assert len(box.harness.inbound()) == 3


class Withholding:
    """A client whose server answers FETCH BODY.PEEK[] without one message (as some do for a
    damaged one), though the message is there and its header can be read."""

    def __init__(self, client: IMAPClient, uid: int) -> None:
        self.client, self.uid = client, uid

    def fetch(self, uids: list[int], data: list[str]) -> dict[int, Any]:
        answer = self.client.fetch(uids, data)
        if data == ["BODY.PEEK[]"]:
            answer.pop(self.uid, None)
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


class WithholdsUid2(Follower):
    def take(
        self, client: IMAPClient, uids: list[int], size_of: dict[int, int]
    ) -> list[Taken | Left]:
        return super().take(Withholding(client, 2), uids, size_of)  # type: ignore[arg-type]


def test_a_message_the_server_answers_without_is_quarantined_with_its_header(
    box: Mailbox,
) -> None:
    box.configure(after="flag")
    for n in (1, 2, 3):
        box.append(numbered(n))
    report = box.follower(WithholdsUid2).run_once()
    assert (report.stored, report.left, report.acked) == (2, 1, 2)
    [held] = quarantined(box.harness)
    assert held["reason"].startswith("the server answered the fetch without it")
    assert "only its header is kept" in held["reason"]
    assert held["message_id"] == "request-2@school.example"
    flags = box.messages()
    assert [uid for uid, f in flags.items() if b"\\Seen" in f] == [1, 3]  # 2 not marked read


class ExpungedByAnotherClient(Follower):
    """Another client deletes UID 2 between our search and our fetch."""

    def __init__(self, *args: Any, box: Mailbox, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.box = box

    def take(
        self, client: IMAPClient, uids: list[int], size_of: dict[int, int]
    ) -> list[Taken | Left]:
        with self.box.client() as other:
            other.select_folder("INBOX")
            other.delete_messages([2])
            other.expunge()
        client.noop()  # our session hears of it, so the server leaves it out of the answer
        return super().take(client, uids, size_of)


def test_mail_expunged_by_another_client_mid_batch_is_simply_gone(box: Mailbox) -> None:
    box.configure()
    for n in (1, 2, 3):
        box.append(numbered(n))
    config = box.harness.config
    follower = ExpungedByAnotherClient(config, config.imap[0], box.harness.engine, box=box)
    report = follower.run_once()
    assert (report.stored, report.left, report.acked) == (2, 0, 2)
    assert quarantined(box.harness) == []
    assert box.messages() == {} and len(box.messages("Processed")) == 2
    state = state_of(box.harness)
    assert (state.status, state.last_uid, state.acked_uid) == ("ok", 3, 3)


# --- folders ------------------------------------------------------------------------------------
def test_a_folder_that_does_not_exist_is_named_and_reported_at_once(box: Mailbox) -> None:
    box.configure(folder="Suport")
    with pytest.raises(FolderError):
        box.follower().run_once()
    state = state_of(box.harness)
    assert state.status == "bad_folder" and state.alert_sent_at is not None
    assert 'folder = "Suport" does not exist' in state.last_error
    assert "folders there: INBOX" in state.last_error
    status = box.harness.cli("status")
    assert status.code == 1 and 'folder = "Suport"' in status.out
    box.harness.tick(utcnow())
    [alert] = box.harness.sink.to(ADMIN)
    assert "Check `folder` and `processed_folder`" in alert.text()


def test_a_processed_folder_that_cannot_be_created_is_named(box: Mailbox) -> None:
    box.configure(processed_folder="~Done")
    box.append(numbered(1))
    with pytest.raises(FolderError, match='processed_folder = "~Done" does not exist'):
        box.follower().run_once()
    state = state_of(box.harness)
    assert state.status == "bad_folder" and "Invalid mailbox name" in state.last_error
    assert box.harness.inbound() == [] and len(box.messages()) == 1  # nothing taken meanwhile


# --- servers without MOVE (and IDLE) ------------------------------------------------------------
@pytest.fixture(scope="module", params=["IMAP4rev1 UIDPLUS", "IMAP4rev1"])
def plain_dovecot(request: pytest.FixtureRequest) -> Iterator[Dovecot]:
    server = Dovecot(free_port(), capability=request.param)
    server.start()
    yield server
    server.close()


def test_a_server_without_move_or_idle_gets_copy_expunge_and_polling(
    plain_dovecot: Dovecot, harness: Harness, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    box = Mailbox(plain_dovecot, harness, monkeypatch)
    box.configure(idle=True, poll_seconds=0.2)
    uidplus = b"UIDPLUS" in box.client().capabilities()
    box.append(mail(subject="Deleted by a person", message_id="<gone@school.example>"),
               flags=(DELETED,))  # someone deleted it in their mail client, not yet expunged
    caplog.set_level(logging.INFO, logger="mailgate.imap")
    with harness.daemon():
        for n in (1, 2):
            box.append(numbered(n))
        wait_until(lambda: len(box.messages("Processed")) == 3, what="3 messages moved")
    assert "polling every 0.2 s" in caplog.text  # the server has no IDLE
    assert sorted(i.message_id for i in harness.inbound()) == [
        "gone@school.example", "request-1@school.example", "request-2@school.example"]
    # UID EXPUNGE (RFC 4315) takes only what we copied; without UIDPLUS, EXPUNGE takes every
    # \Deleted message in the folder, so the person's deleted one goes too (it was copied first)
    assert box.messages() == {}
    if uidplus:
        assert len(box.messages("Processed")) == 3


# --- the same mail by two doors -----------------------------------------------------------------
def test_the_same_mail_by_smtp_and_imap_makes_one_ticket(box: Mailbox) -> None:
    box.configure(idle=True, poll_seconds=600)
    harness = box.harness
    with harness.daemon():
        harness.send(numbered(1), mail_from="jane@school.example")
        harness.wait_processed(1)
        box.append(numbered(1))  # Bcc'd to the Microsoft 365 mailbox as well
        wait_until(lambda: len(box.messages("Processed")) == 1, what="the IMAP copy moved")
        harness.wait_sink(1)
    [inbound] = harness.inbound()
    assert inbound.source == "smtp"
    assert subjects(harness) == ["Request 1"]
    outbox = harness.cli("outbox", "list", "--json").json()
    assert [row["kind"] for row in outbox] == ["acknowledgement"]


# --- two daemons --------------------------------------------------------------------------------
# PostgreSQL only: SQLite is the one-daemon deployment, with no lock to share
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_daemons_follow_one_mailbox_one_at_a_time(
    box: Mailbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    harness = box.harness
    monkeypatch.setattr(imap, "LOCK_RETRY_SECONDS", 0.2)  # stand-by looks again this often
    box.configure(idle=True, poll_seconds=600)
    config = harness.config
    quiet = config.model_copy(update={"smtp_in": SmtpIn(enabled=False)})
    caplog.set_level(logging.INFO, logger="mailgate.imap")
    first, second = Daemon(config, harness.engine), Daemon(quiet, harness.engine)
    running = [first, second]
    first.start()
    try:
        wait_until(lambda: status_of(harness) == "ok", what="the first to log in")
        second.start()
        wait_until(lambda: "another daemon follows it; standing by" in caplog.text,
                   what="the second daemon to stand by")
        for n in range(1, 6):
            box.append(numbered(n))
        wait_until(lambda: len(harness.tickets()) == 5, what="five tickets")
        running.remove(first)
        first.stop()
        box.append(numbered(6))
        wait_until(lambda: len(harness.tickets()) == 6, what="the second daemon to take over")
    finally:
        for daemon in running:
            daemon.stop()
    assert subjects(harness) == [f"Request {n}" for n in range(1, 7)]
    assert len(harness.inbound()) == 6
    assert caplog.text.count("following INBOX on 127.0.0.1") == 2  # once each, one at a time
