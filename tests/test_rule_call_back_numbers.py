"""The call-back number rule (parsing.reading.rules.numbers): a number counts by the words just
before it — after a call-back phrase or a phone label, on a signature line of its own, in a
line of details, or anywhere else only in a range phonenumbers lists; never after a fax,
registration or reference label, and a date, a time or an IP address is no number."""

from __future__ import annotations

import pytest

from parsing.reading.candidate import PHONE, SIGNED, STATED, TYPED
from parsing.reading.rules.details_line import DetailsLine
from parsing.reading.rules.numbers import CallBackNumbers, words_before
from tests.support.reading import mail, propose, seen

CALLBACK = "call-back phrase"
SIGNATURE_NUMBER = "signature number line"
ENDING = "number ending the mail"
IN_TEXT = "number in the text"
OWN_SENTENCE = "number after 'on' in the sender's sentence"
# Ofcom's drama range: never listed by phonenumbers, so it counts only by the words around it
UNLISTED, UNLISTED_E164 = "07700 900456", "+447700900456"
LISTED, LISTED_E164 = "0116 496 0000", "+441164960000"


def test_name():
    assert CallBackNumbers.name == CALLBACK


@pytest.mark.parametrize("sentence", [
    f"Please call me back on {UNLISTED}.",
    f"My number is {UNLISTED}.",
    f"You can reach me on {UNLISTED} all day.",
    f"Ring me {UNLISTED}",
    f"Please ring {UNLISTED} after 3.",
    f"Best number to reach me is {UNLISTED}.",
    f"Please call back on the school number {UNLISTED}.",
    f"Tel {UNLISTED}, fax 0116 496 0999.",
    f"Mobile: {UNLISTED}",
])
def test_offered_to_call_back(sentence):
    (found,) = propose(CallBackNumbers(), f"The printer is broken. {sentence}")
    assert (found.detail, found.value, found.rule, found.strength) == (
        PHONE, UNLISTED_E164, CALLBACK, TYPED)
    assert (found.original, found.where, found.zone) == (UNLISTED, 0, "body")


def test_several_numbers_offered():
    found = propose(CallBackNumbers(), "Please call me on 07700 900 456 or 07700 900 457.")
    assert [(c.value, c.original) for c in found] == [
        ("+447700900456", "07700 900 456"), ("+447700900457", "07700 900 457")]


def test_number_in_brackets():
    (found,) = propose(CallBackNumbers(), "Printer down. You can reach me on (0116) 496 0000.")
    assert (found.value, found.original) == (LISTED_E164, "(0116) 496 0000")


@pytest.mark.parametrize("text", [
    "The printer is broken.\nFax: 0116 496 0999",
    "Our VAT number 0116 496 0999 is on the invoice.",
    "Account no 01164960999 is locked.",
    "Order number 0116 496 0999 never arrived.",
    "Serial no: 0116 496 0999 on the laptop.",
    "The printer is broken. Ticket 0116 496 0000 was closed.",
    "The printer is broken. Ref: 0116 496 0000",
    "Invoice INC0012345678 is wrong.",  # glued to letters
    "The printer is broken.\nPO-0113 496 0000",
    "The printer is broken. #01134960000",
    "The printer is broken. Email me at 07700900456@sms.example",
    "The printer is broken. See https://example.com/01134960000",
])
def test_refused_numbers(text):
    assert propose(CallBackNumbers(), text) == []


@pytest.mark.parametrize("text", [
    "The server 10.0.0.254 has been down since 2026-11-20 at 09:30.",
    "My IP is 192.168.100.254 and it fails, call me.",
    "The printer failed on 20.11.2026 and again 11/20/26.",
    "Call me at 09:30 please.",
    "Call me at 12.15-1 please.",
])
def test_dates_times_and_addresses_are_no_numbers(text):
    assert propose(CallBackNumbers(), text) == []


