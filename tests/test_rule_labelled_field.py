"""The labelled field rule (parsing.reading.rules.labelled): 'Name: Jane Doe', 'Company -
Acme Ltd', a form's 'Call-back number(s): …', labels inside a sentence and several on a line."""

from __future__ import annotations

import pytest

from parsing.reading.candidate import COMPANY, NAME, PHONE, SIGNED, SITE, STATED, TYPED
from parsing.reading.rules.labelled import LabelledField, fields, label_only
from tests.support.reading import mail, propose, seen

RULE = "labelled field"


def test_name():
    assert LabelledField.name == RULE


def test_fields_on_their_own_lines():
    found = propose(LabelledField(), "The printer is down.\n\nName: Jane Doe\n"
                                     "Company - Acme Ltd\nPhone: 020 7946 0018")
    assert seen(found) == [
        (NAME, "Jane Doe", RULE, TYPED),
        (COMPANY, "Acme Ltd", RULE, TYPED),
        (PHONE, "+442079460018", RULE, TYPED),
    ]
    assert [c.where for c in found] == [2, 3, 4]
    assert found[2].original == "020 7946 0018"


@pytest.mark.parametrize("line", [
    "Name.. Jane Doe",
    "Name = Jane Doe", "- Name: Jane Doe", "Requester's full name - Jane Doe",
    "Contact name: Jane Doe",
])
def test_separators_and_labels(line):
    assert seen(propose(LabelledField(), f"Printer broken.\n{line}")) == [
        (NAME, "Jane Doe", RULE, TYPED)]


def test_label_inside_a_sentence():
    found = propose(LabelledField(), "The printer has been down since Monday. School: Riverside "
                                     "Infants. Please call 07700 900456.")
    # the value ends at the next sentence; the number after 'call' is no field's
    assert seen(found) == [(COMPANY, "Riverside Infants", RULE, TYPED)]


def test_several_labels_on_one_line():
    found = propose(LabelledField(), "Broken printer.\nName: Jo Bell | Tel: 07700 900 456")
    assert seen(found) == [(NAME, "Jo Bell", RULE, TYPED), (PHONE, "+447700900456", RULE, TYPED)]


def test_form_with_several_numbers():
    found = propose(LabelledField(),
                    "Broken printer.\nCall-back number(s): 01772 123456 / 07911 123456")
    assert seen(found) == [
        (PHONE, "+441772123456", RULE, TYPED), (PHONE, "+447911123456", RULE, TYPED)]


def test_contact_without_a_number_is_a_name():
    assert seen(propose(LabelledField(), "Broken printer.\nContact: Jane Doe")) == [
        (NAME, "Jane Doe", RULE, TYPED)]
    assert seen(propose(LabelledField(), "Broken printer.\nContact: 07700 900 456")) == []


def test_phone_label_without_a_number_proposes_nothing():
    assert propose(LabelledField(), "Broken printer.\nPhone: Jane Doe") == []


@pytest.mark.parametrize("line", [
    "Fax: 020 7946 0019",
    "VAT no: 123 4567 89",
    "Account number: 020 7946 0019",
    "Order no: 020 7946 0019",
    "Serial number: 020 7946 0019",
    "Ticket: 020 7946 0019",
])
def test_refused_labels(line):
    assert propose(LabelledField(), f"Broken printer.\n{line}") == []


def test_refused_label_ends_the_field_before_it():
    found = propose(LabelledField(), "Broken printer.\nTel: 020 7946 0018 | Fax: 020 7946 0019")
    assert seen(found) == [(PHONE, "+442079460018", RULE, TYPED)]


def test_one_letter_labels_only_open_a_line():
    assert seen(propose(LabelledField(), "Broken printer.\nT: 020 7946 0018")) == [
        (PHONE, "+442079460018", RULE, TYPED)]
    assert propose(LabelledField(), "Broken printer.\nCall me at T: 020 7946 0018") == []
    assert fields("Ring me at the office. M: 07700 900456") == []


