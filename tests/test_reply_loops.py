"""Issue 4: automatic mail on a ticket never changes a status and never starts a loop —
out-of-office notices, bounces of our own mail, and another mailgate desk answering ours."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import free_port
from tests.mail import mail
from tests.support.harness import DESK, Harness
from tests.support.threads import CUSTOMER, open_ticket, wait_mail
from tickets.models import Outbox, Ticket

SUBJECT = "[INC0000001] Printer in room 12 is jammed"


def outbox_kinds(harness: Harness) -> list[str]:
    with harness.session() as session:
        return [r.kind for r in session.exec(select(Outbox).order_by(Outbox.id)).all()]  # type: ignore[arg-type]


def put_in(harness: Harness, status: str) -> None:
    """INC0000001 in `status`; resolved an hour after it opened, so inside the reopen window
    whatever the clock says."""
    with harness.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == "INC0000001")).one()
        when = ticket.created_at + timedelta(hours=1)
        ticket.status, ticket.status_changed_at = status, when
        ticket.resolved_at = when if status == "resolved" else None
        ticket.closed_at = when if status == "closed" else None
        session.commit()


def out_of_office(answers: str, n: int) -> bytes:
    return mail(subject=f"Automatic reply: {SUBJECT}", in_reply_to=answers, references=answers,
                headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
                body="I am out of the office until Monday.\n",
                message_id=f"<oof-{n}@school.example>")


def vacation_notice(answers: str, n: int) -> bytes:
    """cPanel/Zimbra vacation replies say so only in X-Autoreply."""
    return mail(subject=f"Re: {SUBJECT}", in_reply_to=answers, headers={"X-Autoreply": "yes"},
                body="On holiday, back on the 30th.\n", message_id=f"<vac-{n}@school.example>")


def bounce(answers: str, n: int) -> bytes:
    """An Exchange non-delivery report: RFC 3464, and In-Reply-To the mail that bounced."""
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.school.example>
To: {DESK}
Subject: Undeliverable: {SUBJECT}
Message-ID: <ndr-{n}@mx.school.example>
In-Reply-To: {answers}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

Delivery has failed to these recipients: jane@school.example (mailbox full)

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.school.example

Final-Recipient: rfc822; jane@school.example
Action: failed
Status: 5.2.2

--b
Content-Type: text/rfc822-headers

Message-ID: {answers}
Subject: {SUBJECT}

--b--
""".encode()


@pytest.mark.parametrize("status", ["waiting_on_customer", "resolved", "closed"])
def test_automatic_answers_to_each_of_our_mails_change_nothing(
    harness: Harness, status: str
) -> None:
    """The customer's out-of-office answers every mail of ours, a vacation notice too, and
    their mailbox is full: recorded on the ticket, no status moves (no reopening, no new
    linked ticket), and nobody is mailed because of them."""
    with harness.daemon():
        ack = open_ticket(harness)
        assert harness.cli("tickets", "update", "INC0000001", "--assign",
                           "tech@desk.example").code == 0
        [assigned] = wait_mail(harness, "assigned", to=CUSTOMER)
        put_in(harness, status)
        before = outbox_kinds(harness)
        sent = 0
        for n, ours in enumerate((ack, assigned)):
            for make, sender in ((out_of_office, CUSTOMER), (vacation_notice, CUSTOMER),
                                 (bounce, "")):  # a bounce comes from the null sender
                harness.send(make(ours.header("Message-ID"), n), mail_from=sender)
                sent += 1
        harness.wait_processed(1 + sent)
    assert len(harness.tickets()) == 1
    data = harness.ticket_json("INC0000001")
    assert data["status"] == status
    assert outbox_kinds(harness) == before
    recorded = [m for m in data["messages"] if m["direction"] == "in"][1:]
    assert [m["message_id"].split("@")[0] for m in recorded] == ["oof-0", "vac-0", "oof-1",
                                                                  "vac-1"]
    assert all(m["automated"] for m in recorded)
    assert not any(h["kind"] in ("reopened", "status") for h in data["history"])
    # the bounces come from the customer's mail server, which may add nothing to the ticket
    bounces = [r for r in harness.inbound() if r.message_id.startswith("ndr-")]
    assert [r.state for r in bounces] == ["screened", "screened"]
    assert "delivery status notification (RFC 3464)" in bounces[0].reason


