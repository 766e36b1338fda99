"""Issue 3: answers to our request for details, in any order and wording, read as a desk would."""

from __future__ import annotations

import pytest

from parsing import parse_message
from parsing.answer import answer_details
from tests.mail import mail

ALL = ("name", "company", "phone")
# how Gmail and Outlook quote our question under the answer
GMAIL_QUOTE = (
    "\n\nOn Mon, 23 Nov 2026 at 09:00, Example IT Desk <support@desk.example> wrote:\n"
    "> Before we can log your request we need:\n>   - your full name\n>   Name: Jane Smith\n"
)
OUTLOOK_QUOTE = (
    "\n\n________________________________\nFrom: Example IT Desk <support@desk.example>\n"
    "Sent: 23 November 2026 09:00\nTo: Bob\nSubject: Details needed: Printer\n\nHello,\n\n"
    "Before we can log your request we need:\n\n  - your full name\n\n  Name: Jane Smith\n"
    "  Company: St Mary's Primary School\n  Phone: 01234 567890\n"
)


@pytest.mark.parametrize(
    ("body", "missing", "name", "company", "phone"),
    [
        ("Hi, I'm Jane Doe at Acme Ltd. My number is 0113 496 0123." + GMAIL_QUOTE, ALL,
         "Jane Doe", "Acme Ltd", "+441134960123"),
        ("Jane Doe\nBrightwater\n07911 123456" + GMAIL_QUOTE, ALL,
         "Jane Doe", "Brightwater", "+447911123456"),
        ("Sure - Jane Doe, Brightwater, 07911 123456\n\nThanks" + GMAIL_QUOTE, ALL,
         "Jane Doe", "Brightwater", "+447911123456"),
        ("Name Jane Doe, company Acme, phone 0113 496 0123" + GMAIL_QUOTE, ALL,
         "Jane Doe", "Acme", "+441134960123"),
        ("Name: Jane Doe\nCompany: Acme\nPhone: 07911 123456" + OUTLOOK_QUOTE, ALL,
         "Jane Doe", "Acme", "+447911123456"),
        ("Hi\n\nJane Doe\nBrightwater\n07911 123456\n\nThanks\nJane" + OUTLOOK_QUOTE, ALL,
         "Jane Doe", "Brightwater", "+447911123456"),
        ("My name is Jane Doe. I'm with Brightwater. Ring me on 07911 123456." + GMAIL_QUOTE,
         ALL, "Jane Doe", "Brightwater", "+447911123456"),
        ("Jane Doe, Acme Ltd, 07911 123456\n\nSent from my iPhone" + GMAIL_QUOTE, ALL,
         "Jane Doe", "Acme Ltd", "+447911123456"),
        ("Sorry! Sam Kowalski, year 9 tutor at Northfield Academy. Mobile 07911 123456"
         + GMAIL_QUOTE, ALL, "Sam Kowalski", "Northfield Academy", "+447911123456"),
        ("Brightwater" + GMAIL_QUOTE, ("company",), "", "Brightwater", ""),
        ("Dear IT Services,\n\nJane Doe\nOakfield Primary\n07911 123456" + GMAIL_QUOTE, ALL,
         "Jane Doe", "Oakfield Primary", "+447911123456"),
        ("Karen Lloyd, IT Services, Northfield Council, 01632 960321" + GMAIL_QUOTE, ALL,
         "Karen Lloyd", "Northfield Council", "+441632960321"),
        # a company named like a greeting is still the company
        ("Evening Star Ltd" + GMAIL_QUOTE, ("company",), "", "Evening Star Ltd", ""),
        ("Jane Doe\nMorning Star Academy\n07911 123456" + GMAIL_QUOTE, ALL,
         "Jane Doe", "Morning Star Academy", "+447911123456"),
        ("Jane Doe" + GMAIL_QUOTE, ("name",), "Jane Doe", "", ""),
        # a number of possible shape answers 'a call-back number' even outside phonenumbers'
        # known ranges (01632 960xxx is Ofcom's drama range)
        ("01632 960123" + GMAIL_QUOTE, ("phone",), "", "", "+441632960123"),
        ("phone: 01632 960123, Acme Ltd" + GMAIL_QUOTE, ("company", "phone"),
         "", "Acme Ltd", "+441632960123"),
    ],
)
def test_free_form_answers_supply_what_was_asked(
    body: str, missing: tuple[str, ...], name: str, company: str, phone: str
) -> None:
    parsed = parse_message(mail(sender="Bob <bob@unknown.example>", body=body))
    found = answer_details(parsed, missing, "GB")
    if "name" in missing:
        assert found.name == name
    if "company" in missing:
        assert found.company == company
    assert (found.phones[0].e164 if found.phones else "") == phone


def test_our_quoted_examples_are_not_taken_for_the_answer() -> None:
    parsed = parse_message(mail(sender="Bob <bob@unknown.example>",
                                body="Sorry, what do you need?" + OUTLOOK_QUOTE))
    found = answer_details(parsed, ALL, "GB")
    assert (found.company, found.phones) == ("", ())
    assert found.name != "Jane Smith"


def test_a_sentence_left_over_is_no_company() -> None:
    parsed = parse_message(mail(
        sender="Bob <bob@unknown.example>",
        body="Jane Doe, 07911 123456\nAlso the printer now shows error 49. It is urgent."
        + GMAIL_QUOTE,
    ))
    found = answer_details(parsed, ALL, "GB")
    assert (found.name, found.company) == ("Jane Doe", "")


@pytest.mark.parametrize(("body", "missing"), [
    ("I don't know", ("name",)),
    ("Will do, thanks", ("name",)),
    ("Yes please", ("company",)),
])
def test_a_reply_that_answers_nothing_supplies_nothing(body: str, missing: tuple[str, ...]) -> None:
    parsed = parse_message(mail(sender="Bob <bob@unknown.example>", body=body + GMAIL_QUOTE))
    found = answer_details(parsed, missing, "GB")
    assert (found.name, found.company) == ("", "")


def test_the_one_piece_left_is_taken_for_the_company_unconfirmed() -> None:
    parsed = parse_message(mail(sender="Bob <bob@unknown.example>",
                                body="Brightwater" + GMAIL_QUOTE))
    found = answer_details(parsed, ("company",), "GB")
    assert found.company == "Brightwater" and not found.evidence["company"].confirmed
