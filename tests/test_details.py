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
    "signature block with no sign-off and no dashes": Case(
        sender="jane@acme.example",
        body="Hi,\n\nThe printer in room 4 is broken.\n\nJane Doe\nAcme Ltd\n0113 496 0123",
        name="Jane Doe", company="Acme Ltd", phones=("+441134960123",),
        description="The printer in room 4 is broken", not_in_description=("Jane Doe", "Hi,"),
    ),
    "a number of its own in the signature, valid to phonenumbers or not": Case(
        # 01632 960xxx is Ofcom's drama range, unknown to phonenumbers' valid ranges; the
        # customer wrote it as their number all the same, and must not be asked for one
        sender="jane@acme.example",
        body="Hi,\n\nThe printer in room 4 is broken.\n\nJane Doe\nAcme Ltd\n01632 960123",
        name="Jane Doe", company="Acme Ltd", phones=("+441632960123",),
        description="The printer in room 4 is broken",
    ),
    "Outlook signature with T: and M: and a job title": Case(
        sender="Jane Doe <jane@hillside.example>",
        body="Hello,\n\nOur server room UPS is beeping constantly since the power cut.\n\n"
        "Kind regards\n\nJane Doe\nPractice Manager\nHillside Dental Practice\n"
        "T: 0113 496 0123 | M: 07911 123456\nE: jane@hillside.example\nW: www.hillside.example\n",
        name="Jane Doe", company="Hillside Dental Practice",
        phones=("+441134960123", "+447911123456"),
        description="Our server room UPS is beeping constantly",
        not_in_description=("Practice Manager", "Kind regards", "www."),
    ),
    "Outlook signature on one line with Direct dial and Mob": Case(
        sender="j.doe@acmeholdings.example",
        body="Hi,\n\nCannot log in to Sage since the password change.\n\nThanks\n"
        "Jane Doe | Finance Officer\nAcme Holdings plc\n"
        "Direct dial: 020 7946 0018 | Mob: 07911 123456\n",
        name="Jane Doe", company="Acme Holdings plc",
        phones=("+442079460018", "+447911123456"),
        description="Cannot log in to Sage", not_in_description=("Finance Officer",),
    ),
    "Contact: is a name when no number follows": Case(
        sender="office@oakfield.example",
        body="Contact: Jane Doe\nOrganisation: Oakfield Academy\nTel: 07911 123456\n\n"
        "The projector in room 5 won't turn on.",
        name="Jane Doe", company="Oakfield Academy", phones=("+447911123456",),
        description="The projector in room 5 won't turn on",
        not_in_description=("Contact:", "Oakfield"),
    ),
    "greeting on the line of the request": Case(
        sender="Tom Baker <tom@brightwater.example>",
        body="Hello, the wifi in the staff room has been down since 8am. I'm Tom Baker from "
        "Brightwater Farm Shop, please ring 07911 123456.\n\nTom",
        name="Tom Baker", company="Brightwater Farm Shop", phones=("+447911123456",),
        description="the wifi in the staff room has been down since 8am",
        not_in_description=("Hello",),
    ),
    "name and company on the last line, no blank line before": Case(
        sender="jd@gmail.example",
        body="Hi there,\nMy email isn't syncing on my phone since yesterday.\n"
        "Please call me on 07911 123456.\nJane Doe, Acme Ltd",
        name="Jane Doe", company="Acme Ltd", phones=("+447911123456",),
        description="My email isn't syncing on my phone", not_in_description=("Jane Doe",),
    ),
    "US number written the US way at a UK desk": Case(
        sender="John Miller <jmiller@globex.example>",
        body="Hi,\n\nThe VPN to the London office fails with error 809.\n\nJohn Miller\n"
        "Globex Corporation\nPhone: (415) 555-0132\n",
        name="John Miller", company="Globex Corporation", phones=("+14155550132",),
        description="The VPN to the London office fails",
    ),
    "French number and company at a UK desk": Case(
        sender="Marie Dubois <m.dubois@conseil.example>",
        body="Bonjour,\n\nThe VPN fails in our Paris office since this morning.\n\n"
        "Cordialement,\nMarie Dubois\nDubois Conseil SARL\nTél : +33 1 42 68 53 00\n",
        name="Marie Dubois", company="Dubois Conseil SARL", phones=("+33142685300",),
        description="The VPN fails in our Paris office", not_in_description=("Bonjour",),
    ),
    "number with an extension": Case(
        sender="jane@acme.example",
        body="The printer on the second floor jams on every job.\n\nJane Doe\nAcme Ltd\n"
        "Tel: 020 7946 0018 ext. 234\n",
        name="Jane Doe", company="Acme Ltd", phones=("+442079460018",),
        description="The printer on the second floor jams",
    ),
    "name typed in prose after the problem": Case(
        sender="office@oakfield.example",
        body="Hello, the wifi in the staff room keeps dropping out. I'm Jane Doe, the office "
        "manager at Oakfield Primary School. Please ring 0113 496 0123.",
        name="Jane Doe", company="Oakfield Primary School", phones=("+441134960123",),
        description="the wifi in the staff room keeps dropping out",
    ),
    "HTML-only Outlook mail with a signature table": Case(
        sender="jane@hillside.example",
        body="<html><body><div><p class=MsoNormal>Hi,</p><p class=MsoNormal>&nbsp;</p>"
        "<p class=MsoNormal>The shared printer on floor 2 says offline for everyone.</p>"
        "<p class=MsoNormal>&nbsp;</p><p class=MsoNormal>Kind regards</p>"
        "<table class=MsoNormalTable border=0 cellpadding=0><tr><td>"
        "<p class=MsoNormal><b>Jane Doe</b></p><p class=MsoNormal>Practice Manager</p>"
        "<p class=MsoNormal>Hillside Dental Practice</p>"
        "<p class=MsoNormal>T: 0113 496 0123 | M: 07911 123456</p></td>"
        "<td><img src=\"cid:logo@hillside\" alt=\"Hillside logo\"></td></tr></table>"
        "<p class=MsoNormal style='font-size:7pt'>This email and any attachments are "
        "confidential and intended solely for the addressee.</p></div></body></html>",
        name="Jane Doe", company="Hillside Dental Practice",
        phones=("+441134960123", "+447911123456"),
        description="The shared printer on floor 2 says offline for everyone",
        not_in_description=("Kind regards", "Practice Manager", "confidential", "Hi,"),
        html=True,
    ),
    "German mail with the company's legal footer under the signature": Case(
        sender="a.schmidt@weber-logistik.example",
        body="Guten Tag,\n\nder Etikettendrucker im Lager Hamburg druckt seit dem Update nur "
        "leere Etiketten.\n\nMit freundlichen Grüßen\n\nAnna Schmidt\nTeamleitung Versand\n\n"
        "Weber Logistik GmbH\nHafenstraße 12\n20457 Hamburg\n\nTel.: +49 40 901820\n"
        "Fax: +49 40 901821\nE-Mail: a.schmidt@weber-logistik.example\n\n"
        "Sitz der Gesellschaft: Hamburg\nRegistergericht: Amtsgericht Hamburg, HRB 12345\n"
        "Geschäftsführer: Max Muster, Erika Muster\nUSt-IdNr.: DE123456789\n\n"
        "Diese E-Mail enthält vertrauliche Informationen.\n",
        name="Anna Schmidt", company="Weber Logistik GmbH", phones=("+4940901820",),
        description="der Etikettendrucker im Lager Hamburg druckt seit dem Update",
        not_in_description=("Guten Tag", "Mit freundlichen", "HRB", "Geschäftsführer"),
    ),
    "bottom-posted reply: the new text is under the quote": Case(
        sender="Marc Smith <marc.smith@example.com>",
        body="On Mon, 23 Nov 2026 at 09:00, IT Desk <support@desk.example> wrote:\n"
        "> Which printer is it?\n>\n> --\n> IT Desk\n> Tel: 020 7946 0000\n\n"
        "It is the Kyocera in room 12, it shows error C6000 since Monday.\n\n"
        "Marc Smith\nAcme Ltd\n",
        name="Marc Smith", company="Acme Ltd", phones=(),
        description="It is the Kyocera in room 12, it shows error C6000",
        not_in_description=("Which printer", "IT Desk"),
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


@pytest.mark.parametrize(
    ("line", "e164", "original"),
    [
        ("Ring 020 7946 0018 please.", "+442079460018", "020 7946 0018"),
        ("Tel: 020 7946 0018 ext. 234", "+442079460018", "020 7946 0018 ext. 234"),
        ("Mob: +44 (0)7911 123456", "+447911123456", "+44 (0)7911 123456"),
        ("Call me at (415) 555-0132.", "+14155550132", "(415) 555-0132"),
    ],
)
def test_original_spelling_of_numbers_is_kept(line: str, e164: str, original: str) -> None:
    raw = mail(body=f"Printer jammed again.\n{line}\n\nJane Doe\nAcme Ltd")
    [phone] = extract_details(parse_message(raw)).phones
    assert (phone.e164, phone.original) == (e164, original)


def test_fax_and_registration_numbers_are_no_call_back_numbers() -> None:
    raw = mail(body="Printer jammed again.\n\nJane Doe\nAcme Ltd\nFax: 0113 496 0999\n"
               "Registered number: 01234567 | VAT no: 123 4567 89")
    assert extract_details(parse_message(raw)).phones == ()


@pytest.mark.parametrize(
    "after_name", ["10.0.0.254", "2026-11-20", "20.11.2026", "11/20/26", "192.168.1.10"]
)
def test_dates_and_addresses_after_the_sign_off_are_no_numbers(after_name: str) -> None:
    """A bare line of digits in a signature is read as a number; a date or an IP address of
    that shape is not one to call back."""
    raw = mail(body=f"The finance share is gone.\n\nThanks,\nJane Doe\n{after_name}")
    assert extract_details(parse_message(raw)).phones == ()


def test_a_bare_number_far_below_the_sign_off_is_not_taken() -> None:
    lines = "\n".join(f"Line {n} of a pasted log" for n in range(12))
    raw = mail(body=f"The share is gone.\n\nThanks,\nJane Doe\n{lines}\n01632 960123")
    assert extract_details(parse_message(raw)).phones == ()
    raw = mail(body="The share is gone.\n\nThanks,\nJane Doe\nAcme Ltd\n01632 960123")
    assert [p.e164 for p in extract_details(parse_message(raw)).phones] == ["+441632960123"]


@pytest.mark.parametrize(
    "body",
    [
        "The printer in room 4 is broken.\n\nPlease Help Urgently",
        "The printer in Room 4\nBroken Since Monday",
        "Can someone look at the server today?\n\nServer Room Two",
    ],
)
def test_a_title_cased_last_line_is_no_signature(body: str) -> None:
    """A wrong name would stop us asking for the right one."""
    details = extract_details(parse_message(mail(sender="office@oakfield.example", body=body)))
    assert details.name == "" and "name" in details.missing()


def test_job_title_in_brackets_after_the_name() -> None:
    raw = mail(sender="head@stmarys.example",
               body="Hi,\nthe laptop in the library is very slow.\n\nMr John Smith (Head Teacher)"
               "\nSt Mary's C of E Primary School\n0113 496 0123")
    details = extract_details(parse_message(raw))
    assert (details.name, details.company) == ("Mr John Smith", "St Mary's C of E Primary School")


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


@pytest.mark.parametrize(
    ("body", "company"),
    [
        ("I got an email from Microsoft asking for my password.\n\nThanks,\nJane Doe\n"
         "Acme Logistics Ltd", "Acme Logistics Ltd"),
        ("Working from Home today and the VPN is down.\n\nJane Doe\nAcme Ltd", "Acme Ltd"),
        ("The guest wifi at Reception is down.\n\nJane Doe", ""),
        ("This is Jane Doe from Oakfield Primary School: the printer is broken.",
         "Oakfield Primary School"),
    ],
)
def test_a_company_in_prose_is_said_as_one(body: str, company: str) -> None:
    """'Jane Doe from Acme' names a company; 'an email from Microsoft' does not."""
    raw = mail(sender="user@mail.example", body=body)
    assert extract_details(parse_message(raw)).company == company


FORWARDED = "The printer in room 4 is jammed again.\n\nThanks,\nBob Brown\nOakfield School\n"


@pytest.mark.parametrize(
    ("own", "separator"),
    [
        ("", "---------- Forwarded message ---------\nFrom: Bob Brown <bob@oakfield.example>\n"
             "Date: Mon, 3 Mar 2025 at 10:02\nSubject: Printer\nTo: Jane <jane@acme.example>\n\n"),
        ("FYI\n\n", "Begin forwarded message:\n\nFrom: Bob Brown <bob@oakfield.example>\n"
                    "Subject: Printer\nDate: 3 March 2025 at 10:02:00 GMT\n"
                    "To: Jane <jane@acme.example>\n\n"),
        ("", "-------- Forwarded Message --------\nSubject: \tPrinter\n"
             "Date: \tMon, 3 Mar 2025 10:02:00 +0000\n"
             "From: \tBob Brown <bob@oakfield.example>\n\n"),
        ("FYI - see below\n\n", "________________________________\nFrom: Bob Brown "
         "<bob@oakfield.example>\nSent: Monday, March 3, 2025 10:02 AM\nTo: Jane\n"
         "Subject: Printer\n\n"),
    ],
)
def test_a_forward_with_few_words_of_its_own_is_described_by_the_forwarded_mail(
    own: str, separator: str
) -> None:
    """'FYI' over a forwarded mail (or nothing at all) is a request all the same: the desk must
    not ask for a description. The person asking stays the one who forwarded it."""
    raw = mail(sender="Jane Doe <jane@acme.example>", subject="Fwd: Printer",
               body=f"{own}{separator}{FORWARDED}")
    details = extract_details(parse_message(raw))
    assert "The printer in room 4 is jammed again." in details.description
    assert "description" not in details.missing()
    assert "From:" not in details.description and "Forward" not in details.description
    assert details.name == "Jane Doe" and details.company == ""


@pytest.mark.parametrize(
    "header",
    [
        "Op vr 28 feb 2025 om 16:02 schreef IT Service Desk <support@desk.example>:\n",
        '-----"IT Service Desk" <support@desk.example> wrote: -----\nTo: jane@acme.example\n'
        "Date: 03/03/2025 10:02\nSubject: INC0000123\n\n",
        "________________________________\nFrom: IT Service Desk <support@desk.example>\n"
        "Sent: Monday, March 3, 2025 10:02:00 AM\nTo: Jane Doe\nSubject: INC0000123\n\n",
    ],
)
def test_the_quoted_mails_signature_is_not_the_senders(header: str) -> None:
    """An unquoted answer below a quote header carries the desk agent's signature: it must not
    become the customer's name, company or number."""
    agent = ("Dear Customer,\n\nPlease restart the router.\n\nKind regards\n\nPaul Walker\n"
             "Service Desk Analyst\nTechCare IT Ltd\nT: 0161 496 0000\n")
    raw = mail(sender="Jane Doe <jane@acme.example>",
               body=f"Hi,\n\nI restarted it but it is still not working.\n{header}{agent}")
    details = extract_details(parse_message(raw))
    assert details.description == "I restarted it but it is still not working."
    assert (details.name, details.company, details.phones) == ("Jane Doe", "", ())


@pytest.mark.parametrize(
    ("signature", "name", "company"),
    [
        ("Kind regards,\nReception Team\nSt Mary's Surgery\n0113 496 0123", "",
         "St Mary's Surgery"),
        ("Thanks,\nSue\nGreenleaf Housing Trust", "", "Greenleaf Housing Trust"),
        ("Kind regards,\nJane Doe\nPractice Manager\nT: 0113 496 0123", "Jane Doe", ""),
        ("Kind regards,\nJane Doe\nHead of Customer Services\nOakfield IT Services",
         "Jane Doe", "Oakfield IT Services"),
        ("Met vriendelijke groet,\n\nJan de Vries\nDe Vries Bouw B.V.\nT: 020 123 4567",
         "Jan de Vries", "De Vries Bouw B.V"),
        ("Kind regards,\nJane Doe\nPractice Manager at The Grange Surgery", "Jane Doe",
         "The Grange Surgery"),
    ],
)
def test_titles_and_organisations_in_a_signature_are_told_apart(
    signature: str, name: str, company: str
) -> None:
    """An organisation is no one's name, and a job title is no employer."""
    raw = mail(sender="desk@mail.example", body=f"The card reader is dead.\n\n{signature}")
    details = extract_details(parse_message(raw))
    assert (details.name, details.company) == (name, company)


@pytest.mark.parametrize(
    "display", ["Practice Manager", "Head Teacher", "Mail Delivery System", "Microsoft Outlook"]
)
def test_a_role_or_robot_display_name_is_no_person(display: str) -> None:
    raw = mail(sender=f"{display} <office@mail.example>", body="The card reader is dead.")
    assert extract_details(parse_message(raw)).name == ""


@pytest.mark.parametrize("display", ["Anthony Head", "Alex Lead"])
def test_a_surname_that_is_a_title_word_is_still_a_name(display: str) -> None:
    raw = mail(sender=f"{display} <a@mail.example>", body="The card reader is dead.")
    assert extract_details(parse_message(raw)).name == display


def test_a_belgian_number_with_dots_is_a_number() -> None:
    """'02.123.45.67' has four dotted groups, but a leading zero is no IP address."""
    raw = mail(body="The share is gone.\n\nThanks,\nJan Peeters\nAcme NV\n02.123.45.67")
    assert [p.e164 for p in extract_details(parse_message(raw), region="BE").phones] == [
        "+3221234567"
    ]


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("It's Microsoft Teams that keeps crashing since the update.\n\nThanks,\nJane Doe",
         "Jane Doe"),
        ("This is Windows Update failing again on PC12.\n\nJane Doe", "Jane Doe"),
        ("Hi, this is Jane Doe from Oakfield School. The wifi is down.", "Jane Doe"),
        ("Hello it's Jane Doe, the wifi is down again.", "Jane Doe"),
    ],
)
def test_a_product_named_in_prose_is_no_person(body: str, name: str) -> None:
    raw = mail(sender="office@mail.example", body=body)
    assert extract_details(parse_message(raw)).name == name


