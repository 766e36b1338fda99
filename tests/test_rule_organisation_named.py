"""The organisation named rule (parsing.reading.rules.mentioned): an organisation named anywhere
in the sender's words or footer ('Computer at the shop (Russo Plumbing) has a red screen',
'Cartwright Haulage Ltd is registered in England'), always WEAK: any other rule's candidate
beats it."""

from __future__ import annotations

import pytest

from parsing.reading.candidate import COMPANY, WEAK
from parsing.reading.rules.mentioned import OrganisationNamed
from tests.support.reading import propose, seen

RULE = "organisation named in the text"


def test_name():
    assert OrganisationNamed.name == RULE


def test_named_in_a_sentence():
    found = propose(OrganisationNamed(), "Computer at the shop (Russo Plumbing) has a red "
                                         "screen.")
    assert seen(found) == [(COMPANY, "Russo Plumbing", RULE, WEAK)]
    assert (found[0].where, found[0].zone) == (0, "body")


def test_named_in_a_footer_and_in_boilerplate():
    footer = propose(OrganisationNamed(), "The printer is broken.\n\nRegards\nJane\n\n"
                                          "Cartwright Haulage Ltd is registered in England.")
    assert seen(footer) == [(COMPANY, "Cartwright Haulage Ltd", RULE, WEAK)]
    notice = propose(OrganisationNamed(), "The printer is broken.\n\nThis email is "
                                          "confidential. Cartwright Haulage Ltd is registered "
                                          "in England and Wales, company no 1234567.")
    assert seen(notice) == [(COMPANY, "Cartwright Haulage Ltd", RULE, WEAK)]
    assert notice[0].zone == "boilerplate"


def test_signature_organisation_also_named_weakly():
    found = propose(OrganisationNamed(), "The printer is broken.\n\nKind regards\nJane Doe\n"
                                         "Acme Ltd")
    assert seen(found) == [(COMPANY, "Acme Ltd", RULE, WEAK)]


def test_the_is_part_of_a_name_inside_a_sentence():
    assert seen(propose(OrganisationNamed(), "Printer broken at The Grange Surgery.")) == [
        (COMPANY, "The Grange Surgery", RULE, WEAK)]


@pytest.mark.parametrize("text", [
    "The School printer is broken.",  # no name besides the organisation word
    "I got an email from Microsoft Outlook about it.",
    "Registered Charity 1187654 is on the letter.",
    "Jane Doe and Tom Hill cannot log in.",
    "Harbour & Finch printer is broken.",  # a firm by its '&' only: no organisation noun
    "Hi Riverside College,\nthe printer is broken.",  # the greeting is not read
])
def test_nothing_named(text):
    assert propose(OrganisationNamed(), text) == []


@pytest.mark.parametrize(("text", "organisation"), [
    ("My Riverside College laptop is broken.", "Riverside College"),
    ("Our Acme Ltd printer is broken.", "Acme Ltd"),
    ("Since Monday Acme Ltd has no internet.", "Acme Ltd"),
    ("Please Acme Ltd printer needs toner", "Acme Ltd"),
])
def test_sentence_opener_is_no_part_of_the_name(text, organisation):
    assert seen(propose(OrganisationNamed(), text)) == [(COMPANY, organisation, RULE, WEAK)]
