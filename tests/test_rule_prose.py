"""The prose rule (parsing.reading.rules.prose): who and where, said in a sentence — 'my name is
Jane Doe', 'I'm Dave Rowe from Hillside Dental', 'I work at Riverside College', 'I'm the Year 4
teacher at Moorside Juniors', 'this is Jane Doe from Oakfield'."""

from __future__ import annotations

import pytest

from parsing.reading.candidate import COMPANY, NAME, SIGNED, STATED, WEAK
from parsing.reading.rules.prose import Prose, org_phrase
from tests.support.reading import propose, seen, values

RULE, WEAK_RULE = "prose", "prose (weak)"


def test_names():
    assert Prose.name == RULE


def test_my_name_is():
    found = propose(Prose(), "Hi, my name is Jane Doe and the printer is broken.")
    assert seen(found) == [(NAME, "Jane Doe", RULE, STATED)]
    assert found[0].text == "my name is Jane Doe"


def test_name_and_organisation_in_one_sentence():
    found = propose(Prose(), "Hello, I'm Dave Rowe from Hillside Dental. The x-ray PC won't start.")
    assert (NAME, "Dave Rowe", RULE, STATED) in seen(found)
    assert set(seen(found)) == {
        (NAME, "Dave Rowe", RULE, STATED), (COMPANY, "Hillside Dental", RULE, STATED)}


def test_i_work_at():
    assert set(seen(propose(Prose(), "Hi, I work at Riverside College. Email is down."))) == {
        (COMPANY, "Riverside College", RULE, STATED)}


def test_role_at_organisation():
    found = propose(Prose(), "I'm the Year 4 teacher at Moorside Juniors and my laptop is broken.")
    assert set(seen(found)) == {(COMPANY, "Moorside Juniors", RULE, STATED)}


def test_someone_elses_role_doubted():
    found = propose(Prose(), "The office manager at Oakfield Primary School says the printer "
                             "is down.")
    assert seen(found) == [(COMPANY, "Oakfield Primary School", RULE, STATED - 1)]
    assert found[0].doubts == ("a role, perhaps not the sender's",)


def test_a_department_after_head_of_is_no_company():
    assert propose(Prose(), "Our Head of Science needs a new laptop.") == []


def test_weak_self_introduction():
    found = propose(Prose(), "Hi, this is Jane Doe from Oakfield. The wifi is down.")
    assert (NAME, "Jane Doe", WEAK_RULE, SIGNED) in seen(found)
    # no organisation word in 'Oakfield': doubted, and said in passing the weakest
    assert {c.strength for c in found if c.detail == COMPANY} == {STATED - 1, WEAK}
    assert values(found, COMPANY) == ["Oakfield", "Oakfield"]


@pytest.mark.parametrize("sentence", [
    "Hi, this is Windows Update failing again on every PC.",
    "It's Adobe Acrobat, it keeps crashing.",
    "I got an email from Microsoft about my account.",
    "My name is jane doe.",  # lower case: the lower-case rule's, and for companies only
])
def test_no_one_named(sentence):
    assert propose(Prose(), sentence) == []


def test_on_behalf_of():
    found = propose(Prose(), "On behalf of Mr Oliver Dunne, could you reset his password?")
    assert seen(found) == [(NAME, "Mr Oliver Dunne", "prose: written on behalf of", STATED)]


def test_first_name_from_organisation():
    found = propose(Prose(), "It's Sarah from Oakfield Primary School, the printer is jammed.")
    assert NAME not in {c.detail for c in found}
    assert set(values(found, COMPANY)) == {"Oakfield Primary School"}
    assert (COMPANY, "Oakfield Primary School", WEAK_RULE, SIGNED) in seen(found)


def test_first_name_from_opening_the_line():
    found = propose(Prose(), "Tom from Northgate Estates (Harrogate office). The server is down.")
    assert seen(found) == [(COMPANY, "Northgate Estates", WEAK_RULE, SIGNED)]


def test_self_introduction_then_where():
    found = propose(Prose(), "It's Mr Adeyemi in Year 6 at Moorside Junior School, the board "
                             "is dead.")
    assert seen(found) == [(COMPANY, "Moorside Junior School", RULE, STATED)]


def test_person_from_organisation():
    found = propose(Prose(), "Tom Baker from Acme Ltd here, the printer is broken.")
    assert seen(found) == [(COMPANY, "Acme Ltd", RULE, STATED)]


