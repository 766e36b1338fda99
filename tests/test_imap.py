"""The IMAP door against a real Dovecot: nothing lost, nothing repeated, failures loud."""

from __future__ import annotations

import logging
import ssl
from datetime import timedelta
from pathlib import Path

import pytest
from imapclient import SEEN, IMAPClient
from sqlmodel import Session, select

from mailgate.clock import utcnow
from mailgate.config import ConfigError, load_config
from mailgate.intake.imap import Follower
from mailgate.intake.imap_auth import AuthFailure
from mailgate.intake.imap_fetch import Left, Taken
from mailgate.intake.imap_lock import MailboxLock
from tests.conftest import free_port
from tests.mail import mail
from tests.support.harness import STAFF, Harness, wait_until
from tests.support.imap_box import (
    ADMIN,
    PASSWORD_ENV,
    Mailbox,
    numbered,
    state_of,
    status_of,
    subjects,
)
from tests.support.threads import CUSTOMER, open_ticket, wait_mail
from tickets.models import InboundMessage, Outbox


# --- push delivery ------------------------------------------------------------------------------
def test_new_message_becomes_a_ticket_within_seconds_via_idle(box: Mailbox) -> None:
    box.configure(idle=True, poll_seconds=600)  # only IDLE could make it this quick
    harness = box.harness
    with harness.daemon():
        wait_until(lambda: status_of(harness) == "ok", what="the follower to log in")
        box.append(numbered(1))
        wait_until(lambda: harness.tickets(), what="a ticket from IDLE, not in 600 s")
        harness.wait_sink(1)  # the acknowledgement went out
        wait_until(lambda: not box.messages(), what="the message to be moved")
        # each next one lands as the follower goes back to IDLE: a push lost in that race
        # (Dovecot 2.3 loses some) must not leave a message waiting for poll_seconds
        for n in range(2, 9):
            box.append(numbered(n))
            wait_until(lambda n=n: len(harness.tickets()) == n, what=f"ticket {n}")
    assert subjects(harness) == [f"Request {n}" for n in range(1, 9)]
    assert {i.source for i in harness.inbound()} == {"imap:support"}
    assert len(box.messages("Processed")) == 8


def test_polling_mode_without_idle(box: Mailbox, caplog: pytest.LogCaptureFixture) -> None:
    box.configure(idle=False, poll_seconds=0.2)
    harness = box.harness
    caplog.set_level(logging.INFO, logger="mailgate.imap")
    with harness.daemon():
        box.append(numbered(1))
        wait_until(lambda: harness.tickets(), what="a ticket by polling")
        box.append(numbered(2))
        wait_until(lambda: len(harness.tickets()) == 2, what="a second ticket by polling")
    assert "polling every 0.2 s" in caplog.text
    assert not box.messages()


class CountingIdles(Follower):
    idles = 0

    def wait_idle(self, client: IMAPClient) -> None:
        self.idles += 1
        super().wait_idle(client)


class AppendsAsIdleStarts(Follower):
    """Another client's APPEND commits just before the follower's first IDLE."""

    box: Mailbox
    idles = 0

    def wait_idle(self, client: IMAPClient) -> None:
        self.idles += 1
        if self.idles == 1:
            self.box.append(numbered(1))
        super().wait_idle(client)


def test_mail_that_lands_just_before_idle_starts_is_taken_at_once(box: Mailbox) -> None:
    # The server reports it with IDLE's "+ idling", in the same packet: imaplib reads it into its
    # buffer, where a wait on the socket alone would not see it for poll_seconds.
    box.configure(idle=True, poll_seconds=600)
    follower = box.follower(AppendsAsIdleStarts)
    follower.box = box
    follower.start()
    try:
        wait_until(lambda: box.harness.inbound(), what="the message, not in 600 s")
    finally:
        follower.stop()
    assert follower.idles >= 2 and not box.messages()


def test_idle_is_renewed_and_the_folder_searched_again(box: Mailbox) -> None:
    box.configure(idle=True, poll_seconds=0.3)  # RFC 2177: well before 29 minutes; here 0.3 s
    follower = box.follower(CountingIdles)
    follower.start()
    try:
        wait_until(lambda: follower.idles >= 4, what="IDLE issued again and again")
        assert follower.thread is not None and follower.thread.is_alive()
        assert box.harness.inbound() == []
    finally:
        follower.stop()
    assert follower.thread is not None and not follower.thread.is_alive()


