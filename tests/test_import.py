"""`mailgate import PATH`: an old mbox or Maildir loaded in Date order, as if it had arrived then,
without sending mail (issue 11, backfill)."""

from __future__ import annotations

import mailbox
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from tests.mail import mail
from tests.support.harness import REPO, Harness, wait_until
from tickets.models import InboundMessage, Outbox, PendingRequest, Ticket

CORPUS = REPO / "tests" / "corpus"
# Long enough ago that every reminder, SLA target and auto-close of the tickets has passed.
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def thread() -> list[tuple[str, bytes]]:
    """A request and two replies from the requester, as (name, bytes) in Date order."""
    request = mail(subject="Projector in the hall has no signal", message_id="<req@school.example>",
                   body="Hello,\n\nthe hall projector shows no signal.\n\nJane Doe\nHall, "
                        "Example School\n01632 960123", date=MONDAY)
    first = mail(subject="Re: Projector in the hall has no signal",
                 message_id="<re1@school.example>", in_reply_to="<req@school.example>",
                 references="<req@school.example>", body="It also flickers.\n\nJane",
                 date=MONDAY + timedelta(hours=2))
    second = mail(subject="Re: Projector in the hall has no signal",
                  message_id="<re2@school.example>", in_reply_to="<re1@school.example>",
                  references="<req@school.example> <re1@school.example>",
                  body="Now it works again.\n\nJane", date=MONDAY + timedelta(days=1))
    return [("request", request), ("first reply", first), ("second reply", second)]


def write_mbox(path: Path, mails: list[bytes]) -> Path:
    box = mailbox.mbox(path)
    for raw in mails:
        box.add(raw)
    box.close()
    return path