def test_unlisted_range_needs_words_that_offer_it():
    assert propose(CallBackNumbers(), f"The main line {UNLISTED} rings out and nobody "
                                      "answers.\nPlease fix it.") == []
    # a listed range counts anywhere, weakly
    assert seen(propose(CallBackNumbers(), f"The main line {LISTED} rings out and nobody "
                                           "answers.\nPlease fix it.")) == [
        (PHONE, LISTED_E164, IN_TEXT, SIGNED)]


def test_unlisted_range_with_a_label_in_the_signature():
    found = propose(CallBackNumbers(), f"The printer is broken.\n\nKind regards\nJane Doe\n"
                                       f"Mobile: {UNLISTED}")
    assert seen(found) == [(PHONE, UNLISTED_E164, CALLBACK, SIGNED)]


def test_unlisted_range_on_a_signature_line_of_its_own():
    found = propose(CallBackNumbers(), f"The printer is broken.\n\nKind regards\nJane Doe\n"
                                       f"{UNLISTED}")
    assert seen(found) == [(PHONE, UNLISTED_E164, SIGNATURE_NUMBER, SIGNED)]
    assert (found[0].where, found[0].zone) == (4, "signature")


def test_bare_number_far_down_a_signature_refused():
    footer = "\n".join(["Acme Ltd", "1 High Street", "Leicester", "LE1 1AA",
                        *(f"line {n}" for n in range(7))])
    text = f"The printer is broken.\n\nKind regards\nJane Doe\n{footer}\n{UNLISTED}"
    assert propose(CallBackNumbers(), text) == []


def test_unlisted_range_in_a_line_of_details():
    text = "The printer is broken.\nJo Head | Oakfield High School | 07700 900 456\nThanks"
    assert propose(CallBackNumbers(), text) == []  # alone, the line is no one's
    seen_mail = mail(text)
    DetailsLine().propose(seen_mail)  # the details line rule runs first and consumes it
    assert seen(CallBackNumbers().propose(seen_mail)) == [
        (PHONE, "+447700900456", "details line", STATED)]


def test_number_ending_the_mail():
    assert seen(propose(CallBackNumbers(), "Can anyone come over?? 07700 900 682")) == [
        (PHONE, "+447700900682", ENDING, SIGNED)]


_MORE = "\nThe projector in room 4 has had no picture since Monday.\nThanks"


@pytest.mark.parametrize("text", [
    f"I am in the office Tuesday to Thursday, 9.30 - 2.30, on {UNLISTED}.",
    f"I'm in school Mondays and Fridays, on {UNLISTED}.",
])
def test_number_after_on_in_the_senders_own_sentence(text):
    assert seen(propose(CallBackNumbers(), text + _MORE)) == [
        (PHONE, UNLISTED_E164, OWN_SENTENCE, SIGNED)]


@pytest.mark.parametrize("text", [
    f"The caretaker is in on Saturdays, on {UNLISTED}.",  # no 'I' in the sentence
    f"I am in all week. The supplier is on {UNLISTED}.",  # the 'I' is a sentence earlier
])
def test_number_after_on_in_someone_elses_sentence_refused(text):
    assert propose(CallBackNumbers(), text + _MORE) == []


@pytest.mark.parametrize("text", [
    "Could someone ring me? 07700 900556",
    "Could someone ring me tomorrow morning? 07700 900556 is my mobile.",
])
def test_question_before_the_number(text):
    assert seen(propose(CallBackNumbers(), text)) == [(PHONE, "+447700900556", CALLBACK, TYPED)]


def test_body_beats_signature():
    found = propose(CallBackNumbers(), f"The printer is broken. Call me on {UNLISTED}.\n\n"
                                       "Regards\nJane Doe\nMobile: 07700 900111")
    assert seen(found) == [
        (PHONE, UNLISTED_E164, CALLBACK, TYPED), (PHONE, "+447700900111", CALLBACK, SIGNED)]