@pytest.mark.parametrize(
    ("body", "region", "numbers"),
    [
        ("My BT account number 0123 456 7890 is on the bill. Call me on 0113 496 0123.", "GB",
         ["0113 496 0123"]),
        ("Order ref 0113 496 0999 still not delivered.", "GB", []),
        ("I'm locked out of my account, call me on 07911 123456", "GB", ["07911 123456"]),
        ("Please call me about my order on 07911 123456", "GB", ["07911 123456"]),
        ("In case you need me, my mobile is 07911 123456", "GB", ["07911 123456"]),
        ("Please call the customer 07911 123456", "GB", ["07911 123456"]),
        ("Drucker kaputt.\n\nJan Meier\nTel.: 030/12345-67", "DE", ["030/12345-67"]),
        ("Printer broken.\n\nJane Doe\nT: 01772 123456 / 07911 123456", "GB",
         ["01772 123456", "07911 123456"]),
    ],
)
def test_account_and_order_numbers_are_no_call_back_numbers(
    body: str, region: str, numbers: list[str]
) -> None:
    raw = mail(body=body)
    found = extract_details(parse_message(raw), region=region).phones
    assert [p.original for p in found] == numbers


@pytest.mark.parametrize(
    ("body", "name", "description"),
    [
        ("The printer is broken again.\n\nThanks Dave", "", "The printer is broken again."),
        ("The printer is broken again.\n\nCheers, Dave Smith\nAcme Ltd", "Dave Smith",
         "The printer is broken again."),
        ("Der Drucker ist kaputt.\n\nMfg Eike", "", "Der Drucker ist kaputt."),
        ("Der Drucker ist kaputt.\n\nVG Anna Schmidt", "Anna Schmidt", "Der Drucker ist kaputt."),
        ("Thanks John\n\nIt works now, the printer is fine.", "",
         "Thanks John\n\nIt works now, the printer is fine."),
    ],
)
def test_a_sign_off_and_the_name_on_one_line(body: str, name: str, description: str) -> None:
    """'Mfg Eike' is a sign-off and a first name, not the name 'Mfg Eike'; 'Thanks John' above
    a sentence thanks someone."""
    details = extract_details(parse_message(mail(sender="x@mail.example", body=body)))
    assert (details.name, details.description) == (name, description)


