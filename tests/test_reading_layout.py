"""The zones of a mail's new text (parsing.reading.layout.lay_out): greeting, body, sign-off,
signature, boilerplate and subject. The rules read by zone, and the description is the body, so
each zone is shown here on its own."""

from __future__ import annotations

import pytest

from parsing.reading.layout import (
    BODY,
    BOILERPLATE,
    GREETING,
    SIGN_OFF,
    SIGNATURE,
    SUBJECT,
    Line,
    lay_out,
    sign_off,
    sign_off_with_name,
)
from tests.support.reading import mail


def zones(text: str, **how: str) -> list[tuple[str, str]]:
    """(zone, text) of every line that has text."""
    return [(line.zone, line.text) for line in mail(text, **how).layout.lines if line.text]


# --- the greeting --------------------------------------------------------------------------


def test_greeting_split_off_the_first_line_keeps_the_rest_as_body():
    layout = mail("Hello, the wifi is down\nsince Monday.").layout
    assert layout.lines == (
        Line(0, "Hello,", GREETING),
        Line(0, "the wifi is down", BODY),
        Line(1, "since Monday.", BODY),
    )
    assert layout.text_of(BODY) == "the wifi is down\nsince Monday."


def test_greeting_alone_on_its_line():
    assert zones("Hi team,\nThe printer broke.") == [
        (GREETING, "Hi team,"), (BODY, "The printer broke.")]


@pytest.mark.parametrize("first", [
    "Hey the printer broke",  # no punctuation after 'Hey': the request itself
    "Morning Star Academy has no internet",  # a time of day that names a school
])
def test_no_greeting(first):
    assert zones(first) == [(BODY, first)]


def test_only_the_first_line_greets():
    assert zones("The printer broke.\nHello, is anyone there?") == [
        (BODY, "The printer broke."), (BODY, "Hello, is anyone there?")]


# --- the sign-off --------------------------------------------------------------------------


@pytest.mark.parametrize("off", [
    "Kind regards,",
    "Thanks",
    "Thank you in advance and kind regards",
    "Many thanks & best wishes",
    "Mit freundlichen Grüßen",
    "Met vriendelijke groet",
    "Cordialement",
    "Un saludo",
])
def test_sign_off_near_the_end_opens_the_signature(off):
    text = f"The printer is jammed.\n\n{off}\nJane Doe\nAcme Ltd"
    assert zones(text) == [
        (BODY, "The printer is jammed."), (SIGN_OFF, off),
        (SIGNATURE, "Jane Doe"), (SIGNATURE, "Acme Ltd"),
    ]


def test_the_lowest_sign_off_counts():
    text = "Thanks for yesterday.\nThanks\nthe scanner is jammed now.\n\nRegards,\nJane Doe"
    assert zones(text) == [
        (BODY, "Thanks for yesterday."), (BODY, "Thanks"), (BODY, "the scanner is jammed now."),
        (SIGN_OFF, "Regards,"), (SIGNATURE, "Jane Doe"),
    ]


def test_sign_off_with_the_name_on_its_line():
    layout = mail("The printer broke.\n\nCheers, Dave Smith").layout
    assert [(line.zone, line.text) for line in layout.lines if line.text] == [
        (BODY, "The printer broke."), (SIGN_OFF, "Cheers, Dave Smith")]
    assert layout.sign_off_name == "Dave Smith"


def test_sign_off_is_looked_for_only_near_the_end():
    footer = "\n".join(f"line {number}" for number in range(45))
    layout = mail(f"The printer broke.\n\nKind regards\n{footer}").layout
    assert {line.zone for line in layout.lines} == {BODY}


def test_sign_off_recognised_by_its_words():
    assert sign_off("Kind regards,")
    assert sign_off("Thank you in advance and kind regards")
    assert not sign_off("Thanks for fixing the printer yesterday")
    assert not sign_off("Regards the printer: it is jammed")
    assert sign_off_with_name("Cheers, Dave Smith") == ("Cheers", "Dave Smith")
    assert sign_off_with_name("Mfg Eike") == ("Mfg", "Eike")
    assert sign_off_with_name("Dave Smith") is None


def test_first_name_alone_above_the_signature_signs_off():
    text = "The printer broke.\n\nPeter\n\nPeter Yeo FCCA\nYeo & Whitaker"
    assert zones(text) == [
        (BODY, "The printer broke."), (SIGN_OFF, "Peter"),
        (SIGNATURE, "Peter Yeo FCCA"), (SIGNATURE, "Yeo & Whitaker"),
    ]


# --- a signature without a sign-off --------------------------------------------------------


def test_signature_without_sign_off_found_by_a_persons_name():
    text = ("The printer is jammed in room 4.\nIt shows error 50.\n\n"
            "Jane Doe\nFinance Officer\nAcme Ltd")
    assert zones(text) == [
        (BODY, "The printer is jammed in room 4."), (BODY, "It shows error 50."),
        (SIGNATURE, "Jane Doe"), (SIGNATURE, "Finance Officer"), (SIGNATURE, "Acme Ltd"),
    ]


@pytest.mark.parametrize("text", [
    "Jane Doe",  # a one-line mail is the request itself
    "Jane Doe\nAcme Ltd",  # the first line is the request, whatever it looks like
])
def test_no_signature_on_the_first_line(text):
    assert {zone for zone, _ in zones(text)} == {BODY}


def test_no_signature_when_a_line_below_the_name_is_a_sentence():
    text = ("The printer broke.\n\nJane Doe\nThis line is a sentence that goes on and on and "
            "on, much longer than any line of a signature would.")
    assert {zone for zone, _ in zones(text)} == {BODY}


def test_no_signature_without_a_judge_of_names():
    layout = lay_out("The printer broke.\n\nJane Doe\nAcme Ltd")
    assert {line.zone for line in layout.lines} == {BODY}


