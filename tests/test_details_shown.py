"""Issue 15: the customer is shown what was read from their mail, so that they can correct it;
their correction reaches the ticket, and the desk sees which rule read each detail.

End to end: mail in over SMTP on loopback to the running daemon, mail out to the SMTP sink."""

from __future__ import annotations

from sqlalchemy import text

from tests.mail import mail
from tests.support.harness import Harness
from tests.support.sink import Received

KELLY = "Kelly Ashworth <kelly@riverside-infants.example>"
KELLY_ADDRESS = "kelly@riverside-infants.example"
KELLY_REQUEST = (
    "Hello,\n\nThe printer in room 4 prints blank pages since this morning, even after a new "
    "toner.\n\nName: Kelly Ashworth\nSchool: Riverside Infants\nPhone: 07700 900 456\n\n"
    "Thanks,\nKelly"
)
# 'Head' is a job title too: a display name with it in is kept, but only as unconfirmed
ANTHONY = "Anthony Head <anthony@riverside-infants.example>"
ANTHONY_ADDRESS = "anthony@riverside-infants.example"
ANTHONY_REQUEST = (
    "Hello,\n\nThe projector in the hall shows no picture since Monday.\n\n"
    "Riverside Infants, 07700 900 456\n\nThanks"
)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _request(harness: Harness, sender: str, address: str, body: str, message_id: str) -> Received:
    """Send a request over SMTP while the daemon runs; the acknowledgement it gets back."""
    raw = mail(sender=sender, subject="Printer prints blank pages", body=body,
               message_id=message_id)
    assert harness.send(raw, mail_from=address) == {}
    harness.wait_processed(1)
    [ack] = harness.wait_sink(1)
    assert ack.message["To"] == address
    return ack


def _reply(harness: Harness, ack: Received, body: str, message_id: str) -> None:
    """The requester answers the acknowledgement (quoting it, as mail programs do)."""
    quoted = "".join(f"> {line}\n" for line in ack.text().splitlines())
    raw = mail(
        sender=KELLY, subject=f"Re: {ack.message['Subject']}",
        body=f"{body}\n\nOn Mon, 23 Nov 2026 at 09:05, Example IT Desk wrote:\n{quoted}",
        message_id=message_id, in_reply_to=ack.message["Message-ID"],
        references=ack.message["References"] + " " + ack.message["Message-ID"],
    )
    assert harness.send(raw, mail_from=KELLY_ADDRESS) == {}
    harness.wait_processed(2)


def _notes(harness: Harness, reference: str) -> list[str]:
    return [h["detail"] for h in harness.ticket_json(reference)["history"] if h["kind"] == "note"]


def test_the_acknowledgement_shows_the_details_read(harness: Harness) -> None:
    with harness.daemon():
        ack = _request(harness, KELLY, KELLY_ADDRESS, KELLY_REQUEST, "<kelly-1@riverside.example>")
    [ticket] = harness.tickets()
    assert (ticket.requester_name, ticket.company_name, ticket.requester_phone) == (
        "Kelly Ashworth", "Riverside Infants", "+447700900456",
    )
    assert ticket.unconfirmed_details == []
    text = _one_line(ack.text())
    assert ("We have you as Kelly Ashworth, Riverside Infants, 07700 900 456 — reply if any "
            "of this is wrong.") in text
    assert "please check" not in text
    assert "please reply with" not in text  # nothing is missing: nothing asked for
    html = _one_line(ack.html())
    assert ("We have you as <strong>Kelly Ashworth</strong>, <strong>Riverside Infants</strong>, "
            "<strong>07700 900 456</strong> &mdash; reply if any of this is wrong.") in html
    assert "please check" not in html


def test_a_detail_read_on_weak_evidence_is_marked_for_checking(harness: Harness) -> None:
    with harness.daemon():
        ack = _request(harness, ANTHONY, ANTHONY_ADDRESS, ANTHONY_REQUEST,
                       "<anthony-1@riverside.example>")
    [ticket] = harness.tickets()
    assert ticket.requester_name == "Anthony Head"
    assert ticket.unconfirmed_details == ["name"]
    assert ticket.missing_details == []
    text = _one_line(ack.text())
    assert ("We have you as Anthony Head (please check), Riverside Infants, 07700 900 456 — "
            "reply if any of this is wrong.") in text
    assert text.count("(please check)") == 1  # the company and number were read with evidence
    html = _one_line(ack.html())
    assert "<strong>Anthony Head</strong> <em>(please check)</em>, " in html
    assert html.count("(please check)") == 1


def test_details_read_are_shown_and_the_missing_ones_still_asked_for(harness: Harness) -> None:
    """A sender of a known company domain gets a ticket at once even without a number."""
    body = "Hello,\n\nthe printer in room 12 shows a paper jam.\n\nThanks,\nJane"
    with harness.daemon():
        ack = _request(harness, "Jane Doe <jane@school.example>", "jane@school.example", body,
                       "<jane-1@school.example>")
    [ticket] = harness.tickets()
    assert ticket.missing_details == ["phone"]
    text = _one_line(ack.text())
    assert "We have you as Jane Doe, Example School — reply if any of this is wrong." in text
    assert "To help us, please reply with a call-back number." in text
    html = _one_line(ack.html())
    assert "<strong>Example School</strong> &mdash; reply if any" in html
    assert "please reply with a call-back number." in html


