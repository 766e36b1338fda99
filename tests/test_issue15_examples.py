"""Issue 15's examples, tried as a new user would: plain requests that any person at a service
desk reads at a glance were held and their senders asked for what they had written. Each now
makes a ticket at once, with the details read right, and the history names the rule that read
each one. End to end: SMTP on loopback to the running daemon, the acknowledgement to the sink.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.mail import mail
from tests.support.harness import Harness


@dataclass(frozen=True)
class Example:
    sender: str
    body: str
    name: str
    company: str
    phone: str  # E.164
    evidence: tuple[str, ...] = ()  # phrases the history's 'details:' note must hold


DISCLAIMER = (
    "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and may be "
    "legally privileged. If you are not the intended recipient, please notify the sender "
    "immediately and delete it. Greenfield Law LLP is authorised and regulated by the "
    "Solicitors Regulation Authority."
)
EXAMPLES = {
    "one line of details": Example(
        "Kelly Ashworth <kelly@riverside.example>",
        "The whiteboard in Year 2 is frozen. Kelly Ashworth, Riverside Infants, 07700 900 456",
        "Kelly Ashworth", "Riverside Infants", "+447700900456",
        ("company 'Riverside Infants' from details line",),
    ),
    "a surname that is a job title, from a role mailbox": Example(
        "Head Teacher <head@oakfield.example>",
        "We have a safeguarding concern about a pupil's school laptop that needs looking at "
        "today.\n\nJo Head, Oakfield High School, 01772 555 000",
        "Jo Head", "Oakfield High School", "+441772555000",
        ("name 'Jo Head' from details line", "doubted: a job title word in it",
         "phone '01772 555 000' from details line"),
    ),
    "a signature above a law firm's notice": Example(
        "Tom Becker <tom.becker@greenfieldlaw.example>",
        "Hi,\n\nThe scanner on the second floor stopped sending to email this morning.\n\n"
        f"Tom Becker\nPractice Manager | Greenfield Law LLP\nT: 0161 496 0755\n\n{DISCLAIMER}",
        "Tom Becker", "Greenfield Law LLP", "+441614960755",
        ("company 'Greenfield Law LLP' from signature's title | organisation line "
         "('Practice Manager | Greenfield Law LLP')",),
    ),
    "a label inside a sentence and a call-back phrase": Example(
        "Kelly Ashworth <kelly.a@riverside.example>",
        "Hello, the laptops in the library will not connect to the wifi since Monday. School: "
        "Riverside Infants. Could someone call me back on 07700 900 456",
        "Kelly Ashworth", "Riverside Infants", "+447700900456",
        ("company 'Riverside Infants' from labelled field", "from call-back phrase"),
    ),
    "a request number before the details": Example(
        "Sam Porter <sam@oakfield.example>",
        "The projector in the hall has no picture.\n\nRequest 7. Oakfield High School, "
        "01772 555 007\n\nSam Porter",
        "Sam Porter", "Oakfield High School", "+441772555007",
        ("company 'Oakfield High School' from details line",),
    ),
}


@pytest.mark.parametrize("example", EXAMPLES.values(), ids=list(EXAMPLES))
def test_a_complete_request_makes_a_ticket_with_the_details_read(
    harness: Harness, example: Example
) -> None:
    address = example.sender.split("<")[1].rstrip(">")
    with harness.daemon():
        raw = mail(sender=example.sender, subject="Help please", body=example.body)
        assert harness.send(raw, mail_from=address) == {}
        harness.wait_processed(1)
        [ack] = harness.wait_sink(1)
    # a ticket, not a held request: the acknowledgement, not a request for details
    assert not ack.message["Subject"].startswith("Details needed")
    assert harness.cli("pending", "list", "--json").json() == []
    [ticket] = harness.tickets()
    assert (ticket.requester_name, ticket.company_name, ticket.requester_phone) == (
        example.name, example.company, example.phone)
    assert ticket.missing_details == []
    [note] = [h["detail"] for h in harness.ticket_json(ticket.reference)["history"]
              if h["kind"] == "note" and h["detail"].startswith("details: ")]
    for phrase in example.evidence:
        assert phrase in note, note