# --- acknowledging: move or flag --------------------------------------------------------------
def test_move_mode_creates_the_folder_and_moves_after_storing(box: Mailbox) -> None:
    box.configure(after="move", processed_folder="Done/Tickets")
    for n in range(3):
        box.append(numbered(n))
    report = box.follower().run_once()
    assert (report.stored, report.duplicates, report.acked) == (3, 0, 3)
    assert box.messages() == {}
    assert len(box.messages("Done/Tickets")) == 3
    assert [i.state for i in box.harness.inbound()] == ["received"] * 3
    box.harness.tick(utcnow())
    assert subjects(box.harness) == ["Request 0", "Request 1", "Request 2"]
    assert box.follower().run_once().fetched == 0


def test_flag_mode_marks_seen_and_leaves_the_mail(box: Mailbox) -> None:
    box.configure(after="flag")
    box.append(numbered(1))
    box.append(numbered(2))
    assert box.follower().run_once().stored == 2
    flags = box.messages()
    assert len(flags) == 2 and all(SEEN in f for f in flags.values())
    assert box.follower().run_once().fetched == 0  # by UID, so nothing twice
    box.append(numbered(3))
    report = box.follower().run_once()
    assert (report.stored, report.duplicates) == (1, 0)
    assert not box.messages("Processed")
    assert state_of(box.harness).last_uid == max(box.messages())


def test_message_already_read_by_another_client_is_still_taken(box: Mailbox) -> None:
    box.configure(after="flag")
    box.append(numbered(1), flags=(SEEN,))  # someone read it in Outlook first
    box.append(numbered(2))
    assert box.follower().run_once().stored == 2
    box.harness.tick(utcnow())
    assert subjects(box.harness) == ["Request 1", "Request 2"]


# --- crashes and outages ------------------------------------------------------------------------
class Recording(Follower):
    """Remembers every UID it fetched, to prove nothing is fetched twice."""

    fetched: list[int]
    on_batch: object = None  # called before each batch is fetched
    on_fetched: object = None  # and after

    def take(
        self, client: IMAPClient, uids: list[int], size_of: dict[int, int]
    ) -> list[Taken | Left]:
        if callable(self.on_batch):
            self.on_batch(uids)
        items = super().take(client, uids, size_of)
        self.fetched.extend(item.uid for item in items if isinstance(item, Taken))
        if callable(self.on_fetched):
            self.on_fetched(uids)
        return items


@pytest.mark.parametrize("when", ["on_batch", "on_fetched"])
def test_connection_dropped_mid_fetch_loses_and_repeats_nothing(box: Mailbox, when: str) -> None:
    # the server dies as the second batch is to be fetched, or once it is fetched and not moved
    box.configure(after="move", batch_size=2)
    for n in range(5):
        box.append(numbered(n))
    fetched: list[int] = []
    batches = 0

    def kill_server_at_second_batch(_uids: list[int]) -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            box.server.stop()

    first = box.follower(Recording)
    first.fetched = fetched
    setattr(first, when, kill_server_at_second_batch)
    with pytest.raises(Exception):  # noqa: B017 - whatever the socket says as it dies
        first.run_once()
    assert state_of(box.harness).status == "unreachable"
    stored_first = len(box.harness.inbound())
    assert stored_first == (2 if when == "on_batch" else 4)

    box.server.start()
    second = box.follower(Recording)
    second.fetched = fetched
    report = second.run_once()
    assert (report.stored, report.duplicates) == (5 - stored_first, 0)
    assert len(fetched) == len(set(fetched)) == 5  # each message fetched exactly once
    assert box.messages() == {} and len(box.messages("Processed")) == 5
    assert len(box.harness.inbound()) == 5
    assert state_of(box.harness).status == "ok"
    box.harness.tick(utcnow())
    assert subjects(box.harness) == [f"Request {n}" for n in range(5)]


def test_daemon_reconnects_after_the_server_restarts(box: Mailbox) -> None:
    box.configure(idle=True, poll_seconds=600)
    harness = box.harness
    with harness.daemon():
        wait_until(lambda: status_of(harness) == "ok", what="the follower to log in")
        box.server.stop()  # the IDLE connection drops
        wait_until(lambda: status_of(harness) == "unreachable", what="the outage to be recorded")
        box.server.start()
        wait_until(lambda: status_of(harness) == "ok", timeout=60, what="a reconnect with backoff")
        box.append(numbered(1))
        wait_until(lambda: harness.tickets(), what="a ticket after the reconnect")
    assert state_of(harness).failing_since is None