def test_the_request_for_missing_details_says_what_we_already_have(harness: Harness) -> None:
    body = ("The interactive whiteboard in class 3 shows no picture since Monday.\n"
            "Call me on 0113 496 0500.\n\nHelen Carter")
    with harness.daemon():
        raw = mail(sender="Helen Carter <helen@oakwood-mail.example>",
                   subject="Whiteboard shows no picture", body=body,
                   message_id="<wb-1@oakwood-mail.example>")
        assert harness.send(raw, mail_from="helen@oakwood-mail.example") == {}
        [inbound] = harness.wait_processed(1)
        [ask] = harness.wait_sink(1)
    assert inbound.state == "held" and harness.tickets() == []
    assert ask.message["Subject"] == "Details needed: Whiteboard shows no picture"
    [held] = harness.cli("pending", "list", "--json").json()
    assert held["missing"] == ["company"]
    text = _one_line(ask.text())
    assert ("We already have from your first email: name Helen Carter, phone 0113 496 0500. "
            "If any of this is wrong, put it right in your reply.") in text
    assert "- your company or school" in text  # still asked for what is missing
    html = _one_line(ask.html())
    assert ("We already have from your first email: name <strong>Helen Carter</strong>, "
            "phone <strong>0113 496 0500</strong>.<br> If any of this is wrong, put it right in "
            "your reply.</p>") in html


def test_the_requesters_correction_changes_the_ticket_and_the_history_says_so(
    harness: Harness,
) -> None:
    with harness.daemon():
        ack = _request(harness, KELLY, KELLY_ADDRESS, KELLY_REQUEST, "<kelly-2@riverside.example>")
        _reply(harness, ack, "Sorry, my number is actually 07700 900 999\n\nKelly",
               "<kelly-2-fix@riverside.example>")
    [ticket] = harness.tickets()
    assert (ticket.requester_phone, ticket.requester_phone_original) == (
        "+447700900999", "07700 900 999",
    )
    assert ticket.requester_name == "Kelly Ashworth"  # the display name corrects nothing
    data = harness.ticket_json(ticket.reference)
    assert [m["direction"] for m in data["messages"]] == ["in", "out", "in"]
    assert data["requester"]["phone"] == "+447700900999"
    assert data["details_read"]["phone"].startswith("requester's reply: ")
    assert "07700 900 999" in data["details_read"]["phone"]
    assert ("details from the requester's reply: phone changed from '07700 900 456' to "
            "'07700 900 999'") in _notes(harness, ticket.reference)


def test_an_office_number_in_the_reply_signature_does_not_change_the_phone(
    harness: Harness,
) -> None:
    with harness.daemon():
        ack = _request(harness, KELLY, KELLY_ADDRESS, KELLY_REQUEST, "<kelly-3@riverside.example>")
        _reply(
            harness, ack,
            "Thanks, that's all fine. The printer still jams on double-sided pages though.\n\n"
            "Kind regards,\nKelly Ashworth\nOffice Manager | Riverside Infants\n"
            "Office: 0113 496 0777",
            "<kelly-3-more@riverside.example>",
        )
    [ticket] = harness.tickets()
    data = harness.ticket_json(ticket.reference)
    # the reply is on the ticket (so its details were considered) ...
    assert [m["direction"] for m in data["messages"]] == ["in", "out", "in"]
    assert "double-sided" in data["messages"][2]["body"]
    # ... and its signature's office number is not taken for a correction
    assert (ticket.requester_phone, ticket.requester_phone_original) == (
        "+447700900456", "07700 900 456",
    )
    assert data["details_read"]["phone"] == "labelled field ('Phone: 07700 900 456')"
    assert not [n for n in _notes(harness, ticket.reference)
                if n.startswith("details from the requester's reply")]


def test_tickets_show_says_which_rule_read_each_detail(harness: Harness) -> None:
    with harness.daemon():
        _request(harness, ANTHONY, ANTHONY_ADDRESS, ANTHONY_REQUEST,
                 "<anthony-2@riverside.example>")
    [ticket] = harness.tickets()
    data = harness.ticket_json(ticket.reference)
    assert data["unconfirmed_details"] == ["name"]
    assert data["details_read"]["name"] == "display name, doubted: a job title word in it"
    assert data["details_read"]["company"] == (
        "details line ('Riverside Infants, 07700 900 456')")
    shown = harness.cli("tickets", "show", ticket.reference)
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert ("  read       name         display name, doubted: a job title word in it  UNCONFIRMED"
            in lines)
    assert ("             company      details line ('Riverside Infants, 07700 900 456')"
            in lines)
    assert ("             phone        details line ('Riverside Infants, 07700 900 456')"
            in lines)
    assert "             description  mail" in lines
    # the read lines stand with the requester, before the SLA and the messages
    assert lines.index(
        "  read       name         display name, doubted: a job title word in it  UNCONFIRMED"
    ) < next(
        i for i, line in enumerate(lines) if line.startswith("  sla"))


