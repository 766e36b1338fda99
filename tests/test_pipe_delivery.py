"""Pipe mode answers customers by itself (`ingest` sends the mail its messages caused), and the
outbox can be looked at and retried with clear answers."""

from __future__ import annotations

from pathlib import Path

from tests.mail import mail
from tests.support.harness import Harness


def _file(harness: Harness, raw: bytes, name: str = "request.eml") -> str:
    path: Path = harness.dir / name
    path.write_bytes(raw)
    return str(path)


def test_ingest_sends_the_acknowledgement_without_a_daemon(harness: Harness) -> None:
    done = harness.cli("ingest", _file(harness, mail(message_id="<pipe@school.example>")))
    assert done.code == 0, done.err
    assert done.err.splitlines()[-1] == "sent 1 mail(s)"
    # at the sink already: no `serve`, no `tick`
    [ack] = [m.message for m in harness.sink.messages]
    assert ack["Subject"].startswith("[INC0000001]")
    [row] = harness.cli("outbox", "list", "--json").json()
    assert (row["kind"], row["state"], row["attempts"]) == ("acknowledgement", "sent", 1)


def test_mail_ingest_cannot_send_is_left_for_the_daemon(harness: Harness) -> None:
    harness.sink.stop()  # nobody listens on the outgoing port any more
    done = harness.cli("ingest", _file(harness, mail(message_id="<later@school.example>")))
    assert done.code == 0, done.err  # stored and processed: the MTA hears yes all the same
    assert done.err.splitlines()[-1] == "sent 0 mail(s); 1 left for the daemon to send"
    [row] = harness.cli("outbox", "list", "--json").json()
    assert row["state"] == "pending"
    assert "cannot reach" in row["last_error"]


def test_outbox_show_prints_the_mail_whole(harness: Harness) -> None:
    assert harness.cli("ingest", _file(harness, mail())).code == 0
    [row] = harness.cli("outbox", "list", "--json").json()
    shown = harness.cli("outbox", "show", str(row["id"]))
    assert shown.code == 0
    head, _, mail_text = shown.out.partition("\n\n")
    assert f"id:         {row['id']}" in head
    assert "state:      sent" in head and "ticket:     INC0000001" in head
    assert f"Message-ID: <{row['message_id']}>" in mail_text or row["message_id"] in mail_text
    assert "Auto-Submitted: auto-replied" in mail_text
    assert "INC0000001" in mail_text.split("\n\n", 1)[1]  # the body, not only the subject
    missing = harness.cli("outbox", "show", "999")
    assert (missing.code, missing.err.strip()) == (1, "mailgate: outbox row 999 does not exist")


def test_outbox_retry_says_what_state_the_row_is_in(harness: Harness) -> None:
    assert harness.cli("ingest", _file(harness, mail())).code == 0
    [row] = harness.cli("outbox", "list", "--json").json()
    sent = harness.cli("outbox", "retry", str(row["id"]))
    assert sent.code == 1
    assert "was sent at" in sent.err and "nothing to retry" in sent.err
    missing = harness.cli("outbox", "retry", "999")
    assert (missing.code, missing.err.strip()) == (1, "mailgate: outbox row 999 does not exist")
    harness.sink.stop()
    assert harness.cli("ingest", _file(harness, mail(message_id="<p@school.example>",
                                                     subject="Projector"), "p.eml")).code == 0
    pending = harness.cli("outbox", "list", "--state", "pending", "--json").json()
    waiting = harness.cli("outbox", "retry", str(pending[0]["id"]))
    assert (waiting.code, waiting.out.strip()) == (
        0, f"outbox row {pending[0]['id']} is already waiting to be sent: nothing to retry")


def test_tickets_show_says_what_the_customer_was_told_the_status_is(harness: Harness) -> None:
    assert harness.cli("ingest", _file(harness, mail())).code == 0
    [ack] = [m.message for m in harness.sink.messages]
    told = next(line for line in ack.get_body(("plain",)).get_content().splitlines()
                if line.startswith("Status: "))
    assert told == "Status: Being processed"
    shown = harness.cli("tickets", "show", "INC0000001").out
    assert 'status     Open (open); the customer\'s mail says "Being processed"' in shown
    assert harness.ticket_json("INC0000001")["customer_status_label"] == "Being processed"
