"""Issue 3: the four details from requests written the ways people write them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from parsing import parse_message
from parsing.details import extract_details
from tests.mail import mail


@dataclass(frozen=True)
class Case:
    sender: str
    body: str
    name: str
    company: str
    phones: tuple[str, ...]
    description: str  # a phrase the description must contain
    not_in_description: tuple[str, ...] = ()
    region: str = "GB"
    html: bool = False


CASES = {
    "labelled fields": Case(
        sender="jsmith@acme.example",
        body="Hi team,\n\nMy laptop will not boot since this morning, it shows a blue screen.\n\n"
        "Name: John Smith\nCompany: Acme Ltd\nPhone: 020 7946 0018\n\nThanks,\nJohn",
        name="John Smith", company="Acme Ltd", phones=("+442079460018",),
        description="My laptop will not boot since this morning",
        not_in_description=("Hi team", "Name:", "020 7946 0018", "Thanks"),
    ),
    "form with dashes and service-desk wording": Case(
        sender="Priya <p.patel@northfield.example>",
        body="Requester's full name - Priya Patel\nClient company name - Northfield Academy Trust\n"
        "Call-back number(s): 01772 123456 / 07911 123456\n"
        "Detailed description of the issue: Cannot print from any classroom PC since the "
        "update, error 0x0000011b.\n",
        name="Priya Patel", company="Northfield Academy Trust",
        phones=("+441772123456", "+447911123456"),
        description="Cannot print from any classroom PC since the update",
        not_in_description=("Detailed description", "Priya Patel"),
    ),
    "prose": Case(
        sender="sconnor@cyberdyne.example",
        body="Hello,\n\nThis is Sarah Connor from Cyberdyne Systems. The projector in the main "
        "hall keeps switching off after ten minutes.\nPlease call me back on 07911 123456.\n\n"
        "Regards\nSarah",
        name="Sarah Connor", company="Cyberdyne Systems", phones=("+447911123456",),
        description="The projector in the main hall keeps switching off",
        not_in_description=("Regards",),
    ),
    "prose, I work at": Case(
        sender="tom@riverside.example",
        body="Hi, my name is Tom O'Brien and I work at Riverside College. Email has been down "
        "for everyone in the English block since 9am. You can reach me on 0161 496 0000.",
        name="Tom O'Brien", company="Riverside College", phones=("+441614960000",),
        description="Email has been down for everyone",
    ),
    "Outlook signature": Case(
        sender='"Smith, Robert" <r.smith@stmarys.example>',
        body="Good morning,\n\nThe shared drive is not mapping for any of the staff in the "
        "English department.\n\nKind regards,\n\nRobert Smith\nBusiness Manager | St Mary's "
        "Primary School\nTel: 0113 496 0123 | Fax: 0113 496 0999\n\n"
        "This email and any attachments are confidential and intended solely for the "
        "addressee.\n",
        name="Robert Smith", company="St Mary's Primary School", phones=("+441134960123",),
        description="The shared drive is not mapping",
        not_in_description=("Kind regards", "Business Manager", "confidential", "Good morning"),
    ),
    "Gmail signature after dashes": Case(
        sender="Anna Novak <anna.novak@gmail.example>",
        body="Hello support,\n\nOutlook keeps asking for my password every few minutes on my "
        "work laptop.\n\n-- \nAnna Novak\nHillside Dental Practice\nMobile: +44 7911 123456\n",
        name="Anna Novak", company="Hillside Dental Practice", phones=("+447911123456",),
        description="Outlook keeps asking for my password",
        not_in_description=("Hillside Dental", "Mobile"),
    ),
    "US numbers with a US desk": Case(
        sender="Mike Jones <mike@brightpath.example>",
        body="Our VPN drops every hour. Call me at (415) 555-0132 or my cell 212-555-0188.\n\n"
        "Mike Jones\nBrightpath Consulting LLC",
        name="Mike Jones", company="Brightpath Consulting LLC",
        phones=("+14155550132", "+12125550188"),
        description="Our VPN drops every hour", region="US",
    ),
    "international number at a UK desk": Case(
        sender="Klaus Weber <k.weber@example.de>",
        body="Organisation: Weber Logistik GmbH\n\nThe label printer in the Hamburg depot "
        "prints nothing since yesterday's update.\n\nTel.: +49 30 901820\n\nKlaus Weber",
        name="Klaus Weber", company="Weber Logistik GmbH", phones=("+4930901820",),
        description="The label printer in the Hamburg depot prints nothing",
    ),
    "HTML-only with a table": Case(
        sender="office@oakwood.example",
        body="<html><body><p>Dear IT,</p><p>The interactive whiteboard in class 3 shows no "
        "picture since Monday.</p><table><tr><td>Name:</td><td>Helen Carter</td></tr>"
        "<tr><td>School:</td><td>Oakwood Infant School</td></tr><tr><td>Phone:</td>"
        "<td>0113 496 0500</td></tr></table><p>Many thanks</p></body></html>",
        name="Helen Carter", company="Oakwood Infant School", phones=("+441134960500",),
        description="The interactive whiteboard in class 3 shows no picture",
        not_in_description=("Dear IT", "Helen Carter", "Many thanks"), html=True,
    ),
    "details only in quoted history are not this sender's": Case(
        sender="Leo Grant <leo@grant.example>",
        body="The scanner still does not send to email.\n\n"
        "On Mon, 23 Nov 2026 at 09:00, Someone Else <other@elsewhere.example> wrote:\n"
        "> Name: Other Person\n> Company: Elsewhere Ltd\n> Phone: 020 7946 0999\n",
        name="Leo Grant", company="", phones=(),
        description="The scanner still does not send to email",
        not_in_description=("Other Person",),
    ),
    "a bare cry for help": Case(
        sender="helpdesk-user@example.org",
        body="help", name="", company="", phones=(), description="help",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_four_details(case: Case) -> None:
    raw = mail(sender=case.sender, body="" if case.html else case.body,
               html=case.body if case.html else "", subject="Help needed")
    details = extract_details(parse_message(raw), region=case.region)
    assert details.name == case.name
    assert details.company == case.company
    assert tuple(p.e164 for p in details.phones) == case.phones
    assert case.description in details.description
    for unwanted in case.not_in_description:
        assert unwanted not in details.description, details.description
    missing = set(details.missing())
    assert ("name" in missing) == (not case.name)
    assert ("company" in missing) == (not case.company)
    assert ("phone" in missing) == (not case.phones)


def test_original_spelling_of_numbers_is_kept() -> None:
    raw = mail(body="Printer jammed again. Ring 020 7946 0018 please.\n\nJane Doe\nAcme Ltd")
    [phone] = extract_details(parse_message(raw)).phones
    assert (phone.e164, phone.original) == ("+442079460018", "020 7946 0018")


def test_description_counts_as_missing_when_there_is_nothing_to_act_on() -> None:
    raw = mail(body="see subject\n\nJane Doe\nAcme Ltd\n020 7946 0018")
    assert extract_details(parse_message(raw)).missing() == ("description",)


@pytest.mark.parametrize(
    "text",
    [
        "name" + " " * 20_000 + "x",
        "Company" + "\n" * 20_000 + ":x",
        " " * 50_000,
        "Name -" + " -" * 20_000,
        "My name is " + "Ab " * 30_000,
        "Name: x\n" * 5_000,
    ],
    ids=["blank run after a label", "blank lines after a label", "blanks", "dashes",
         "endless name", "many labels"],
)
def test_pathological_text_is_read_in_linear_time(text: str) -> None:
    from time import monotonic

    from parsing.details import extract_from_text

    started = monotonic()
    extract_from_text(text)
    assert monotonic() - started < 3  # quadratic regexes took 4-18 s on the first two