def test_the_same_message_twice_in_the_mailbox_makes_one_ticket(box: Mailbox) -> None:
    box.configure()
    box.append(numbered(1))
    box.append(numbered(1))  # a client's retried APPEND, say
    report = box.follower().run_once()
    assert (report.stored, report.duplicates, report.acked) == (1, 1, 2)
    box.harness.tick(utcnow())
    assert subjects(box.harness) == ["Request 1"]


def test_a_reply_by_smtp_and_again_through_the_mailbox_is_one_message(box: Mailbox) -> None:
    """The customer's reply reaches the listener and, through a second route, the followed
    mailbox: each copy with trace headers of its own. One message on the ticket, one notice."""
    box.configure()
    harness = box.harness
    reply = mail(subject="Re: [INC0000001] Printer in room 12 is jammed", body="Tray 2.\n",
                 message_id="<tray-2@school.example>")
    with harness.daemon():
        wait_until(lambda: status_of(harness) == "ok", what="the follower to log in")
        open_ticket(harness)
        assert harness.cli("tickets", "update", "INC0000001", "--assign", STAFF).code == 0
        harness.send(b"Received: from mx1.school.example by relay.desk.example; "
                     b"Wed, 25 Nov 2026 10:00:01 +0000\n" + reply, mail_from=CUSTOMER)
        harness.wait_processed(2)
        box.append(b"Return-Path: <jane@school.example>\nDelivered-To: support@desk.example\n"
                   b"Received: from mx2.school.example by imap.desk.example; "
                   b"Wed, 25 Nov 2026 10:00:03 +0000\n" + reply)
        wait_until(lambda: len(box.messages("Processed")) == 1, what="the copy to be taken")
        [notice] = wait_mail(harness, "customer_reply", to=STAFF)
    assert [(i.source, i.state) for i in harness.inbound()] == [("smtp", "done"),
                                                                  ("smtp", "done")]
    bodies = [m["body"] for m in harness.ticket_json("INC0000001")["messages"]
              if m["direction"] == "in"]
    assert bodies[1:] == ["Tray 2."]
    assert "Tray 2." in notice.text()
    with harness.session() as session:
        kinds = [r.kind for r in session.exec(select(Outbox)).all()]
    assert kinds.count("customer_reply") == 1


class CrashBeforeAck(Recording):
    def acknowledge(self, client: IMAPClient, uids: list[int]) -> None:
        raise SystemExit("killed between store and move")


def test_daemon_killed_between_store_and_move_repeats_nothing(box: Mailbox) -> None:
    box.configure(after="move")
    box.append(numbered(1))
    box.append(numbered(2))
    fetched: list[int] = []
    crashing = box.follower(CrashBeforeAck)
    crashing.fetched = fetched
    with pytest.raises(SystemExit):
        crashing.run_once()
    assert len(box.harness.inbound()) == 2  # committed before the crash
    assert len(box.messages()) == 2  # but not moved

    restarted = box.follower(Recording)
    restarted.fetched = fetched
    report = restarted.run_once()
    assert (report.fetched, report.acked) == (0, 2)  # acknowledged, not fetched again
    assert len(fetched) == 2
    assert box.messages() == {} and len(box.messages("Processed")) == 2
    box.harness.tick(utcnow())
    assert subjects(box.harness) == ["Request 1", "Request 2"]
    outbox = box.harness.cli("outbox", "list", "--json").json()
    assert sorted(r["ticket"] for r in outbox if r["kind"] == "acknowledgement") == [
        "INC0000001", "INC0000002"]  # one acknowledgement each


def test_uidvalidity_reset_refetches_without_duplicates(box: Mailbox) -> None:
    box.configure(folder="Support", after="flag")
    with box.client() as client:
        client.create_folder("Support")
    box.append(numbered(1), "Support")
    box.append(numbered(2), "Support")
    assert box.follower().run_once().stored == 2
    before = state_of(box.harness).uidvalidity

    # the folder is rebuilt (a migration, a restore): same mail, new UIDs, new UIDVALIDITY
    with box.client() as client:
        client.delete_folder("Support")
        client.create_folder("Support")
    for n in (1, 2, 3):
        box.append(numbered(n), "Support")
    report = box.follower().run_once()
    assert (report.stored, report.duplicates) == (1, 2)
    state = state_of(box.harness)
    assert state.uidvalidity != before
    assert state.last_uid == max(box.messages("Support"))
    box.harness.tick(utcnow())
    assert subjects(box.harness) == ["Request 1", "Request 2", "Request 3"]