def test_a_replys_quote_is_no_forwarded_request() -> None:
    """'Still broken!' above our own quoted mail: our words are not the customer's description."""
    body = ("Still broken!\n\n________________________________\nFrom: Example IT Desk "
            "<support@desk.example>\nSent: 23 November 2026 09:00\nTo: Bob\nSubject: Details "
            "needed: Printer\n\nHello,\n\nBefore we can log your request we need a description.\n")
    raw = mail(sender="Bob Brown <bob@mail.example>", subject="RE: Details needed: Printer",
               body=body)
    details = extract_details(parse_message(raw))
    assert details.description == "Still broken!" and "description" in details.missing()


@pytest.mark.parametrize(
    ("body", "name", "company"),
    [
        ("The head of IT says the server is down.\n\nJane Doe\nOakfield Primary School",
         "Jane Doe", "Oakfield Primary School"),
        ("I'm a teacher for Year 6 and the board is broken.", "", ""),
        ("Hi, this is Jane Doe and I'm locked out of the VPN.", "Jane Doe", ""),
        ("Hi, it's Tom Baker again, the printer is still broken.", "Tom Baker", ""),
        ("It's Adobe Acrobat, it keeps crashing.\n\nJane Doe", "Jane Doe", ""),
        ("Hi, it's Sarah from Oakfield Primary School, the wifi is down.", "",
         "Oakfield Primary School"),
    ],
)
def test_who_and_where_in_prose(body: str, name: str, company: str) -> None:
    details = extract_details(parse_message(mail(sender="x@mail.example", body=body)))
    assert (details.name, details.company) == (name, company)


