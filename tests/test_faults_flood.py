"""Issue 12, one sender floods: a broken script or a monitoring system gone wild sends hundreds of
mails a minute from one address. `[intake] sender_request_limit` new tickets per window are made,
the rest of the flood is added to the sender's newest ticket, staff are told once, and everyone
else is served as usual. Over real SMTP to `serve`, with several daemons on one PostgreSQL, and
through `mailgate ingest` (pipe mode) run as MTA would, many at once."""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from mailgate.config import ConfigError, load_config
from mailgate.daemon import Daemon
from mailgate.intake.store import store_many
from tests.conftest import free_port
from tests.mail import mail
from tests.support.harness import DESK, REPO, Harness, crlf, wait_until
from tests.support.scale import FULL, sized
from tickets.models import Contact, HistoryEvent, InboundMessage, Outbox, Ticket, TicketMessage

FLOODER = "monitor@school.example"
NORMAL = "jane@school.example"
MANAGER = "manager@desk.example"  # [schedule] escalation_address
ADMIN = "ops@desk.example"  # [admin] address
CAP = 5
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# The limit alone must hold back the acknowledgements: the older limit on automatic mail per
# sender ([intake] autoreply_limit) is set out of the way.
CONFIG = f"""
[intake]
autoreply_limit = 100000
sender_request_limit = {CAP}
sender_request_window = "10m"

[schedule]
escalation_address = "{MANAGER}"

[admin]
address = "{ADMIN}"
"""

Outgoing = tuple[str, bytes]  # envelope sender, message


def alert(n: int) -> Outgoing:
    """What a monitoring system sends: a new subject each time, never a reply."""
    return FLOODER, mail(
        sender=f"Nagios <{FLOODER}>",
        subject=f"PROBLEM {n}: disk /var on fs{n % 7} is 97% full",
        body=f"Host: fs{n % 7}\nService: disk /var\nState: CRITICAL\nCheck {n}\n",
        message_id=f"<alert-{n}@school.example>",
    )


def request(n: int) -> Outgoing:
    return NORMAL, mail(subject=f"Projector {n} in the hall shows no picture",
                        message_id=f"<jane-{n}@school.example>")


def send_all(port: int | Callable[[int], int], mails: list[Outgoing], clients: int = 4) -> int:
    """Send over `clients` SMTP connections at once (`port`: one port, or one per mail's index);
    how many the server accepted (250)."""

    def send_share(share: int) -> int:
        accepted = 0
        for index in range(share, len(mails), clients):
            at = port(index) if callable(port) else port
            with smtplib.SMTP("127.0.0.1", at, timeout=60) as client:
                sender, raw = mails[index]
                if client.sendmail(sender, [DESK], crlf(raw)) == {}:
                    accepted += 1
        return accepted

    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(send_share, range(clients)))


def settled(harness: Harness, stored: int) -> bool:
    """Every stored message processed, every outgoing mail sent and at the sink."""
    with harness.session() as session:
        inbound = session.exec(select(InboundMessage.state)).all()
        outbox = session.exec(select(Outbox.state)).all()
    return (
        len(inbound) == stored and "received" not in inbound
        and all(state == "sent" for state in outbox) and len(harness.sink.messages) == len(outbox)
    )


def tickets_of(harness: Harness, sender: str) -> list[Ticket]:
    with harness.session() as session:
        return list(session.exec(
            select(Ticket).join(Contact, Contact.id == Ticket.requester_id)
            .where(Contact.email == sender).order_by(Ticket.id)  # type: ignore[arg-type]
        ).all())


