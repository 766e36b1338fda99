"""Choosing among candidates (parsing.reading.choose): the strongest wins, ties are broken by
the PRECEDENCE table, then by the place in the mail; every number once, the strongest first."""

from __future__ import annotations

import pytest

from parsing import answer, details
from parsing.reading.candidate import (
    COMPANY,
    KNOWN,
    NAME,
    PHONE,
    SIGNED,
    STATED,
    TYPED,
    WEAK,
    Candidate,
)
from parsing.reading.choose import PRECEDENCE, choose, distinct_phones, ranked
from parsing.reading.reader import RULES, read
from parsing.reading.rules import (
    details_line,
    display,
    labelled,
    lower_case,
    mentioned,
    numbers,
    prose,
    signature,
)
from tickets.details import DIRECTORY, DOMAIN


def candidate(rule: str, strength: int, value: str = "Jane Doe", where: int = 0,
              detail: str = NAME) -> Candidate:
    return Candidate(detail, value, rule, strength, value, where)


def test_strength_beats_precedence():
    first_in_table = candidate("labelled field", STATED, "Jane Doe")
    last_in_table = candidate("forwarded colleague's signature", TYPED, "Jo Bell")
    assert choose([first_in_table, last_in_table], NAME) is last_in_table


def test_precedence_breaks_ties():
    typed = candidate("labelled field", TYPED, "Jane Doe", where=9)
    said = candidate("prose", TYPED, "Jo Bell", where=1)
    assert choose([said, typed], NAME) is typed
    signed = candidate("signature", SIGNED, "Jane Doe", where=7)
    shown = candidate("display name", SIGNED, "Jo Bell", where=-1)
    assert choose([shown, signed], NAME) is signed


def test_then_the_place_in_the_mail():
    later = candidate("signature", SIGNED, "Jane Doe", where=8)
    earlier = candidate("signature", SIGNED, "Jo Bell", where=3)
    assert choose([later, earlier], NAME) is earlier


def test_ranked_order():
    a = candidate("display name", SIGNED, "A", where=-1)
    b = candidate("prose", STATED, "B", where=4)
    c = candidate("signature", SIGNED, "C", where=6)
    d = candidate("labelled field", STATED, "D", where=5)
    e = candidate("signature", SIGNED, "E", where=2)
    assert [x.value for x in ranked([a, b, c, d, e])] == ["D", "B", "E", "C", "A"]


def test_choose_takes_only_its_detail():
    name = candidate("signature", SIGNED, "Jane Doe")
    company = candidate("signature", TYPED, "Acme Ltd", detail=COMPANY)
    assert choose([name, company], NAME) is name
    assert choose([name, company], COMPANY) is company
    assert choose([name], COMPANY) is None
    assert choose([], NAME) is None


# --- the table knows every rule ------------------------------------------------------------

RULE_NAMES = {
    labelled.NAME_RULE, details_line.RULE, prose.RULE, prose.WEAK_RULE, prose.ON_BEHALF_RULE,
    lower_case.RULE, numbers.FOR_SOMEONE_ELSE,
    signature.RULE, signature.TITLE_ORGANISATION, signature.SIGN_OFF_NAME, signature.POSITION,
    display.RULE, numbers.CALLBACK, numbers.SIGNATURE_NUMBER, numbers.ENDING, numbers.IN_TEXT,
    numbers.OWN_SENTENCE,
    mentioned.RULE, answer.RULE, details.FORWARDED_COLLEAGUE, DIRECTORY, DOMAIN,
}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: type(rule).__name__)
def test_every_rules_name_is_in_precedence(rule):
    assert rule.name in PRECEDENCE


def test_every_name_a_rule_proposes_under_is_in_precedence():
    assert set(PRECEDENCE) >= RULE_NAMES


def test_precedence_names_no_rule_that_does_not_exist():
    assert set(PRECEDENCE) == RULE_NAMES
    assert len(PRECEDENCE) == len(set(PRECEDENCE))


def test_a_reading_proposes_only_names_in_precedence():
    reading = read(
        "Hi,\n\nI'm Jo Bell from Riverside College. The projector is dead.\n"
        "Name: Jo Bell\nKelly Ashworth, Riverside Infants, 07700 900 456\n"
        "Please call me back on 07700 900 457. Can anyone come? 0116 496 0000\n\n"
        "Cheers, Jo Bell\nHead of IT | Riverside College\nM: 07700 900 458\n[Riverside logo]",
        display_name="Bell, Jo", subject="Projector, call me on 07700 900 459")
    assert {c.rule for c in reading.candidates} <= set(PRECEDENCE)
    assert len({c.rule for c in reading.candidates}) >= 6


def test_the_desks_records_between_what_was_said_and_a_signature():
    rank = PRECEDENCE.index
    for said in ("labelled field", "call-back phrase", "answer", "details line", "prose"):
        assert rank(said) < rank(DIRECTORY) < rank(DOMAIN)
    for signed in ("signature", "sign-off line", "display name", "signature number line"):
        assert rank(DOMAIN) < rank(signed)
    assert PRECEDENCE[-2:] == ("organisation named in the text", details.FORWARDED_COLLEAGUE)


# --- every number once, the strongest first ------------------------------------------------


def phone(rule: str, strength: int, value: str, where: int = 0) -> Candidate:
    return candidate(rule, strength, value, where, detail=PHONE)


def test_distinct_phones_keeps_each_number_once_strongest_first():
    signed = phone("signature number line", SIGNED, "+447700900456", where=9)
    offered = phone("call-back phrase", TYPED, "+447700900456", where=2)
    office = phone("number in the text", SIGNED, "+441164960000", where=1)
    known = phone(DIRECTORY, KNOWN, "+442079460018", where=-1)
    weak = phone("number ending the mail", WEAK, "+441164960000", where=0)
    name = candidate("signature", TYPED, "Jane Doe")
    chosen = distinct_phones([signed, office, weak, name, known, offered], 5)
    assert chosen == [offered, known, office]


def test_distinct_phones_limit():
    found = [phone("call-back phrase", TYPED, f"+4477009004{n:02}", where=n) for n in range(8)]
    assert [c.value for c in distinct_phones(found, 3)] == [
        "+447700900400", "+447700900401", "+447700900402"]
    assert distinct_phones([], 3) == []