@pytest.mark.parametrize(
    ("body", "display", "name", "company"),
    [
        ("Hi, it's Sarah from IT, the printer is down.\n\nSarah Jones\nAcme Ltd", "",
         "Sarah Jones", "Acme Ltd"),
        ("It's Sage Payroll again, it will not open.\n\nTom Hill", "", "Tom Hill", ""),
        ("It's Christmas Eve and the server is down.", "Jane Doe", "Jane Doe", ""),
        ("I'm the office manager for Oakfield Primary School and the wifi is down.", "", "",
         "Oakfield Primary School"),
        ("The file won't open.\n\n- Jane Smith\nAcme Ltd", "", "Jane Smith", "Acme Ltd"),
    ],
)
def test_weaker_evidence_gives_way(body: str, display: str, name: str, company: str) -> None:
    """A signature or a person's display name beats 'it's …' in prose; departments and
    products are no company or person."""
    sender = f"{display} <x@mail.example>" if display else "x@mail.example"
    details = extract_details(parse_message(mail(sender=sender, body=body)))
    assert (details.name, details.company) == (name, company)


@pytest.mark.parametrize(
    "display", ["Exams Officer", "Premises Manager", "Managing Director", "Teaching Assistant"]
)
def test_more_role_mailboxes_are_no_person(display: str) -> None:
    raw = mail(sender=f"{display} <office@mail.example>", body="The card reader is dead.")
    assert extract_details(parse_message(raw)).name == ""