@pytest.mark.parametrize("offered", [
    "Could you call him on his mobile, 07700 900123.",
    "His mobile is 07700 900123.",
    "Hannah's mobile is 07700 900123.",
    "Please ring her on 07700 900123.",
])
def test_number_for_someone_else_weaker_than_ones_own(offered):
    found = propose(CallBackNumbers(), f"Please call me on {UNLISTED}. {offered}")
    assert seen(found) == [
        (PHONE, UNLISTED_E164, CALLBACK, TYPED),
        (PHONE, "+447700900123", "number offered for someone else", STATED)]


def test_number_in_the_subject():
    found = propose(CallBackNumbers(), "Help", subject=f"Printer broken, call me on {UNLISTED}")
    assert seen(found) == [(PHONE, UNLISTED_E164, CALLBACK, SIGNED)]
    assert (found[0].where, found[0].zone) == (-1, "subject")
    # a number in the subject counts only when offered
    assert propose(CallBackNumbers(), "Help", subject=f"Printer broken {LISTED}") == []


@pytest.mark.parametrize(("text", "original", "extension"), [
    ("The printer is broken. Call me on 020 7946 0018 ext. 234.", "020 7946 0018 ext. 234", "234"),
    ("The printer is broken. Ring me on 0116 496 0000 ext 234 please.", "0116 496 0000 ext 234",
     "234"),
    ("The printer is broken.\n\nRegards\nJane Doe\nT: 020 7946 0018 x 234",
     "020 7946 0018 x 234", "234"),
])
def test_extension_kept(text, original, extension):
    (found,) = propose(CallBackNumbers(), text)
    assert (found.original, found.extension) == (original, extension)
    assert found.value in ("+442079460018", LISTED_E164)  # the number without its extension


@pytest.mark.parametrize(("text", "region", "e164"), [
    ("Der Drucker geht nicht. Bitte rufen Sie mich unter 0170 1234567 zurück.", "DE",
     "+491701234567"),
    ("Der Drucker geht nicht. Durchwahl 040 901820", "DE", "+4940901820"),
    ("L'imprimante est en panne. Pouvez-vous me rappeler au 06 12 34 56 78 ?", "FR",
     "+33612345678"),
    ("La impresora no funciona. Llámame al 612 345 678.", "ES", "+34612345678"),
    ("De printer doet het niet. Bel me terug op 06 12345678.", "NL", "+31612345678"),
])
def test_other_languages(text, region, e164):
    assert seen(propose(CallBackNumbers(), text, region=region)) == [
        (PHONE, e164, CALLBACK, TYPED)]


def test_boilerplate_not_read():
    notice = ("This email is confidential. Acme Ltd, registered office 1 High Street, "
              f"telephone {LISTED}.")
    assert propose(CallBackNumbers(), f"The printer is broken.\n\n{notice}") == []
    # the same words as the sender's own (a notice never opens a mail) offer the number
    assert seen(propose(CallBackNumbers(), notice)) == [(PHONE, LISTED_E164, CALLBACK, TYPED)]


def test_words_before():
    assert words_before(f"Please call me back on {UNLISTED}", 23) == "Please call me back on"
    # only the number's own clause
    assert words_before(f"Call me later. The office is {UNLISTED}", 29) == "The office is"


def test_a_pasted_table_of_numbers_costs_no_more_than_a_hundred_lines() -> None:
    """Numbers are looked for on the first lines with digits only; the call-back number a
    person gives near the top is read, and thousands of lines below change nothing."""
    from parsing.reading.rules import MAX_NUMBER_LINES

    table = "\n".join(f"0113 496 {n:04d}" for n in range(MAX_NUMBER_LINES * 3))
    found = propose(CallBackNumbers(), f"Please call me on {UNLISTED}.\n\n{table}")
    assert (PHONE, UNLISTED_E164, CALLBACK, TYPED) in seen(found)
    assert len(found) <= MAX_NUMBER_LINES