def test_lower_case_name_opens_a_signature_only_as_the_mail_program_writes_it():
    text = "the printer broke.\n\njane doe\nacme ltd"
    assert zones(text, display_name="Jane Doe")[1:] == [
        (SIGNATURE, "jane doe"), (SIGNATURE, "acme ltd")]
    assert {zone for zone, _ in zones(text)} == {BODY}


def test_names_listed_above_a_bare_sign_off_stay_in_the_body():
    text = ("Hi,\n\nCan you please reset the passwords for these staff:\n"
            "Jane Doe\nTom Hill\nSam Brown\n\nThanks")
    assert zones(text, display_name="Mark Owen") == [
        (GREETING, "Hi,"),
        (BODY, "Can you please reset the passwords for these staff:"),
        (BODY, "Jane Doe"), (BODY, "Tom Hill"), (BODY, "Sam Brown"),
        (SIGN_OFF, "Thanks"),
    ]


def test_reply_parsers_signature_is_signature():
    layout = mail("The printer broke.",
                  signature="Anna Novak\nHillside Dental Practice").layout
    assert layout.lines == (
        Line(0, "The printer broke.", BODY), Line(1, "", BODY),
        Line(2, "Anna Novak", SIGNATURE), Line(3, "Hillside Dental Practice", SIGNATURE),
    )


def test_separator_above_a_signature_belongs_to_it():
    text = "The printer broke.\n\n-- \nAnna Novak\nHillside Dental Practice"
    assert zones(text) == [
        (BODY, "The printer broke."), (SIGNATURE, "--"),
        (SIGNATURE, "Anna Novak"), (SIGNATURE, "Hillside Dental Practice"),
    ]


# --- boilerplate ---------------------------------------------------------------------------

NOTICE = ("This email and any attachments are confidential and intended solely for the "
          "addressee. If you are not the intended recipient please delete it.")


@pytest.mark.parametrize("appended", [
    NOTICE,
    "CONFIDENTIALITY NOTICE: This message is confidential and for the named recipient only.",
    "Sent from my iPhone",
    "Von meinem iPhone gesendet",
    "Please consider the environment before printing this email.",
])
def test_boilerplate_paragraph_never_in_the_body(appended):
    layout = mail(f"The server is down.\nNobody can log in.\n\n{appended}").layout
    assert [(line.zone, line.text) for line in layout.lines if line.text] == [
        (BODY, "The server is down."), (BODY, "Nobody can log in."), (BOILERPLATE, appended)]
    assert appended not in layout.text_of(BODY)


def test_german_register_lines_are_boilerplate():
    text = ("Der Drucker druckt nicht mehr.\n\nMit freundlichen Grüßen\nJan Meier\n"
            "Weber Logistik GmbH\n\nSitz der Gesellschaft: Hamburg\n"
            "Registergericht: Amtsgericht Hamburg HRB 12345\nGeschäftsführer: Hans Weber")
    assert zones(text) == [
        (BODY, "Der Drucker druckt nicht mehr."), (SIGN_OFF, "Mit freundlichen Grüßen"),
        (SIGNATURE, "Jan Meier"), (SIGNATURE, "Weber Logistik GmbH"),
        (BOILERPLATE, "Sitz der Gesellschaft: Hamburg"),
        (BOILERPLATE, "Registergericht: Amtsgericht Hamburg HRB 12345"),
        (BOILERPLATE, "Geschäftsführer: Hans Weber"),
    ]


def test_a_notice_goes_on_in_the_long_paragraphs_below_it():
    more = ("Any views or opinions presented are solely those of the author and do not "
            "necessarily represent those of the company.")
    text = f"The server is down.\n\nDisclaimer: this message is private.\n\n{more}"
    assert zones(text) == [
        (BODY, "The server is down."),
        (BOILERPLATE, "Disclaimer: this message is private."), (BOILERPLATE, more),
    ]


def test_the_first_paragraph_is_never_boilerplate():
    text = "Confidential: the payroll PC is down.\nPlease help."
    assert zones(text) == [
        (BODY, "Confidential: the payroll PC is down."), (BODY, "Please help.")]


def test_signature_above_a_disclaimer_is_still_a_signature():
    text = ("The server is down.\n\nJane Doe\nAcme Ltd\n\nCONFIDENTIALITY NOTICE: This email "
            "is confidential and intended for the named recipient only.")
    assert zones(text) == [
        (BODY, "The server is down."), (SIGNATURE, "Jane Doe"), (SIGNATURE, "Acme Ltd"),
        (BOILERPLATE, "CONFIDENTIALITY NOTICE: This email is confidential and intended for "
                      "the named recipient only."),
    ]


def test_signature_with_sign_off_above_a_notice_and_a_mobile_line():
    text = (f"The server is down.\n\nKind regards,\nJane Doe\nAcme Ltd\n\n{NOTICE}\n\n"
            "Sent from my iPhone")
    assert zones(text) == [
        (BODY, "The server is down."), (SIGN_OFF, "Kind regards,"),
        (SIGNATURE, "Jane Doe"), (SIGNATURE, "Acme Ltd"),
        (BOILERPLATE, NOTICE), (BOILERPLATE, "Sent from my iPhone"),
    ]


# --- the subject ---------------------------------------------------------------------------


def test_subject_is_its_own_zone_first():
    layout = mail("Printer broken", subject="  Printer broken in room 4 ").layout
    assert layout.lines == (
        Line(-1, "Printer broken in room 4", SUBJECT), Line(0, "Printer broken", BODY))
    assert layout.text_of(BODY) == "Printer broken"


def test_no_subject_no_subject_zone():
    assert SUBJECT not in {line.zone for line in mail("Printer broken").layout.lines}