@pytest.mark.parametrize(
    ("sender", "body", "name", "company", "phones"),
    [
        ("x@mail.example", "Printer broken.\n\nKaren Lloyd\nIT Services\nSt Mary's School\n"
         "01632 960 321", "Karen Lloyd", "St Mary's School", ["+441632960321"]),
        ("x@mail.example", "The printer prints blank since this morning.\n\n- Ben\n\n"
         "Kind regards\nBen Carter\nIT Manager\nAcme Ltd\nTel: 020 7946 0123", "Ben Carter",
         "Acme Ltd", ["+442079460123"]),
        ("x@mail.example", "The wifi is down in:\n\n- Staff Room\n\n- Main Hall\n\n- Library\n\n"
         "Thanks\nJane Doe", "Jane Doe", "", []),
        ("x@mail.example", "Printer broken.\n\nThanks, Oakfield Primary", "", "", []),
        ("Tom Edge <t@mail.example>", "Printer broken.", "Tom Edge", "", []),
        ("Sally Mail <t@mail.example>", "Printer broken.", "Sally Mail", "", []),
        ("Mary Anne Head <t@mail.example>", "Printer broken.", "Mary Anne Head", "", []),
    ],
)
def test_signatures_lists_and_names_read_as_a_desk_would(
    sender: str, body: str, name: str, company: str, phones: list[str]
) -> None:
    details = extract_details(parse_message(mail(sender=sender, body=body)))
    assert (details.name, details.company, [p.e164 for p in details.phones]) == (
        name, company, phones,
    )