def account(harness: Harness, sent: int, accepted: int) -> dict[str, Any]:
    """The issue's counts, and the checks that hold whatever the scenario: every accepted mail
    stored once and placed (on a ticket, or quarantined with a reason), nothing stuck, every
    outgoing mail sent once."""
    with harness.session() as session:
        inbound = list(session.exec(select(InboundMessage)).all())
        on_tickets = Counter(session.exec(
            select(TicketMessage.inbound_id).where(TicketMessage.inbound_id != None)  # noqa: E711
        ).all())
        outbox = list(session.exec(select(Outbox)).all())
    assert accepted == sent == len(inbound), "every mail sent is accepted and stored"
    for row in inbound:
        if row.state == "done":
            assert row.ticket_id is not None and on_tickets[row.id] == 1, row.reason
        else:
            assert row.state == "quarantined" and row.reason, (row.state, row.reason)
    ids = [m.header("Message-ID") for m in harness.sink.messages]
    assert len(ids) == len(set(ids)) == len(outbox), "each outgoing mail delivered once"
    to = Counter(address for m in harness.sink.messages for address in m.rcpt_tos)
    kinds = Counter((row.kind, row.to_addr) for row in outbox)
    return {
        "sent": sent,
        "accepted": accepted,
        "stored": len(inbound),
        "flood tickets": len(tickets_of(harness, FLOODER)),
        "normal tickets": len(tickets_of(harness, NORMAL)),
        "quarantined": sum(row.state == "quarantined" for row in inbound),
        "acknowledgements to flooder": kinds["acknowledgement", FLOODER],
        "acknowledgements to normal sender": kinds["acknowledgement", NORMAL],
        "staff mails": kinds["sender_rate_limited", MANAGER],
        "mails to flooder": to[FLOODER],
        "duplicates": len(ids) - len(set(ids)),
    }


def staff_mail(harness: Harness) -> Any:
    [told] = [m for m in harness.sink.messages if MANAGER in m.rcpt_tos]
    return told


def assert_flood_contained(harness: Harness, counts: dict[str, Any], normal: int) -> None:
    assert counts["flood tickets"] == CAP
    assert counts["acknowledgements to flooder"] == counts["mails to flooder"] == CAP
    assert counts["staff mails"] == 1
    assert counts["normal tickets"] == counts["acknowledgements to normal sender"] == normal
    told = staff_mail(harness)
    assert told.rcpt_tos == [MANAGER, ADMIN]  # one mail, the admin on copy
    assert FLOODER in told.header("Subject") and FLOODER in told.text()
    assert f"sent {CAP + 1} new requests in the last 10m" in " ".join(told.text().split())
    # the flood is on the sender's newest ticket of those made, whose history says why
    newest = tickets_of(harness, FLOODER)[-1]
    assert newest.reference in told.header("Subject")
    shown = harness.ticket_json(newest.reference)
    [limited] = [h for h in shown["history"] if h["kind"] == "rate_limited"]
    assert f"sender_request_limit {CAP}" in limited["detail"]
    flood_mails = counts["sent"] - normal
    assert len([m for m in shown["messages"] if m["direction"] == "in"]) == flood_mails - CAP + 1
    assert any(d.startswith("rate_limit: ") for d in shown["messages"][-1]["decisions"])