# --- failures are loud --------------------------------------------------------------------------
def test_wrong_password_shows_in_status_logs_and_one_admin_mail(
    box: Mailbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    box.configure()
    harness = box.harness
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    caplog.set_level(logging.ERROR, logger="mailgate.imap")
    for _ in range(3):
        with pytest.raises(AuthFailure):
            box.follower().run_once()
    assert len([r for r in caplog.records if "auth_failed" in r.getMessage()]) == 3

    status = harness.cli("status", "--json")
    assert status.code == 1
    [mailbox] = status.json()["mailboxes"]
    assert mailbox["status"] == "auth_failed" and mailbox["failing"]
    assert "AUTHENTICATIONFAILED" in mailbox["last_error"]
    text = harness.cli("status")
    assert "support FAILING since" in text.out and "AUTHENTICATIONFAILED" in text.out

    harness.tick(utcnow() + timedelta(minutes=1))
    [alert] = harness.sink.to(ADMIN)
    assert alert.header("Subject") == "mailgate cannot read mailbox support"
    assert PASSWORD_ENV in alert.text() and "AUTHENTICATIONFAILED" in alert.text()
    assert alert.header("Auto-Submitted") == "auto-generated"

    # fixed: healthy again; broken again later: a new outage, a new (single) mail
    monkeypatch.setenv(PASSWORD_ENV, "secret")
    box.follower().run_once()
    assert harness.cli("status", "--json").json()["mailboxes"][0]["status"] == "ok"
    assert harness.cli("status").code == 0
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    for _ in range(2):
        with pytest.raises(AuthFailure):
            box.follower().run_once()
    harness.tick(utcnow() + timedelta(minutes=1))
    assert len(harness.sink.to(ADMIN)) == 2
    with harness.session() as session:
        kinds = session.exec(select(Outbox.kind)).all()
    assert list(kinds) == ["mailbox_failing", "mailbox_failing"]


def test_status_counts_the_queues(box: Mailbox) -> None:
    box.configure()
    before = box.harness.cli("status", "--json")
    assert before.code == 0 and before.json()["mailboxes"][0]["status"] == "new"
    box.append(numbered(1))
    box.append(numbered(2))
    box.follower().run_once()
    data = box.harness.cli("status", "--json").json()
    assert data["queues"] == {
        "inbound": {"received": 2, "held": 0, "quarantined": 0},
        "outbox": {"pending": 0, "sending": 0, "failed": 0},
    }
    assert data["mailboxes"][0]["last_uid"] == 2
    box.harness.tick(utcnow())
    data = box.harness.cli("status", "--json").json()
    assert data["queues"]["inbound"]["received"] == 0


def test_xoauth2_token_command_is_run_again_when_the_token_is_refused(box: Mailbox) -> None:
    # Dovecot checks an XOAUTH2 token against the passdb: the password is the valid token here.
    tokens = box.harness.dir / "tokens"
    tokens.write_text("expired-token\nsecret\n")
    command = f"head -1 {tokens} && sed -i 1d {tokens}"
    box.configure(password_env=None, oauth2_token_command=command)
    box.append(numbered(1))
    assert box.follower().run_once().stored == 1
    assert tokens.read_text() == ""

    tokens.write_text("expired\nstill-expired\n")
    with pytest.raises(AuthFailure, match="XOAUTH2 refused"):
        box.follower().run_once()
    assert state_of(box.harness).status == "auth_failed"


def test_failing_token_command_is_an_auth_failure(box: Mailbox) -> None:
    revoked = "echo 'refresh token revoked' >&2; exit 3"
    box.configure(password_env=None, oauth2_token_command=revoked)
    with pytest.raises(AuthFailure, match="exited 3: refresh token revoked"):
        box.follower().run_once()
    assert "refresh token revoked" in state_of(box.harness).last_error


def test_tls_and_starttls(box: Mailbox) -> None:
    # the test server's certificate is self-signed: accepted only because we say so
    box.configure(security="tls", port=box.server.tls_port, verify_certificates=False)
    box.append(numbered(1))
    assert box.follower().run_once().stored == 1
    box.configure(security="starttls", verify_certificates=False)
    box.append(numbered(2))
    assert box.follower().run_once().stored == 1


def test_an_unverifiable_certificate_is_refused_and_reported_at_once(box: Mailbox) -> None:
    box.configure(security="tls", port=box.server.tls_port)
    with pytest.raises(ssl.SSLCertVerificationError):
        box.follower().run_once()
    state = state_of(box.harness)
    assert state.status == "tls_failed" and "certificate verify failed" in state.last_error
    assert state.alert_sent_at is not None  # no waiting: a person must look at it
    assert box.harness.inbound() == []


def test_a_network_outage_is_mailed_about_only_when_it_lasts(box: Mailbox) -> None:
    box.configure(port=free_port())  # nothing listens there
    start = utcnow()
    for minutes in (0, 5, 14):
        follower = box.follower()
        follower.clock = lambda minutes=minutes: start + timedelta(minutes=minutes)
        with pytest.raises(ConnectionRefusedError):
            follower.run_once()
    assert state_of(box.harness).alert_sent_at is None
    for minutes in (16, 30):
        follower = box.follower()
        follower.clock = lambda minutes=minutes: start + timedelta(minutes=minutes)
        with pytest.raises(ConnectionRefusedError):
            follower.run_once()
    state = state_of(box.harness)
    assert state.status == "unreachable" and state.failing_since == start
    assert state.alert_sent_at == start + timedelta(minutes=16)
    with box.harness.session() as session:
        assert len(session.exec(select(Outbox)).all()) == 1


# --- one follower per mailbox -------------------------------------------------------------------
def test_one_daemon_follows_a_mailbox_at_a_time(harness: Harness) -> None:
    first, second = MailboxLock(harness.engine, "support"), MailboxLock(harness.engine, "support")
    other = MailboxLock(harness.engine, "sales")
    try:
        assert first.acquire()
        if harness.engine.dialect.name == "postgresql":
            assert not second.acquire()  # the redundant daemon stands by
            assert other.acquire()  # other mailboxes are free
            first.release()
            assert second.acquire()
            assert not first.acquire()
        else:
            assert second.acquire()  # SQLite: one daemon by design, no lock to take
    finally:
        for lock in (first, second, other):
            lock.release()


def test_standby_daemon_takes_over_when_the_first_stops(box: Mailbox) -> None:
    box.configure(idle=True)
    harness = box.harness
    if harness.engine.dialect.name != "postgresql":
        assert MailboxLock(harness.engine, "support").acquire()  # always granted on SQLite
        return
    holder = MailboxLock(harness.engine, "support")
    assert holder.acquire()
    try:
        with harness.daemon():
            box.append(numbered(1))
            with pytest.raises(AssertionError):
                wait_until(lambda: harness.inbound(), timeout=1, what="nothing while standing by")
    finally:
        holder.release()
    with harness.daemon():
        wait_until(lambda: harness.tickets(), what="the ticket once the lock is free")


# --- config -------------------------------------------------------------------------------------
def test_mailbox_name_defaults_and_must_be_unique(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    mailbox = '[[imap]]\nhost = "imap.example"\nusername = "help"\npassword_env = "P"\n'
    path.write_text(mailbox)
    [only] = load_config(str(path)).imap
    assert only.name == "help@imap.example/INBOX"
    assert only.effective_port == 993
    path.write_text(mailbox + mailbox)
    with pytest.raises(ConfigError, match="two \\[\\[imap\\]\\] mailboxes are named help@"):
        load_config(str(path))
    path.write_text(mailbox + 'after = "move"\nprocessed_folder = "INBOX"\n')
    with pytest.raises(ConfigError, match="processed_folder must differ"):
        load_config(str(path))


def test_inbound_rows_name_their_mailbox(box: Mailbox) -> None:
    box.configure()
    box.append(numbered(1))
    box.follower().run_once()
    with Session(box.harness.engine) as session:
        assert session.exec(select(InboundMessage.source)).all() == ["imap:support"]


def test_mail_from_a_companys_mailbox_gets_that_company(box: Mailbox) -> None:
    box.configure(company="St Mary's Primary")
    body = "Hello,\n\nthe projector in the hall is dead.\n\nPat Smith\nTel: 01527 359 999\n"
    box.append(mail(subject="Projector", sender="Pat Smith <pat@mail.example>", body=body))
    box.append(numbered(1))  # school.example is Example School's domain: that wins
    box.append(mail(subject="From the desk", sender="Tech <tech@desk.example>",
                    message_id="<staff-1@desk.example>"))
    box.follower().run_once()
    box.harness.tick(utcnow())
    companies = {t.subject: box.harness.ticket_json(t.reference)["requester"]["company"]
                 for t in box.harness.tickets()}
    assert companies["Projector"] == "St Mary's Primary"
    assert companies["Request 1"] == "Example School"
    decisions = [row.decisions for row in box.harness.inbound()]
    assert "identify: pat@mail.example is a new sender, company St Mary's Primary" in decisions[0]
    assert not any("St Mary" in d for d in decisions[2])  # staff are nobody's customers