def test_an_out_of_office_answering_every_notification_starts_no_loop(harness: Harness) -> None:
    """Each of our mails gets an out-of-office back: none is answered, none counts as the
    customer's reply (the technician is not told), and the waiting clock carries on."""
    with harness.daemon():
        ack = open_ticket(harness)
        assert harness.cli("tickets", "update", "INC0000001", "--assign", "tech@desk.example",
                           "--status", "waiting_on_customer").code == 0
        [assigned] = wait_mail(harness, "assigned", to=CUSTOMER)
        for n, ours in enumerate((ack, assigned)):
            harness.send(out_of_office(ours.header("Message-ID"), n), mail_from=CUSTOMER)
        harness.wait_processed(3)
        # the daemon's own clock: the first reminder is due 24 h after the ticket started waiting
        harness.tick(datetime.now(UTC) + timedelta(hours=25))
        [reminder] = wait_mail(harness, "reminder", to=CUSTOMER)
        harness.send(out_of_office(reminder.header("Message-ID"), 2), mail_from=CUSTOMER)
        harness.wait_processed(4)
    assert outbox_kinds(harness) == ["acknowledgement", "assigned", "reminder"]
    assert harness.ticket_json("INC0000001")["status"] == "waiting_on_customer"


def trust_our_mx(harness: Harness) -> None:
    text = harness.config_path.read_text()
    harness.config_path.write_text(
        text.replace("staff = [", 'trusted_authserv_ids = ["mx.desk.example"]\nstaff = [', 1)
    )


@pytest.fixture
def other_desk(
    tmp_path: Path, harness: Harness, sqlite_template: Path
) -> Iterator[Harness]:
    """A second mailgate, at deskb.example, whose outgoing mail goes to our listener."""

    class OurListener:
        port = harness.smtp_in_port

    path = tmp_path / "other"
    path.mkdir()
    shutil.copy(sqlite_template, path / "other.db")
    other = Harness(path, f"sqlite:///{path / 'other.db'}", OurListener(),  # type: ignore[arg-type]
                    smtp_in_port=free_port())
    other.config_path.write_text(
        other.config_path.read_text().replace("desk.example", "deskb.example")
        + "\n[intake]\nhold_incomplete_requests = false\n"
    )
    yield other
    other.close()


def test_two_mailgate_desks_answering_each_other_stop_at_once(
    harness: Harness, other_desk: Harness
) -> None:
    """Our customer is another desk running mailgate. Our acknowledgement is automatic, so
    theirs does not answer it; our technician's answer is a person's, so theirs opens a ticket
    and acknowledges it (automatically, to our listener) — which ours records and answers no
    more. Each step is driven to its end; nothing is left in either outbox."""
    theirs = "support@deskb.example"
    harness.write_config("[intake]\nhold_incomplete_requests = false\n")  # not what is tested
    trust_our_mx(harness)
    with harness.daemon():
        harness.send(mail(subject="Printer in room 12 is jammed", sender=f"Desk B <{theirs}>",
                          message_id="<b-1@deskb.example>"), mail_from=theirs)
        harness.wait_processed(1)
        [ack] = wait_mail(harness, "acknowledgement", to=theirs)
        # our acknowledgement reaches the other desk (through its pipe): it answers nothing
        (other_desk.dir / "ack.eml").write_bytes(ack.raw)
        assert other_desk.cli("ingest", str(other_desk.dir / "ack.eml")).code == 0
        assert other_desk.tickets() == []
        # our technician answers
        harness.send(mail(subject=f"RE: {SUBJECT}", sender="Tom Tech <tech@desk.example>",
                          body="Which printer model is it?\n", message_id="<tom-1@desk.example>",
                          headers={"Authentication-Results":
                                   "mx.desk.example; dmarc=pass header.from=desk.example"}),
                     mail_from="tech@desk.example")
        harness.wait_processed(2)
        [answer] = wait_mail(harness, "technician_reply", to=theirs)
        # the other desk takes it for a new request and acknowledges it to our listener
        (other_desk.dir / "answer.eml").write_bytes(answer.raw)
        assert other_desk.cli("ingest", str(other_desk.dir / "answer.eml")).code == 0
        other_desk.tick(datetime.now(UTC))
        assert outbox_state(other_desk) == [("acknowledgement", "sent")]
        harness.wait_processed(3)
    assert outbox_kinds(harness) == ["acknowledgement", "technician_reply"]
    data = harness.ticket_json("INC0000001")
    assert data["status"] == "open"
    [recorded] = [m for m in data["messages"] if m["from"] == theirs][1:]
    assert recorded["automated"] is True
    assert recorded["subject"].startswith("[INC0000001] ")  # their tag, in their ticket's subject


def outbox_state(harness: Harness) -> list[tuple[str, str]]:
    with harness.session() as session:
        return [(r.kind, r.state) for r in session.exec(select(Outbox).order_by(Outbox.id)).all()]  # type: ignore[arg-type]