# --- one daemon, real SMTP ------------------------------------------------------------------
@pytest.mark.faults
@pytest.mark.long
def test_a_flood_makes_few_tickets_and_staff_hear_once(harness: Harness) -> None:
    harness.write_config(CONFIG)
    flood = sized(200, 1000)
    clock = [NOW]
    # the normal sender writes twice in the middle of the flood
    mails = [alert(n) for n in range(flood)]
    mails[flood // 3:flood // 3] = [request(1)]
    mails[2 * flood // 3:2 * flood // 3] = [request(2)]
    with harness.daemon(clock=lambda: clock[0]) as daemon:
        assert daemon.smtp_port is not None
        accepted = send_all(daemon.smtp_port, mails)
        wait_until(lambda: settled(harness, len(mails)), timeout=120 + (300 if FULL else 0),
                   what="the flood processed and its mail sent")
        counts = account(harness, len(mails), accepted)
        print(f"one sender floods ({'full' if FULL else 'bounded'}):", counts)
        assert_flood_contained(harness, counts, normal=2)
        assert counts["quarantined"] == 0

        # the window passes: the sender is a sender like any other again, without a restart
        clock[0] = NOW + timedelta(minutes=11)
        later = [alert(flood + 1)]
        accepted += send_all(daemon.smtp_port, later, clients=1)
        wait_until(lambda: settled(harness, len(mails) + 1), what="the next mail processed")
    after = account(harness, len(mails) + 1, accepted)
    print("after the window:", after)
    assert after["flood tickets"] == CAP + 1
    assert after["acknowledgements to flooder"] == CAP + 1
    assert after["staff mails"] == 1


# --- several daemons on one PostgreSQL ------------------------------------------------------
@pytest.mark.faults
@pytest.mark.long
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_flood_through_three_daemons_keeps_the_limit(harness: Harness) -> None:
    """The count comes from the database: three daemons start together on a backlog of the
    flood (stored at their SMTP door while they were down), race through it in their pipeline
    workers, and take the rest of it at their own SMTP doors; still CAP tickets."""
    harness.write_config(CONFIG)
    config = harness.config
    flood = sized(120, 600)
    mails = [alert(n) for n in range(flood)]
    mails[flood // 2:flood // 2] = [request(1)]
    backlog, live = mails[:flood // 3], mails[flood // 3:]
    stored = store_many(harness.engine, [crlf(raw) for _, raw in backlog], source="smtp",
                        now=NOW, envelope_from=FLOODER, envelope_to=[DESK])
    daemons = [
        Daemon(config.model_copy(update={"smtp_in": config.smtp_in.model_copy(
            update={"port": port})}), harness.engine, clock=lambda: NOW)
        for port in (harness.smtp_in_port, free_port(), free_port())
    ]
    started: list[Daemon] = []
    try:
        for daemon in daemons:
            daemon.start()
            started.append(daemon)
        ports = [daemon.smtp_port for daemon in daemons]
        assert all(isinstance(p, int) for p in ports)
        accepted = len(stored) + send_all(lambda index: ports[index % 3] or 0, live, clients=6)
        wait_until(lambda: settled(harness, len(mails)), timeout=120 + (300 if FULL else 0),
                   what="the flood processed by three daemons")
    finally:
        for daemon in started:
            daemon.stop()
    counts = account(harness, len(mails), accepted)
    print(f"one sender floods three daemons ({'full' if FULL else 'bounded'}):", counts)
    assert_flood_contained(harness, counts, normal=1)


# --- pipe mode: `mailgate ingest`, many at once ----------------------------------------------
def ingest(harness: Harness, raw: bytes, env: dict[str, str]) -> int:
    """The real entry point in a child process, as Postfix's pipe runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mailgate", "--config", str(harness.config_path), "ingest"],
        input=raw, capture_output=True, timeout=120, cwd=REPO, env=env,
    ).returncode


@pytest.mark.faults
def test_a_flood_through_ingest_keeps_the_limit(harness: Harness) -> None:
    """Each `ingest` runs the pipeline on its own message and sends what it caused: four at a
    time, from different processes, the limit and the one staff mail still hold."""
    harness.write_config(CONFIG)
    env = {**os.environ, "MAILGATE_SECRET": "flood-test-secret"}
    mails = [alert(n) for n in range(10)]
    mails[5:5] = [request(1)]
    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda m: ingest(harness, crlf(m[1]), env), mails))
    assert codes == [0] * len(mails), codes
    wait_until(lambda: settled(harness, len(mails)), what="every ingested mail placed and sent")
    counts = account(harness, len(mails), codes.count(0))
    print("one sender floods `mailgate ingest`:", counts)
    assert_flood_contained(harness, counts, normal=1)


# --- what the limit leaves alone --------------------------------------------------------------
def test_replies_and_staff_are_never_limited(harness: Harness) -> None:
    """The limit stops new tickets only: a reply to a ticket stays a follow-up, and staff, who
    forward customers' mail to the desk, open as many tickets as they need."""
    harness.write_config(CONFIG.replace(f"sender_request_limit = {CAP}",
                                        "sender_request_limit = 1"))
    with harness.daemon(clock=lambda: NOW) as daemon:
        assert daemon.smtp_port is not None
        harness.send(mail(message_id="<first@school.example>"), mail_from=NORMAL)
        harness.wait_processed(1)
        reply = mail(subject="Re: Printer in room 12 is jammed", body="It jammed again.",
                     in_reply_to="<first@school.example>", message_id="<again@school.example>")
        harness.send(reply, mail_from=NORMAL)
        for n in range(3):
            harness.send(mail(sender="Tech <tech@desk.example>", subject=f"Fwd: request {n}",
                              message_id=f"<fwd-{n}@desk.example>"), mail_from="tech@desk.example")
        rows = harness.wait_processed(5)
    assert [r.reason.split(":")[0] for r in rows] == [
        "new ticket", "follow up", "new ticket", "new ticket", "new ticket"]
    assert not any(d.startswith("rate_limit") for r in rows for d in r.decisions)
    with harness.session() as session:
        assert session.exec(select(func.count()).select_from(HistoryEvent).where(
            HistoryEvent.kind == "rate_limited")).one() == 0


def test_a_sender_with_only_held_requests_is_quarantined_with_the_reason(
    harness: Harness,
) -> None:
    """A stranger whose requests are all held for missing details has no ticket to add to: past
    the limit their mail is kept in quarantine, saying so; `quarantine retry` inside the window
    keeps it there (once the window has passed it takes it like any other request)."""
    harness.write_config(CONFIG.replace(f"sender_request_limit = {CAP}",
                                        "sender_request_limit = 2"))
    stranger = "someone@elsewhere.example"
    for n in range(3):  # `ingest` runs the pipeline itself, at the wall clock's time
        raw = mail(sender=f"Someone <{stranger}>", subject=f"help {n}", body="It is broken.",
                   message_id=f"<s-{n}@elsewhere.example>")
        path = harness.dir / f"s{n}.eml"
        path.write_bytes(raw)
        assert harness.cli("ingest", str(path)).code == 0
    states = [(r.state, r.reason) for r in harness.inbound()]
    assert [s for s, _ in states] == ["held", "held", "quarantined"]
    assert states[2][1] == ("rate limited: the sender asked for 3 new requests in the last 10m "
                            "(sender_request_limit 2); no ticket of theirs to add to")
    assert stranger not in states[2][1]  # a reason is logged: no address of the writer
    with harness.session() as session:
        told = session.exec(select(Outbox).where(Outbox.kind == "sender_rate_limited")).all()
    assert [row.recipients for row in told] == [[MANAGER, ADMIN]]
    listed = harness.cli("quarantine", "list", "--json").json()
    assert [row["reason"] for row in listed] == [states[2][1]]
    again = harness.cli("quarantine", "retry", str(listed[0]["id"]))
    assert (again.code, again.out.strip()) == (1, f"message {listed[0]['id']}: quarantined")
    with harness.session() as session:  # still the one staff mail
        assert session.exec(select(func.count()).select_from(Outbox).where(
            Outbox.kind == "sender_rate_limited")).one() == 1
    # the staff mail names the sender: `contacts forget` takes it with them (review)
    assert harness.cli("contacts", "forget", stranger).code == 0
    with harness.session() as session:
        [alert] = session.exec(select(Outbox).where(Outbox.kind == "sender_rate_limited")).all()
    assert stranger not in alert.subject and stranger.encode() not in (alert.raw or b"")


def ingest_here(harness: Harness, outgoing: Outgoing) -> str:
    """`mailgate ingest` in this process: stored, processed at once; the inbound row's reason."""
    path = harness.dir / "one.eml"
    path.write_bytes(outgoing[1])
    assert harness.cli("ingest", str(path)).code == 0
    return harness.inbound()[-1].reason


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # config alone: one database
@pytest.mark.parametrize(("intake", "tickets"), [("", 10), ("sender_request_limit = 0", 11)])
def test_the_default_limit_and_none(harness: Harness, intake: str, tickets: int) -> None:
    """Without a word in the config ten new requests an hour are taken; 0 takes every one."""
    harness.write_config(f"[intake]\n{intake}\n")
    reasons = [ingest_here(harness, alert(n)) for n in range(11)]
    assert len(tickets_of(harness, FLOODER)) == tickets
    assert reasons[-1].startswith("rate limited" if tickets == 10 else "new ticket")


@pytest.mark.parametrize(("line", "expected"), [
    ('sender_request_window = "2 business days"',
     "intake.sender_request_window: Value error, '2 business days': give a length of real time"),
    ('sender_request_window = "soon"', "intake.sender_request_window: "),
    ("sender_request_limit = -1",
     "intake.sender_request_limit: Input should be greater than or equal to 0"),
])
def test_a_bad_limit_names_its_key(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[intake]\n{line}\n")
    with pytest.raises(ConfigError) as error:
        load_config(str(path))
    assert expected in str(error.value)
