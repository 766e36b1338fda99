"""Issue 3: a request lacking details is held, the sender is asked once, the answer completes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.mail import mail
from tests.support.harness import Harness

UNKNOWN = "Bob <bob@unknown-co.example>"
FIRST_BODY = (
    "Hi,\n\nThe printer in room 4 prints blank pages since this morning, "
    "even after a new toner.\n\nThanks,\nBob"
)


def _write(harness: Harness, raw: bytes, name: str) -> Path:
    path = harness.dir / name
    path.write_bytes(raw)
    return path


def _pending(harness: Harness) -> list[dict]:
    result = harness.cli("pending", "list", "--json")
    assert result.code == 0, result.err
    return result.json()


def test_held_request_is_completed_by_the_answer_over_smtp(harness: Harness) -> None:
    first = mail(
        sender=UNKNOWN, subject="Printer prints blank pages", body=FIRST_BODY,
        message_id="<req-1@unknown-co.example>",
    )
    with harness.daemon():
        assert harness.send(first, mail_from="bob@unknown-co.example") == {}
        [inbound] = harness.wait_processed(1)
        [ask] = harness.wait_sink(1)
        assert inbound.state == "held"
        assert harness.tickets() == []  # no ticket yet: the seed policy
        assert ask.message["To"] == "bob@unknown-co.example"
        assert ask.message["Subject"] == "Details needed: Printer prints blank pages"
        assert ask.message["In-Reply-To"] == "<req-1@unknown-co.example>"
        assert ask.message["Auto-Submitted"] == "auto-replied"
        text = ask.text()
        for wanted in ("your full name", "your company or school", "a call-back number"):
            assert wanted in text
        assert "a description of the problem" not in text  # it was there: not asked for
        [held] = _pending(harness)
        assert held["state"] == "waiting"
        assert held["missing"] == ["name", "company", "phone"]
        # the deadline as the desk (Europe/London) reads it
        deadline = datetime.fromisoformat(held["expires_at"]).astimezone(ZoneInfo("Europe/London"))
        assert deadline.strftime("%a %d %b %Y %H:%M %Z") in text
        assert held["info_request_message_id"] == ask.message["Message-ID"].strip("<>")

        answer = mail(
            sender=UNKNOWN,
            subject="Re: Details needed: Printer prints blank pages",
            body=(
                "Hello,\n\nIt's Robert Brown from Hillside Dental Practice, you can ring me "
                "on 0113 496 0123.\n\nOn Mon, 23 Nov 2026 at 09:00, Example IT Desk wrote:\n"
                "> Before we can log your request we need:\n> - your full name\n"
            ),
            message_id="<answer-1@unknown-co.example>",
            in_reply_to=ask.message["Message-ID"],
            references=f"<req-1@unknown-co.example> {ask.message['Message-ID']}",
        )
        assert harness.send(answer, mail_from="bob@unknown-co.example") == {}
        harness.wait_processed(2)
        messages = harness.wait_sink(2)
    ack = messages[1]
    [ticket] = harness.tickets()
    data = harness.ticket_json(ticket.reference)
    assert data["subject"] == "Printer prints blank pages"  # the original request
    assert "prints blank pages since this morning" in data["description"]
    assert "Thanks" not in data["description"]
    assert ticket.requester_name == "Robert Brown"
    assert ticket.company_name == "Hillside Dental Practice"
    assert (ticket.requester_phone, ticket.requester_phone_original) == (
        "+441134960123", "0113 496 0123",
    )
    assert ticket.missing_details == []
    # the request, our question, the answer, the acknowledgement: one thread
    assert [m["direction"] for m in data["messages"]] == ["in", "out", "in", "out"]
    assert ack.message["Subject"] == f"[{ticket.reference}] Printer prints blank pages"
    assert ack.message["In-Reply-To"] == "<req-1@unknown-co.example>"
    assert ticket.reference in ack.text()
    [done] = _pending(harness)
    assert (done["state"], done["ticket"]) == ("completed", ticket.reference)
    assert [(r.state, r.ticket_id) for r in harness.inbound()] == [
        ("done", ticket.id), ("done", ticket.id)
    ]
    contacts = harness.cli("contacts", "list", "--json").json()
    assert contacts == [
        {
            "email": "bob@unknown-co.example", "name": "Robert Brown",
            "company": "Hillside Dental Practice", "phone": "+441134960123",
            "phone_original": "0113 496 0123", "site": "", "source": "learned",
        }
    ]


def test_unanswered_request_expires_with_a_final_notice_and_stays_listed(
    harness: Harness,
) -> None:
    raw = mail(sender=UNKNOWN, subject="Printer prints blank pages", body=FIRST_BODY)
    assert harness.cli("ingest", str(_write(harness, raw, "first.eml"))).code == 0
    now = datetime.now(UTC)
    harness.tick(now)
    assert [m.message["Subject"] for m in harness.sink.messages] == [
        "Details needed: Printer prints blank pages"
    ]
    harness.tick(now + timedelta(hours=71))
    assert _pending(harness)[0]["state"] == "waiting"
    harness.tick(now + timedelta(hours=73))
    [held] = _pending(harness)
    assert held["state"] == "expired"
    [_, notice] = harness.sink.messages
    assert notice.message["Subject"] == "Not logged: Printer prints blank pages"
    assert notice.message["In-Reply-To"] == f"<{held['info_request_message_id']}>"
    assert "has NOT been logged" in notice.text()
    harness.tick(now + timedelta(hours=80))
    assert len(harness.sink.messages) == 2  # one final notice, not one per sweep
    [inbound] = harness.inbound()
    assert inbound.state == "held"
    assert "expired" in inbound.reason
    assert harness.tickets() == []
    table = harness.cli("pending", "list")
    assert "expired" in table.out and "bob@unknown-co.example" in table.out


def test_known_company_sender_with_gaps_gets_a_ticket_at_once(harness: Harness) -> None:
    raw = mail(
        sender="Jane Doe <jane@school.example>",
        body="Hello,\n\nthe printer in room 12 shows a paper jam.\n\nThanks,\nJane",
    )
    assert harness.cli("ingest", str(_write(harness, raw, "known.eml"))).code == 0
    harness.tick(datetime.now(UTC))
    [ticket] = harness.tickets()
    assert ticket.requester_name == "Jane Doe"
    assert ticket.company_name == "Example School"
    assert ticket.missing_details == ["phone"]
    [ack] = harness.sink.to("jane@school.example")
    assert "please reply with a call-back number" in " ".join(ack.text().split())
    history = harness.ticket_json(ticket.reference)["history"]
    assert any("details missing from the request: phone" in h["detail"] for h in history)
    reply = mail(
        sender="Jane Doe <jane@school.example>",
        subject=f"Re: {ack.message['Subject']}",
        body="You can reach me on 0113 496 0123 until 4pm.\n\n> Thank you for contacting\n",
        message_id="<jane-reply@school.example>",
        in_reply_to=ack.message["Message-ID"],
    )
    assert harness.cli("ingest", str(_write(harness, reply, "reply.eml"))).code == 0
    [ticket] = harness.tickets()
    assert (ticket.requester_phone, ticket.missing_details) == ("+441134960123", [])


def test_imported_contact_fills_the_gaps(harness: Harness) -> None:
    directory = harness.dir / "contacts.csv"
    directory.write_text(
        "Email,Name,Company,Phone,Site\n"
        "bob@unknown-co.example,Robert Brown,Hillside Dental Practice,0113 496 0123,Leeds\n"
        "not-an-address,Nobody,,,\n",
        encoding="utf-8",
    )
    result = harness.cli("contacts", "import", str(directory))
    assert result.code == 0, result.err
    assert "1 contacts added, 0 updated" in result.out
    assert "line 3: skipped, not-an-address email address" in result.out
    raw = mail(sender=UNKNOWN, subject="Printer prints blank pages", body=FIRST_BODY)
    assert harness.cli("ingest", str(_write(harness, raw, "known.eml"))).code == 0
    [ticket] = harness.tickets()
    assert ticket.requester_name == "Robert Brown"
    assert ticket.company_name == "Hillside Dental Practice"
    assert ticket.requester_phone == "+441134960123"
    assert ticket.missing_details == []
    listed = harness.cli("contacts", "list").out
    assert "Robert Brown" in listed and "import" in listed


def test_contacts_import_without_an_email_column_is_refused_clearly(harness: Harness) -> None:
    bad = harness.dir / "bad.csv"
    bad.write_text("who,where\nBob,Leeds\n", encoding="utf-8")
    result = harness.cli("contacts", "import", str(bad))
    assert result.code == 65
    assert "email column" in result.err
    missing = harness.cli("contacts", "import", str(harness.dir / "nope.csv"))
    assert missing.code == 66 and "cannot read" in missing.err


def test_attachment_over_the_limit_is_noted_and_the_sender_told(harness: Harness) -> None:
    harness.write_config("[intake]\nmax_attachment_bytes = 1000\n")
    message = EmailMessage()
    message["From"] = "Jane Doe <jane@school.example>"
    message["To"] = "support@desk.example"
    message["Subject"] = "Screenshots of the error"
    message["Message-ID"] = "<big@school.example>"
    message.set_content("The login screen shows error 0x80070005, screenshots attached.\n"
                        "Call me on 0113 496 0123.\n")
    message.add_attachment(b"x" * 5000, maintype="image", subtype="png", filename="big.png")
    message.add_attachment(b"y" * 10, maintype="text", subtype="plain", filename="small.txt")
    assert harness.cli("ingest", str(_write(harness, message.as_bytes(), "big.eml"))).code == 0
    harness.tick(datetime.now(UTC))
    [ticket] = harness.tickets()
    data = harness.ticket_json(ticket.reference)
    stored = {a["filename"]: a for a in data["messages"][0]["attachments"]}
    assert stored["big.png"]["stored"] is False
    assert "over the 1000 byte limit" in stored["big.png"]["skipped_reason"]
    assert stored["small.txt"]["stored"] is True
    assert any("big.png" in h["detail"] for h in data["history"])
    [ack] = harness.sink.to("jane@school.example")
    assert "big.png" in ack.text() and "small.txt" not in ack.text()


def test_a_bare_answer_supplies_the_one_detail_asked_for(harness: Harness) -> None:
    first = mail(
        sender="Helen Carter <helen@oakwood-mail.example>",
        subject="Whiteboard shows no picture",
        body="The interactive whiteboard in class 3 shows no picture since Monday.\n"
        "Call me on 0113 496 0500.\n\nHelen Carter",
        message_id="<wb-1@oakwood-mail.example>",
    )
    assert harness.cli("ingest", str(_write(harness, first, "first.eml"))).code == 0
    now = datetime.now(UTC)
    harness.tick(now)
    [ask] = harness.sink.messages
    assert "your company or school" in ask.text() and "your full name" not in ask.text()
    answer = mail(
        sender="Helen Carter <helen@oakwood-mail.example>",
        subject="Re: Details needed: Whiteboard shows no picture",
        body="Oakwood Infant School\n\n> Before we can log your request we need:\n",
        message_id="<wb-2@oakwood-mail.example>",
        in_reply_to=ask.message["Message-ID"],
    )
    assert harness.cli("ingest", str(_write(harness, answer, "answer.eml"))).code == 0
    [ticket] = harness.tickets()
    assert ticket.company_name == "Oakwood Infant School"
    assert ticket.requester_name == "Helen Carter"
    assert ticket.requester_phone == "+441134960500"
    assert ticket.subject == "Whiteboard shows no picture"
    assert ticket.missing_details == []


def test_an_out_of_office_answer_does_not_complete_the_request(harness: Harness) -> None:
    first = mail(sender=UNKNOWN, subject="Printer prints blank pages", body=FIRST_BODY)
    assert harness.cli("ingest", str(_write(harness, first, "first.eml"))).code == 0
    harness.tick(datetime.now(UTC))
    [ask] = harness.sink.messages
    away = mail(
        sender=UNKNOWN, subject="Automatic reply: Details needed",
        body="I am out of the office until Monday.",
        in_reply_to=ask.message["Message-ID"],
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert harness.cli("ingest", str(_write(harness, away, "away.eml"))).code == 0
    assert harness.tickets() == []
    assert _pending(harness)[0]["state"] == "waiting"
    assert harness.inbound()[1].state == "screened"


def test_late_answer_after_expiry_still_makes_the_ticket_and_later_replies_follow_up(
    harness: Harness,
) -> None:
    first = mail(sender=UNKNOWN, subject="Printer prints blank pages", body=FIRST_BODY)
    assert harness.cli("ingest", str(_write(harness, first, "first.eml"))).code == 0
    now = datetime.now(UTC)
    harness.tick(now)
    harness.tick(now + timedelta(hours=73))
    ask, notice = harness.sink.messages
    assert _pending(harness)[0]["state"] == "expired"
    late = mail(
        sender=UNKNOWN, subject="Re: Not logged: Printer prints blank pages",
        body="Sorry, I was away. Robert Brown, Hillside Dental Practice, 0113 496 0123.",
        message_id="<late@unknown-co.example>",
        in_reply_to=notice.message["Message-ID"],
        references=f"{ask.message['Message-ID']} {notice.message['Message-ID']}",
    )
    assert harness.cli("ingest", str(_write(harness, late, "late.eml"))).code == 0
    [ticket] = harness.tickets()
    assert (ticket.company_name, ticket.requester_phone) == (
        "Hillside Dental Practice", "+441134960123",
    )
    assert _pending(harness)[0]["state"] == "completed"
    again = mail(
        sender=UNKNOWN, subject="Re: Details needed: Printer prints blank pages",
        body="Also: it now makes a grinding noise.",
        message_id="<again@unknown-co.example>",
        in_reply_to=ask.message["Message-ID"],
    )
    assert harness.cli("ingest", str(_write(harness, again, "again.eml"))).code == 0
    assert len(harness.tickets()) == 1  # a follow-up on the ticket, not a new request
    bodies = [m["body"] for m in harness.ticket_json(ticket.reference)["messages"]]
    assert any("grinding noise" in body for body in bodies)


def test_a_new_mail_with_the_same_subject_completes_the_request(harness: Harness) -> None:
    """Some clients keep no In-Reply-To, and some people write again instead of replying: a
    mail of the same sender with the request's subject (or our question's) is the answer, not
    a second request that would be asked again and later told it was not logged."""
    first = mail(sender=UNKNOWN, subject="Printer prints blank pages", body=FIRST_BODY,
                 message_id="<req-2@unknown-co.example>")
    assert harness.cli("ingest", str(_write(harness, first, "first.eml"))).code == 0
    now = datetime.now(UTC)
    harness.tick(now)
    [ask] = harness.sink.messages
    again = mail(
        sender=UNKNOWN, subject="RE: Details needed: Printer prints blank pages",
        body="Robert Brown\nHillside Dental Practice\n0113 496 0123\n",
        message_id="<again-2@unknown-co.example>",
    )
    assert harness.cli("ingest", str(_write(harness, again, "again.eml"))).code == 0
    [ticket] = harness.tickets()
    assert ticket.subject == "Printer prints blank pages"
    assert (ticket.requester_name, ticket.company_name, ticket.requester_phone) == (
        "Robert Brown", "Hillside Dental Practice", "+441134960123",
    )
    assert "prints blank pages since this morning" in harness.ticket_json(
        ticket.reference)["description"]
    [done] = _pending(harness)
    assert (done["state"], done["ticket"]) == ("completed", ticket.reference)
    harness.tick(now + timedelta(hours=80))
    subjects = [m.message["Subject"] for m in harness.sink.to("bob@unknown-co.example")]
    assert subjects == [ask.message["Subject"], f"[{ticket.reference}] Printer prints blank pages"]


def test_after_expiry_a_new_mail_sharing_the_subject_is_a_new_request(harness: Harness) -> None:
    """Only a reply to our mail answers an expired request: a fresh mail that merely has the
    same short subject days later is asked about on its own, the old request stays expired."""
    first = mail(sender=UNKNOWN, subject="Printer", body=FIRST_BODY,
                 message_id="<old@unknown-co.example>")
    assert harness.cli("ingest", str(_write(harness, first, "first.eml"))).code == 0
    now = datetime.now(UTC)
    harness.tick(now)
    harness.tick(now + timedelta(hours=73))
    assert [p["state"] for p in _pending(harness)] == ["expired"]
    later = mail(sender=UNKNOWN, subject="Printer",
                 body="Hi,\n\nThe printer in the staff room shows error 49.\n\nBob",
                 message_id="<new@unknown-co.example>")
    assert harness.cli("ingest", str(_write(harness, later, "later.eml"))).code == 0
    assert harness.tickets() == []
    assert [p["state"] for p in _pending(harness)] == ["expired", "waiting"]


def test_a_reply_to_the_request_itself_completes_it(harness: Harness) -> None:
    """Outlook users answer from their Sent folder, and retitle: In-Reply-To names their own
    request, which is evidence enough without our question's subject."""
    first = mail(sender=UNKNOWN, subject="Printer prints blank pages", body=FIRST_BODY,
                 message_id="<req-3@unknown-co.example>")
    assert harness.cli("ingest", str(_write(harness, first, "first.eml"))).code == 0
    harness.tick(datetime.now(UTC))
    answer = mail(
        sender=UNKNOWN, subject="RE: Printer prints blank pages - my details",
        body="Robert Brown\nHillside Dental Practice\n0113 496 0123\n",
        message_id="<ans-3@unknown-co.example>", in_reply_to="<req-3@unknown-co.example>",
    )
    assert harness.cli("ingest", str(_write(harness, answer, "answer.eml"))).code == 0
    [ticket] = harness.tickets()
    assert (ticket.subject, ticket.company_name) == (
        "Printer prints blank pages", "Hillside Dental Practice",
    )
    assert [p["state"] for p in _pending(harness)] == ["completed"]