def write_maildir(path: Path, mails: list[bytes]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for raw in mails:
        box.add(raw)
    return path


def out_of_order(mails: list[tuple[str, bytes]]) -> list[bytes]:
    """Latest first, then the earliest: neither file order nor reverse order is Date order."""
    return [mails[2][1], mails[0][1], mails[1][1]]


def count(harness: Harness, model: type, *where: object) -> int:
    with harness.session() as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def outbox_states(harness: Harness) -> set[str]:
    with harness.session() as session:
        return set(session.exec(select(Outbox.state)).all())


@pytest.mark.parametrize("kind", ["mbox", "maildir"])
def test_a_request_and_its_replies_make_one_ticket_in_date_order(
    harness: Harness, kind: str
) -> None:
    mails = out_of_order(thread())
    path = (write_mbox(harness.dir / "old.mbox", mails) if kind == "mbox"
            else write_maildir(harness.dir / "Maildir", mails))
    done = harness.cli("import", str(path))
    assert done.code == 0, done.err
    assert "tickets created       1" in done.out
    assert "follow-ups threaded   2" in done.out
    assert "mail sent             none" in done.out
    [ticket] = harness.tickets()
    shown = harness.ticket_json(ticket.reference)
    assert shown["created_at"].startswith("2025-03-03T09:00:00")
    incoming = [m for m in shown["messages"] if m["direction"] == "in"]
    assert [m["message_id"] for m in incoming] == [
        "req@school.example", "re1@school.example", "re2@school.example"]
    assert [m["created_at"][:16] for m in incoming] == [
        "2025-03-03T09:00", "2025-03-03T11:00", "2025-03-04T09:00"]
    # stored as if received then, from this import
    rows = harness.inbound()
    assert sorted(r.received_at.replace(tzinfo=UTC) for r in rows) == [
        MONDAY, MONDAY + timedelta(hours=2), MONDAY + timedelta(days=1)]
    assert {r.source for r in rows} == {f"import:{path.resolve()}"}
    # the acknowledgement is on record but was never sent
    assert outbox_states(harness) == {"suppressed"}
    assert harness.sink.messages == []


def test_a_corrupt_message_is_quarantined_with_its_reason_and_the_rest_imported(
    harness: Harness,
) -> None:
    corrupt = b"\x00\x9f\xff binary junk, no header at all \x00\x01\n" * 3
    path = write_mbox(harness.dir / "old.mbox", [corrupt, *out_of_order(thread())])
    done = harness.cli("import", str(path), "--json")
    assert done.code == 0, done.err
    summary = done.json()
    assert summary["tickets_created"] == 1 and summary["follow_ups"] == 2
    [(reason, quarantined)] = summary["quarantined"].items()
    assert quarantined == 1 and "From" in reason
    [held] = [r for r in harness.inbound() if r.state == "quarantined"]
    assert held.reason == reason
    # and the person reading the plain summary sees the reason too
    again = harness.cli("quarantine", "list")
    assert again.code == 0 and "From" in again.out


def test_a_second_run_duplicates_nothing(harness: Harness) -> None:
    path = write_mbox(harness.dir / "old.mbox", out_of_order(thread()))
    assert harness.cli("import", str(path)).code == 0
    before = (len(harness.tickets()), len(harness.inbound()), count(harness, Outbox))
    again = harness.cli("import", str(path), "--json")
    assert again.code == 0, again.err
    summary = again.json()
    assert summary["already_imported"] == 3
    assert summary["tickets_created"] == 0 and summary["follow_ups"] == 0
    assert (len(harness.tickets()), len(harness.inbound()), count(harness, Outbox)) == before
    plain = harness.cli("import", str(path))
    assert "duplicates skipped    3  (already imported 3" in plain.out


def test_the_same_message_twice_in_the_mailbox_is_imported_once(harness: Harness) -> None:
    request = thread()[0][1]
    path = write_mbox(harness.dir / "old.mbox", [request, request])
    summary = harness.cli("import", str(path), "--json").json()
    assert summary["tickets_created"] == 1 and summary["repeated_in_mailbox"] == 1
    assert len(harness.tickets()) == 1


def test_ctrl_c_stops_cleanly_and_a_second_run_finishes(harness: Harness) -> None:
    total = 400
    requests = [mail(subject=f"Laptop {n} will not start", message_id=f"<cc{n}@school.example>",
                     sender=f"Teacher {n} <teacher{n}@school.example>",
                     date=MONDAY + timedelta(minutes=n)) for n in range(total)]
    path = write_mbox(harness.dir / "big.mbox", list(reversed(requests)))
    child = subprocess.Popen(
        [sys.executable, "-m", "mailgate", "--config", str(harness.config_path), "import",
         str(path), "--batch", "10"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy(),
    )
    try:
        wait_until(lambda: count(harness, Ticket) > 0 or child.poll() is not None,
                   timeout=120, what="the first imported ticket")
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 75, err.decode()
    assert b"interrupted after" in err and b"again to go on" in err
    assert b"Traceback" not in err
    made = count(harness, Ticket)
    assert 0 < made < total  # stopped part way…
    # …with nothing left where the daemon would take it for new mail
    assert count(harness, InboundMessage, InboundMessage.state == "received") == 0
    assert b"tickets created" in out  # the summary of what it did get done
    again = harness.cli("import", str(path), "--json")
    assert again.code == 0, again.err
    summary = again.json()
    # the batch in hand was finished before stopping: what was stored was processed
    assert (summary["already_imported"], summary["tickets_created"]) == (made, total - made)
    assert count(harness, Ticket) == total
    assert count(harness, InboundMessage) == total
    # in Date order across the two runs: the ticket numbers follow the mails' times
    with harness.session() as session:
        subjects = session.exec(select(Ticket.subject).order_by(col(Ticket.id))).all()
    assert subjects == [f"Laptop {n} will not start" for n in range(total)]


def unknown_sender_request() -> bytes:
    """From outside every company, with no details: held and asked for them."""
    return mail(sender="someone@example.org", subject="Help", body="It is broken.",
                message_id="<held@example.org>", date=MONDAY + timedelta(hours=1))


def test_by_default_no_mail_is_sent_not_even_by_a_tick_afterwards(harness: Harness) -> None:
    path = write_mbox(harness.dir / "old.mbox",
                      [*out_of_order(thread()), unknown_sender_request()])
    done = harness.cli("import", str(path), "--json")
    assert done.code == 0, done.err
    assert done.json()["held_for_details"] == 1
    # The ticket's SLA targets, its reminders and the held request's expiry all fell due long
    # before the import; the daemon's sweep must find nothing of them to send.
    tick = harness.cli("tick", "--json")
    assert tick.code == 0, tick.err
    assert tick.json()["sent"] == 0 and tick.json()["due"] == 0
    assert harness.sink.messages == []
    assert outbox_states(harness) == {"suppressed"}
    [ticket] = harness.tickets()
    assert ticket.sla_breached  # the breach is on record…
    assert ticket.next_action_at is None or ticket.next_action_at.replace(
        tzinfo=UTC) > datetime.now(UTC)  # …and nothing of the past is left to do
    assert count(harness, PendingRequest, PendingRequest.state == "expired") == 1
    listed = harness.cli("outbox", "list", "--state", "suppressed", "--json").json()
    assert {row["kind"] for row in listed} >= {"acknowledgement"}
    retried = harness.cli("outbox", "retry", str(listed[0]["id"]))
    assert retried.code == 1 and "kept unsent" in retried.err


def test_notify_sends_the_acknowledgements(harness: Harness) -> None:
    path = write_mbox(harness.dir / "old.mbox", [thread()[0][1], unknown_sender_request()])
    done = harness.cli("import", str(path), "--notify", "--json")
    assert done.code == 0, done.err
    assert done.json()["mail_sent"] == 2
    sent = harness.wait_sink(2)
    recipients = sorted(m.rcpt_tos[0] for m in sent)
    assert recipients == ["jane@school.example", "someone@example.org"]
    [ticket] = harness.tickets()
    assert any(ticket.reference in m.message["Subject"] for m in sent)
    # the reminders and SLA mail of times past are never sent, --notify or not
    harness.cli("tick")
    assert len(harness.sink.messages) == 2


def test_the_real_corpus_imports_from_a_maildir(harness: Harness) -> None:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file()
                   and p.suffix not in (".yml", ".md", ".toml"))
    assert len(files) > 50
    path = write_maildir(harness.dir / "Maildir", [p.read_bytes() for p in files])
    done = harness.cli("import", str(path), "--json")
    assert done.code == 0, done.err
    summary = done.json()
    rows = harness.inbound()
    distinct = len(rows)  # the corpus repeats a few messages
    assert summary["messages"] == len(files)
    ended = (summary["tickets_created"] + summary["follow_ups"] + summary["held_for_details"]
             + summary["screened"] + summary["copies_on_a_ticket"]
             + sum(summary["quarantined"].values()))
    assert ended == distinct
    assert ended + summary["repeated_in_mailbox"] == len(files)
    assert {r.state for r in rows} <= {"done", "held", "screened", "quarantined"}
    assert summary["tickets_created"] > 20
    assert harness.sink.messages == [] and "pending" not in outbox_states(harness)
    again = harness.cli("import", str(path), "--json").json()
    assert again["already_imported"] == len(files)  # a repeat, too, was stored before now
    assert len(harness.inbound()) == distinct


def test_what_is_not_a_mailbox_gets_a_clear_answer(harness: Harness) -> None:
    missing = harness.cli("import", str(harness.dir / "nowhere.mbox"))
    assert missing.code == 66 and "no such file or folder" in missing.err
    folder = harness.dir / "folder"
    folder.mkdir()
    assert harness.cli("import", str(folder)).code == 65
    single = harness.dir / "one.eml"
    single.write_bytes(thread()[0][1])
    answer = harness.cli("import", str(single))
    assert answer.code == 65 and "mailgate ingest" in answer.err
    assert "Traceback" not in answer.err + missing.err


def test_a_message_without_a_date_takes_the_time_of_its_received_header(
    harness: Harness,
) -> None:
    dated = mail(message_id="<nodate@school.example>").replace(
        b"Date: Mon, 23 Nov 2026 09:00:00 +0000\n",
        b"Received: from mx.school.example by mx.desk.example; Tue, 4 Feb 2025 10:30:00 +0000\n")
    assert b"Date:" not in dated
    path = write_mbox(harness.dir / "old.mbox", [dated])
    summary = harness.cli("import", str(path), "--json").json()
    assert summary["times_from"] == {"Received": 1}
    [row] = harness.inbound()
    assert row.received_at.replace(tzinfo=UTC) == datetime(2025, 2, 4, 10, 30, tzinfo=UTC)