def test_a_forward_inside_quoted_history_is_not_this_mails_request() -> None:
    body = ("Thanks!\n\n________________________________\nFrom: Example IT Desk "
            "<support@desk.example>\nSent: 23 November 2026 09:00\nTo: Jane\nSubject: RE: x\n\n"
            "We blocked it.\n\n---------- Forwarded message ---------\nFrom: Phisher "
            "<p@bad.example>\nSubject: Your password expires\n\n"
            "Click here to keep your password.\n")
    raw = mail(sender="Jane Doe <jane@mail.example>", subject="RE: x", body=body)
    assert "Click here" not in extract_details(parse_message(raw)).description


def test_a_webmail_reply_over_original_nachricht_is_no_forward() -> None:
    """GMX and web.de quote replies under '----- Original Nachricht ----' too: only a forward's
    subject makes what follows the request."""
    quoted = ("----- Original Nachricht ----\nVon: Desk <s@desk.example>\nAn: Jane\n"
              "Datum: 1.1.2026\nBetreff: Drucker\n\nBitte starten Sie den Drucker neu.")
    reply = mail(sender="Jane Doe <j@mail.example>", subject="Re: Drucker", body=f"Ok\n\n{quoted}")
    assert "neu" not in extract_details(parse_message(reply)).description
    forward = mail(sender="Jane Doe <j@mail.example>", subject="WG: Drucker", body=quoted)
    assert "Bitte starten Sie" in extract_details(parse_message(forward)).description
