"""The signature rule (parsing.reading.rules.signature): the name line, the organisation's line,
a title | organisation line, the line below the name, a logo's alt text, and the name on the
sign-off's own line — wherever the signature stands (above a disclaimer too)."""

from __future__ import annotations

import pytest

from parsing.reading.candidate import COMPANY, NAME, SIGNED, WEAK
from parsing.reading.rules.signature import Signature
from tests.support.reading import propose, seen, values

RULE = "signature"
TITLE_ORGANISATION = "signature's title | organisation line"
SIGN_OFF_NAME = "sign-off line"
POSITION = "signature line below the name"
ASKED = "The printer is broken.\n\n"


def test_names():
    assert Signature.name == RULE


def test_name_and_organisation_below_a_sign_off():
    found = propose(Signature(), f"{ASKED}Kind regards,\nJane Doe\nFinance Officer\nAcme Ltd")
    assert seen(found) == [(NAME, "Jane Doe", RULE, SIGNED), (COMPANY, "Acme Ltd", RULE, SIGNED)]
    assert [c.where for c in found] == [3, 5]
    assert {c.zone for c in found} == {"signature"}


def test_name_with_title_on_its_line():
    assert seen(propose(Signature(), f"{ASKED}Kind regards,\nJane Doe | Finance Officer")) == [
        (NAME, "Jane Doe", RULE, SIGNED)]


def test_name_with_title_in_brackets():
    found = propose(Signature(), f"{ASKED}Thanks,\nMr John Smith (Head Teacher)\n"
                                 "St Mary's C of E Primary School")
    assert seen(found) == [
        (NAME, "Mr John Smith", RULE, SIGNED),
        (COMPANY, "St Mary's C of E Primary School", RULE, SIGNED),
    ]


def test_organisation_alone():
    assert seen(propose(Signature(), f"{ASKED}Regards\nHillside Dental Practice")) == [
        (COMPANY, "Hillside Dental Practice", RULE, SIGNED)]
    assert seen(propose(Signature(), f"{ASKED}Regards,\nGreenleaf Housing Trust")) == [
        (COMPANY, "Greenleaf Housing Trust", RULE, SIGNED)]


@pytest.mark.parametrize(("line", "organisation"), [
    ("Practice Manager | Greenfield Law LLP", "Greenfield Law LLP"),
    ("Practice Manager at The Grange Surgery", "The Grange Surgery"),
    ("Site Manager Greystones", "Greystones"),  # a title, then where, in one piece
])
def test_title_then_organisation(line, organisation):
    found = propose(Signature(), f"{ASKED}Regards,\nSarah Jones\n{line}")
    assert seen(found) == [
        (NAME, "Sarah Jones", RULE, SIGNED), (COMPANY, organisation, TITLE_ORGANISATION, SIGNED)]


def test_name_on_the_sign_off_line():
    found = propose(Signature(), f"{ASKED}Cheers, Dave Smith")
    assert seen(found) == [(NAME, "Dave Smith", SIGN_OFF_NAME, SIGNED)]


def test_lower_case_name_on_the_sign_off_line_only_as_displayed():
    found = propose(Signature(), f"{ASKED}gruß jo schmidt", display_name="jo schmidt")
    assert seen(found) == [(NAME, "jo schmidt", SIGN_OFF_NAME, WEAK)]
    assert found[0].doubts == ("written in lower case",)
    assert propose(Signature(), f"{ASKED}gruß jo schmidt") == []


def test_without_a_sign_off():
    found = propose(Signature(), f"{ASKED}Jane Doe\nFinance Officer\nBrightwater")
    assert seen(found) == [
        (NAME, "Jane Doe", RULE, SIGNED), (COMPANY, "Brightwater", POSITION, WEAK)]
    assert found[1].doubts == ("placed only by its position",)


def test_logo_alt_text():
    found = propose(Signature(), f"{ASKED}Regards,\nJane Doe\n[Brightwater logo]")
    assert seen(found) == [(NAME, "Jane Doe", RULE, SIGNED), (COMPANY, "Brightwater", RULE, WEAK)]
    assert found[1].doubts == ("a logo's alt text",)


def test_the_senders_friends_are_no_firm():
    found = propose(Signature(), f"{ASKED}Regards,\nMarc Smith\nJohn & Marc",
                    display_name="Marc Smith")
    assert seen(found) == [(NAME, "Marc Smith", RULE, SIGNED)]


def test_registered_organisation_beats_departments():
    found = propose(Signature(), f"{ASKED}Regards,\nPeter Lee\nLecturer, Engineering & "
                                 "Construction\nRiverside College")
    assert values(found, COMPANY) == ["Riverside College"]


def test_reply_parsers_signature():
    found = propose(Signature(), "The printer is broken.",
                    signature="Anna Novak\nHillside Dental Practice\nMobile: +44 7911 123456")
    assert seen(found) == [
        (NAME, "Anna Novak", RULE, SIGNED), (COMPANY, "Hillside Dental Practice", RULE, SIGNED)]


def test_signature_above_a_disclaimer():
    found = propose(Signature(), f"{ASKED}Jane Doe\nAcme Ltd\n\nCONFIDENTIALITY NOTICE: This "
                                 "email is confidential and intended for the named recipient.")
    assert seen(found) == [(NAME, "Jane Doe", RULE, SIGNED), (COMPANY, "Acme Ltd", RULE, SIGNED)]


def test_body_is_not_read():
    assert propose(Signature(), "Jane Doe from Acme Ltd says the printer is broken.") == []
    # a sentence below the name: the name is part of the request
    assert propose(Signature(), "The printer is broken.\nJane Doe\nplease call her back "
                                "today when you have a moment, as soon as you possibly can, "
                                "thanks.") == []


def test_only_the_first_lines_carry_the_name():
    footer = "\n".join(["Acme Ltd", "1 High Street", "Leicester", "LE1 1AA", "Jane Doe"])
    assert values(propose(Signature(), f"{ASKED}Regards,\n{footer}"), NAME) == []


def test_street_below_the_name_is_no_company():
    found = propose(Signature(), f"{ASKED}Regards,\nJan Meier\nHafenstraße 12\n20457 Hamburg")
    assert seen(found) == [(NAME, "Jan Meier", RULE, SIGNED)]


def test_surname_ending_in_haus():
    found = propose(Signature(), "Der Drucker geht nicht.\n\nMit freundlichen Grüßen\n"
                                 "Anna Neuhaus\nWeber Logistik GmbH", region="DE")
    assert seen(found) == [
        (NAME, "Anna Neuhaus", RULE, SIGNED), (COMPANY, "Weber Logistik GmbH", RULE, SIGNED)]
