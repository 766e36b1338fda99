"""The details line rule (parsing.reading.rules.details_line): 'Kelly Ashworth, Riverside
Infants, 07700 900 456', 'Jo Head | Oakfield High School | 01772 555 000', 'Request 7. Oakfield
High School, 01772 555 007' — each piece judged on its own, the piece after the person the
organisation by its place."""

from __future__ import annotations

import pytest

from parsing.reading.candidate import COMPANY, NAME, STATED
from parsing.reading.rules.details_line import DetailsLine
from parsing.reading.segments import segments
from tests.support.reading import mail, propose, seen

RULE = "details line"
DOUBTED = STATED - 1  # one step weaker for each doubt
ASKED = "The printer is broken."


def test_name():
    assert DetailsLine.name == RULE


def test_name_organisation_number():
    found = propose(DetailsLine(), f"{ASKED}\nKelly Ashworth, Riverside Infants, 07700 900 456")
    assert seen(found) == [
        (NAME, "Kelly Ashworth", RULE, STATED), (COMPANY, "Riverside Infants", RULE, STATED)]
    assert [c.where for c in found] == [1, 1]


def test_pieces_between_bars_with_a_doubted_name():
    found = propose(DetailsLine(), f"{ASKED}\nJo Head | Oakfield High School | 01772 555 000")
    assert seen(found) == [
        (NAME, "Jo Head", RULE, DOUBTED), (COMPANY, "Oakfield High School", RULE, STATED)]
    assert found[0].doubts == ("a job title word in it",)


def test_organisation_and_number_after_another_sentence():
    found = propose(DetailsLine(), "Request 7. Oakfield High School, 01772 555 007")
    assert seen(found) == [(COMPANY, "Oakfield High School", RULE, STATED)]
    assert found[0].text == "Oakfield High School, 01772 555 007"


def test_organisation_by_its_place_after_the_person():
    assert seen(propose(DetailsLine(), f"{ASKED}\nKelly Ashworth, Brightwater")) == [
        (NAME, "Kelly Ashworth", RULE, STATED), (COMPANY, "Brightwater", RULE, STATED)]


def test_title_followed_by_where():
    (found,) = propose(DetailsLine(), f"{ASKED}\nExams Officer, Hartley Grange")
    assert (found.detail, found.value, found.strength) == (COMPANY, "Hartley Grange", DOUBTED)
    assert found.doubts == ("reads like a person's name",)


def test_title_between_name_and_organisation():
    found = propose(DetailsLine(), f"{ASKED}\nJane Doe, Finance Officer, Acme Ltd")
    assert seen(found) == [(NAME, "Jane Doe", RULE, STATED), (COMPANY, "Acme Ltd", RULE, STATED)]


def test_person_and_number_only():
    assert seen(propose(DetailsLine(), f"{ASKED}\nKelly Ashworth, 07700 900 456")) == [
        (NAME, "Kelly Ashworth", RULE, STATED)]


def test_unpunctuated_after_the_display_name():
    text = f"{ASKED}\nliam doyle y5 westbrook 07700 900 163"
    found = propose(DetailsLine(), text, display_name="Liam Doyle")
    assert seen(found) == [
        (NAME, "liam doyle", RULE, DOUBTED), (COMPANY, "westbrook", RULE, DOUBTED)]
    assert {c.doubts for c in found} == {("written in lower case",)}
    # only as the mail program writes the name
    assert propose(DetailsLine(), text) == []


@pytest.mark.parametrize("line", [
    "The printer, the scanner and the copier are broken.",
    "Printer, scanner, copier all broken",
    "The printer in room 12, 14 and 15 is broken since 2024",
    "Tom, Sam and Jo cannot log in",
])
def test_a_list_in_a_sentence_is_no_details_line(line):
    assert propose(DetailsLine(), line) == []


def test_signature_lines_below_the_first_four_not_read():
    text = (f"{ASKED}\n\nRegards,\nJane Doe\nAcme Ltd\n1 High Street\nLeicester\n"
            "Kelly Ashworth, Riverside Infants")
    assert propose(DetailsLine(), text) == []


def test_a_legal_form_after_a_comma_stays_with_its_name():
    found = propose(DetailsLine(), f"{ASKED}\nDistribuciones Levante, S.L., 963 123 456",
                    region="ES")
    assert seen(found) == [(COMPANY, "Distribuciones Levante, S.L", RULE, STATED)]


def test_a_line_of_details_only_is_consumed():
    seen_mail = mail(f"{ASKED}\nKelly Ashworth, Riverside Infants, 07700 900 456")
    DetailsLine().propose(seen_mail)
    assert seen_mail.consumed == {1}
    # a sentence before the details keeps the line for the description
    seen_mail = mail("Request 7. Oakfield High School, 01772 555 007")
    DetailsLine().propose(seen_mail)
    assert seen_mail.consumed == set()


@pytest.mark.parametrize(("line", "pieces"), [
    ("Jane Doe | Finance Officer, Acme Ltd", ["Jane Doe", "Finance Officer", "Acme Ltd"]),
    ("Distribuciones Levante, S.L.", ["Distribuciones Levante, S.L"]),
    ("John Smith (Head Teacher)", ["John Smith"]),
    ("[Greenleaf logo] Jane Doe - Greenleaf", ["Jane Doe", "Greenleaf"]),
    ("*Jane Doe*", ["Jane Doe"]),
    ("- Jane Smith", ["Jane Smith"]),
])
def test_segments(line, pieces):
    assert segments(line) == pieces