def test_person_with_organisation_here():
    found = propose(Prose(), "Kevin Nguyen with Two Rivers Title Co. here. Our copier holds "
                             "every job.", region="US")
    # 'Co' alone is no organisation word: a step weaker, and it says so
    assert seen(found) == [(COMPANY, "Two Rivers Title Co", RULE, STATED - 1)]
    assert found[0].doubts == ("no organisation word in it",)


@pytest.mark.parametrize("sentence", [
    "Dave Smith with Two Rivers Title Co said the copier was fine.",  # no 'here': no intro
    "I spoke to Dave Smith with Two Rivers Title Co yesterday about it.",
])
def test_with_links_no_one_outside_a_self_introduction(sentence):
    assert values(propose(Prose(), sentence, region="US"), COMPANY) == []


def test_dutch_met_names_the_sender_only_opening_the_line():
    found = propose(Prose(), "Met Pieter Bakker van OBS De Regenboog. De beamer gaat uit.",
                    region="NL")
    assert values(found, NAME) == ["Pieter Bakker"]
    # English 'met' is meeting someone else
    found = propose(Prose(), "Yesterday we met Sarah Jones about the new printers.")
    assert values(found, NAME) == []


@pytest.mark.parametrize("sentence", [
    "Yesterday we met Sarah Jones from Acme Ltd about the new printers.",
    "I rang Dave Smith at Acme Ltd but nobody could help.",
])
def test_someone_elses_company_after_a_verb(sentence):
    assert values(propose(Prose(), sentence), COMPANY) == []


@pytest.mark.parametrize("sentence", [
    "Good morning Tom Baker from Acme Ltd here, the printer is broken.",
    "Hi all, Tom Baker from Acme Ltd here, the printer is broken.",
    "This is Tom Baker from Acme Ltd, the printer is broken.",
])
def test_the_senders_company_after_a_greeting_or_an_introduction(sentence):
    assert set(values(propose(Prose(), sentence), COMPANY)) == {"Acme Ltd"}


def test_school_name_with_of():
    found = propose(Prose(), "Hi, I'm at St Mary's C of E Primary School and the wifi is down.")
    assert set(values(found, COMPANY)) == {"St Mary's C of E Primary School"}


def test_french():
    found = propose(Prose(), "Je suis Marie Dubois de la société Dupont SA.")
    assert set(seen(found)) == {
        (NAME, "Marie Dubois", RULE, STATED), (COMPANY, "Dupont SA", RULE, STATED)}


def test_spanish_name_with_particles():
    found = propose(Prose(), "Me llamo María José de la Cruz Peña y trabajo en "
                             "Distribuciones Levante.")
    assert values(found, NAME) == ["María José de la Cruz Peña"]
    assert (COMPANY, "Distribuciones Levante", RULE, STATED) in seen(found)


def test_dutch_second_particle_run_links_the_organisation():
    found = propose(Prose(), "Ik ben Sanne de Vries van Bloemenhuis De Linde.")
    assert values(found, NAME) == ["Sanne de Vries"]
    assert (COMPANY, "Bloemenhuis De Linde", RULE, STATED) in seen(found)


def test_german_name_stops_before_the_organisation():
    found = propose(Prose(), "Hallo, ich bin Jan Meier von der Weber Logistik GmbH. Der "
                             "Drucker geht nicht.", region="DE")
    assert values(found, NAME) == ["Jan Meier"]
    assert set(values(found, COMPANY)) == {"Weber Logistik GmbH"}


@pytest.mark.parametrize(("sentence", "company"), [
    ("Me llamo María José de la Cruz Peña y trabajo en Distribuciones Levante.",
     "Distribuciones Levante"),
    ("Ik ben Sanne de Vries van Bloemenhuis De Linde.", "Bloemenhuis De Linde"),
])
def test_no_company_from_inside_the_speakers_name(sentence, company):
    assert set(values(propose(Prose(), sentence), COMPANY)) == {company}


def test_the_senders_words_read_not_the_signature():
    text = "Hi, I'm Tom O'Brien from Riverside College\nEmail is down.\n\nRegards,\nI'm Jo Bell"
    found = propose(Prose(), text)
    assert values(found, NAME) == ["Tom O'Brien"]
    assert {c.zone for c in found} == {"body"}


@pytest.mark.parametrize(("words", "organisation"), [
    ("Riverside College. Email is down", "Riverside College"),
    ("Oakfield and I", "Oakfield"),
    ("St. Mary's", "St. Mary's"),
])
def test_org_phrase(words, organisation):
    assert org_phrase(words) == organisation