def test_tickets_show_copes_with_a_ticket_from_before_the_details_were_recorded(
    harness: Harness,
) -> None:
    """Migration 0004 adds the two columns empty (NULL) to the tickets already there."""
    with harness.daemon():
        _request(harness, KELLY, KELLY_ADDRESS, KELLY_REQUEST, "<kelly-4@riverside.example>")
    _forget_details_read(harness)
    [ticket] = harness.tickets()
    data = harness.ticket_json(ticket.reference)
    assert (data["details_read"], data["unconfirmed_details"]) == ({}, [])
    shown = harness.cli("tickets", "show", ticket.reference)
    assert shown.code == 0, shown.err
    assert "Kelly Ashworth <kelly@riverside-infants.example>" in shown.out
    assert "  read " not in shown.out


def test_a_correction_to_a_ticket_from_before_the_details_were_recorded_is_taken(
    harness: Harness,
) -> None:
    with harness.daemon():
        ack = _request(harness, KELLY, KELLY_ADDRESS, KELLY_REQUEST, "<kelly-5@riverside.example>")
        _forget_details_read(harness)
        _reply(harness, ack, "Sorry, my number is actually 07700 900 999\n\nKelly",
               "<kelly-5-fix@riverside.example>")
    assert [row.state for row in harness.inbound()] == ["done", "done"]
    [ticket] = harness.tickets()
    assert ticket.requester_phone == "+447700900999"


def test_the_next_request_after_a_correction_shows_the_corrected_number(
    harness: Harness,
) -> None:
    with harness.daemon():
        ack = _request(harness, KELLY, KELLY_ADDRESS, KELLY_REQUEST, "<kelly-6@riverside.example>")
        _reply(harness, ack, "Sorry, my number is actually 07700 900 999\n\nKelly",
               "<kelly-6-fix@riverside.example>")
        again = mail(
            sender=KELLY, subject="Scanner does not send to email",
            body="Hello,\n\nthe scanner in the office does not scan to email any more.\n\n"
                 "Thanks,\nKelly",
            message_id="<kelly-7@riverside.example>",
        )
        assert harness.send(again, mail_from=KELLY_ADDRESS) == {}
        harness.wait_processed(3)
        second = harness.wait_sink(2)[1]
    assert second.message["Subject"].endswith("Scanner does not send to email")
    assert "Kelly Ashworth, Riverside Infants, 07700 900 999 — reply" in _one_line(second.text())
    assert [t.requester_phone for t in harness.tickets()] == ["+447700900999"] * 2


def _forget_details_read(harness: Harness) -> None:
    """What migration 0004 leaves on the tickets that were there before it: NULL columns."""
    with harness.engine.begin() as connection:
        connection.execute(
            text("UPDATE ticket SET details_read = NULL, unconfirmed_details = NULL"))


def test_a_number_given_for_someone_else_corrects_nothing(harness: Harness) -> None:
    """'Hannah's mobile for the authenticator app is …' is Hannah's, not the requester's."""
    with harness.daemon():
        ack = _request(harness, KELLY, KELLY_ADDRESS, KELLY_REQUEST, "<kelly-8@riverside.example>")
        _reply(harness, ack, "Thanks. Hannah's mobile for the authenticator app is "
               "07700 900123.\n\nKelly", "<kelly-8-more@riverside.example>")
    [ticket] = harness.tickets()
    assert ticket.requester_phone == "+447700900456"
    assert not [n for n in _notes(harness, ticket.reference)
                if n.startswith("details from the requester's reply")]
    [contact] = harness.cli("contacts", "list", "--json").json()
    assert contact["phone"] == "+447700900456"


def test_an_answer_signed_with_an_office_number_keeps_the_number_first_given(
    harness: Harness,
) -> None:
    """Only the company was asked for; the answer's signature carries the school office's
    number, which must not push aside the mobile the customer asked to be called on."""
    with harness.daemon():
        first = mail(sender="Helen Carter <helen@oakwood-mail.example>",
                     subject="Whiteboard shows no picture",
                     body="The interactive whiteboard in class 3 shows no picture since "
                          "Monday.\nCall me on 07700 900 500.\n\nHelen Carter",
                     message_id="<wb-8@oakwood-mail.example>")
        assert harness.send(first, mail_from="helen@oakwood-mail.example") == {}
        harness.wait_processed(1)
        [ask] = harness.wait_sink(1)
        answer = mail(sender="Helen Carter <helen@oakwood-mail.example>",
                      subject=f"Re: {ask.message['Subject']}",
                      body="Oakwood Infant School\n\n--\nHelen Carter\nSchool office: "
                           "0113 496 0999",
                      message_id="<wb-9@oakwood-mail.example>",
                      in_reply_to=ask.message["Message-ID"])
        assert harness.send(answer, mail_from="helen@oakwood-mail.example") == {}
        harness.wait_processed(2)
    [ticket] = harness.tickets()
    assert ticket.company_name == "Oakwood Infant School"
    assert (ticket.requester_phone, ticket.requester_phone_original) == (
        "+447700900500", "07700 900 500")