def test_extension_kept():
    (found,) = propose(LabelledField(), "Broken printer.\nPhone: 020 7946 0018 ext. 234")
    assert (found.value, found.original, found.extension) == (
        "+442079460018", "020 7946 0018 ext. 234", "234")


def test_name_in_lower_case_doubted():
    (found,) = propose(LabelledField(), "Broken printer.\nName: jane doe")
    assert (found.value, found.strength, found.doubts) == (
        "jane doe", STATED, ("written in lower case",))


def test_name_first_piece_only():
    assert seen(propose(LabelledField(), "Broken printer.\nName: Emma Hale-Parker, manager")) == [
        (NAME, "Emma Hale-Parker", RULE, TYPED)]


def test_name_that_is_a_role_refused():
    assert propose(LabelledField(), "Broken printer.\nName: Head Teacher") == []


def test_company_placed_by_its_label():
    assert seen(propose(LabelledField(), "Broken printer.\nCompany: Brightwater")) == [
        (COMPANY, "Brightwater", RULE, TYPED)]
    # the organisation, not where it is
    assert seen(propose(LabelledField(),
                        "Broken printer.\nCompany: Tiny Steps Nursery, Penwortham")) == [
        (COMPANY, "Tiny Steps Nursery", RULE, TYPED)]


def test_site_also_offered_as_the_company_doubted():
    found = propose(LabelledField(), "Broken printer.\nSite - Ravenscliffe Academy (PE block)")
    assert seen(found) == [
        (SITE, "Ravenscliffe Academy", RULE, TYPED),
        (COMPANY, "Ravenscliffe Academy", RULE, STATED),
    ]
    assert found[1].doubts == ("a site, taken for the organisation",)


def test_german_labels():
    found = propose(LabelledField(), "Drucker kaputt.\nFirma: Weber Logistik GmbH\n"
                                     "Telefon: 040 1234567", region="DE")
    assert seen(found) == [
        (COMPANY, "Weber Logistik GmbH", RULE, TYPED), (PHONE, "+49401234567", RULE, TYPED)]


def test_signature_fields_are_signed_not_typed():
    found = propose(LabelledField(), "The printer jams.\n\nKind regards\nJane Doe\n"
                                     "Tel: 020 7946 0018\nCompany: Acme Ltd")
    assert seen(found) == [
        (PHONE, "+442079460018", RULE, SIGNED), (COMPANY, "Acme Ltd", RULE, SIGNED)]
    assert {c.zone for c in found} == {"signature"}


def test_boilerplate_and_greeting_not_read():
    text = "Name: Jane Doe, the printer jams.\n\nDisclaimer: Name: Tom Hill"
    assert propose(LabelledField(), "Hi Name: Tom Hill,\nThe printer jams.") == []
    assert [c.value for c in propose(LabelledField(), text)] == ["Jane Doe"]


def test_lines_of_fields_only_are_consumed():
    seen_mail = mail("Description: the printer jams\nName: Jo Bell | Tel: 07700 900 456\n"
                     "Name: Head Teacher")
    LabelledField().propose(seen_mail)
    # the description keeps its line; a field no judge took is no detail, so its line stays
    assert seen_mail.consumed == {1}


def test_label_only():
    assert label_only("Name:") and label_only("Phone number")
    assert not label_only("Name: Jane")


@pytest.mark.parametrize(("line", "kind", "value"), [
    ("Full  name: Jane Doe", "name", "Jane Doe"),
    ("Requester’s name: Jane Doe", "name", "Jane Doe"),
    ("Name: Dr. Jane Doe", "name", "Dr. Jane Doe"),
    ("Company: Acme Co. Ltd", "company", "Acme Co. Ltd"),
    ("School: Riverside Infants. Please call me", "company", "Riverside Infants"),
])
def test_labels_as_people_type_them_and_abbreviations_inside_a_value(
    line: str, kind: str, value: str
) -> None:
    from parsing.reading.rules.labelled import fields

    assert [(k, v) for k, _, v, _, _ in fields(line)] == [(kind, value)]
