"""The lower-case prose rule (parsing.reading.rules.lower_case): in mail written without
capitals ('hi its lauren hale from thorpe lea infants, i cant get into…') an organisation's
words still tell the organisation after 'from'. Only in such mail."""

from __future__ import annotations

import pytest

from parsing.reading.candidate import COMPANY, NAME, STATED, WEAK
from parsing.reading.rules.lower_case import LowerCaseProse, written_in_lower_case
from tests.support.reading import mail, propose, seen

RULE = "prose in lower case"


def test_name():
    assert LowerCaseProse.name == RULE


def test_organisation_words_tell_the_organisation():
    found = propose(LowerCaseProse(), "hi its lauren hale from thorpe lea infants, i cant get "
                                      "into my email")
    assert seen(found) == [(NAME, "lauren hale", RULE, STATED - 1),
                           (COMPANY, "thorpe lea infants", RULE, STATED - 1)]
    assert [c.doubts for c in found] == [("written in lower case",)] * 2
    assert [c.text for c in found] == ["its lauren hale", "from thorpe lea infants"]


@pytest.mark.parametrize(("text", "name"), [
    ("hi its jo smith at greenbank nursery the tablet wont update", "jo smith"),
    ("hello this is dave rowe from hillside surgery, printer jammed", "dave rowe"),
])
def test_two_words_between_introduction_and_where_they_are_from_name_them(text, name):
    found = propose(LowerCaseProse(), text)
    assert [c.value for c in found if c.detail == NAME] == [name]


@pytest.mark.parametrize("text", [
    "hi its me again from greenbank nursery, tablet still broken",  # common words
    "hi this is the office from greenbank nursery, tablet broken",
    "hi its about the tablet at greenbank nursery, it wont update",
])
def test_common_words_after_an_introduction_name_no_one(text):
    assert [c for c in propose(LowerCaseProse(), text) if c.detail == NAME] == []


def test_place_after_the_organisation_left_out():
    found = propose(LowerCaseProse(), "hola soy ana de floristeria el jardin de lola en triana, "
                                      "no funciona la impresora")
    assert seen(found) == [(COMPANY, "floristeria el jardin de lola", RULE, STATED - 1)]


def test_the_pronoun_i_is_no_capital():
    found = propose(LowerCaseProse(), "hi i am from thorpe lea infants and I cant log in")
    assert seen(found) == [(COMPANY, "thorpe lea infants", RULE, STATED - 1)]


def test_no_organisation_word_weakest_and_only_after_a_self_introduction():
    found = propose(LowerCaseProse(), "hi its lauren from thorpe lea, i cant get into my email")
    assert seen(found) == [(COMPANY, "thorpe lea", RULE, WEAK)]
    assert found[0].doubts == ("written in lower case", "no organisation word in it")
    assert propose(LowerCaseProse(), "hi i got a mail from thorpe lea, i cant open it") == []


@pytest.mark.parametrize("text", [
    "hi from the it team, all good",  # a department
    "Hi its Lauren Hale from Thorpe Lea Infants, I cant get into my email",  # capitals
    "hi its lauren from thorpe lea infants, i cant get into Outlook",  # one capital
])
def test_nothing_proposed(text):
    assert propose(LowerCaseProse(), text) == []


def test_only_the_senders_words_decide_and_are_read():
    # a signature with capitals does not make the words capitalised, and is not read
    text = ("the printer is broken, can someone help\n\nthanks\nLauren Hale\n"
            "from thorpe lea infants")
    assert written_in_lower_case(mail(text))
    assert propose(LowerCaseProse(), text) == []
    assert not written_in_lower_case(mail(""))