def test_an_answer_through_a_relay_that_rewrote_our_message_id_completes_the_request(
    harness: Harness,
) -> None:
    """Amazon SES and some gateways give our mail a Message-ID of their own: the answer's
    In-Reply-To names nothing we know, and our question's subject is the evidence."""
    first = mail(sender=UNKNOWN, subject="Printer prints blank pages", body=FIRST_BODY)
    assert harness.cli("ingest", str(_write(harness, first, "first.eml"))).code == 0
    harness.tick(datetime.now(UTC))
    answer = mail(
        sender=UNKNOWN, subject="RE: Details needed: Printer prints blank pages",
        body="Robert Brown\nHillside Dental Practice\n0113 496 0123\n",
        message_id="<ans-ses@unknown-co.example>",
        in_reply_to="<0100018c-rewritten@email.amazonses.com>",
    )
    assert harness.cli("ingest", str(_write(harness, answer, "answer.eml"))).code == 0
    [ticket] = harness.tickets()
    assert ticket.company_name == "Hillside Dental Practice"
    assert [p["state"] for p in _pending(harness)] == ["completed"]


def test_an_answer_that_still_lacks_a_detail_makes_the_ticket_without_asking_again(
    harness: Harness,
) -> None:
    """One info_request per request: the answer completes the request whatever it holds; the
    gap is recorded on the ticket, never asked about in a second round."""
    first = mail(sender=UNKNOWN, subject="Printer prints blank pages", body=FIRST_BODY)
    assert harness.cli("ingest", str(_write(harness, first, "first.eml"))).code == 0
    now = datetime.now(UTC)
    harness.tick(now)
    [ask] = harness.sink.messages
    answer = mail(
        sender=UNKNOWN, subject="Re: Details needed: Printer prints blank pages",
        body="I'm Robert Brown, ring 0113 496 0123. Not sure what you mean by company.",
        in_reply_to=ask.message["Message-ID"],
    )
    assert harness.cli("ingest", str(_write(harness, answer, "answer.eml"))).code == 0
    [ticket] = harness.tickets()
    assert ticket.missing_details == ["company"]
    assert ticket.requester_name == "Robert Brown"
    harness.tick(now + timedelta(hours=80))
    kinds = [row["kind"] for row in harness.cli("outbox", "list", "--json").json()
             if row["to"] == ["bob@unknown-co.example"]]
    assert sorted(kinds) == ["acknowledgement", "info_request"]
    assert _pending(harness)[0]["state"] == "completed"
