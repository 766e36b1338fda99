"""The judges (parsing.reading.judge): whether a few words can be a person's name or an
organisation's, and what speaks against it. A judge says no only where the words cannot be what
is asked; where they merely might not be, it says yes with a doubt."""

from __future__ import annotations

import pytest

from parsing.reading.judge import (
    Verdict,
    address,
    called_name,
    display_person,
    legal_form,
    legal_form_only,
    organisation,
    person,
)

# --- person() ------------------------------------------------------------------------------


@pytest.mark.parametrize(("words", "verdict"), [
    ("Jane Doe", Verdict("Jane Doe")),
    ("Tom O'Brien", Verdict("Tom O'Brien")),
    ("Jo Smith-Jones", Verdict("Jo Smith-Jones")),
    ("Jo Head", Verdict("Jo Head", ("a job title word in it",))),
    ("Sam Head", Verdict("Sam Head", ("a job title word in it",))),
    ("Kim Baker", Verdict("Kim Baker")),  # a surname that is a word
    ("Tom Hill", Verdict("Tom Hill")),  # an address word, but a surname last
    ("Sally Mail", Verdict("Sally Mail")),  # one robot word is no robot
    ("Mr John Smith", Verdict("Mr John Smith")),
    ("JOHN SMITH", Verdict("JOHN SMITH", ("all in capitals",))),
])
def test_person(words, verdict):
    assert person(words) == verdict


@pytest.mark.parametrize("words", [
    "Head Teacher", "Practice Manager", "Senior Recruitment Consultant",  # roles
    "Greenleaf Housing Trust", "Hotel Mirador", "Riverside Infants", "Jane Doe Ltd",
    "Please Help Urgently",  # words that are no one's name
    "Oakfield Road", "Jane Doe LE4 7QT",  # an address, a postcode
    "HRA XXX",  # abbreviations
    "Mail Delivery System",  # a robot
    "Jo Head of Finance",
    "Jane", "Mrs Smith",  # one name only
    "Jane 2Doe", "jane@doe", "van Dijk", "Maria de",
    "Jan Loodgietersbedrijf",  # a compound that names a firm
])
def test_not_a_person(words):
    assert person(words) is None


@pytest.mark.parametrize("words", [
    "Jordi Puig i Vila", "Hans van 't Hof", "María José de la Cruz Peña", "Jan van der Berg",
])
def test_particles_inside_a_name(words):
    assert person(words) == Verdict(words)


@pytest.mark.parametrize(("words", "name"), [
    ("Robert Fyfe CEng MIET", "Robert Fyfe"),
    ("Jane Doe PhD", "Jane Doe"),
    ("Peter Yeo FCCA", "Peter Yeo"),
])
def test_post_nominals_stripped(words, name):
    assert person(words) == Verdict(name)


@pytest.mark.parametrize(("words", "doubt"), [
    ("J. Smith", "an initial for a first name"),
    ("J.R. Hartley", "an initial for a first name"),
    ("Jane S", "an initial for a surname"),
])
def test_initials_doubted(words, doubt):
    assert person(words) == Verdict(words, (doubt,))


def test_person_lower_case_only_with_any_case():
    assert person("jane doe") is None
    assert person("jane doe", any_case=True) == Verdict("jane doe", ("written in lower case",))
    assert person("Jane Doe", any_case=True) == Verdict("Jane Doe")


def test_product_names_only_in_prose():
    assert person("Windows Defender") == Verdict("Windows Defender")
    assert person("Windows Defender", prose=True) is None


@pytest.mark.parametrize("words", ["Anna Neuhaus", "Jan Oosterhuis", "Peter Backhaus"])
def test_surname_ending_like_a_compound_is_a_person(words):
    assert person(words) is not None


@pytest.mark.parametrize("words", ["Name.. Jane Doe", "Name Jane Doe"])
def test_label_word_is_no_first_name(words):
    assert person(words) is None


# --- organisation() ------------------------------------------------------------------------


@pytest.mark.parametrize("words", [
    "Acme Ltd", "Greenfield Law LLP", "Weber AG", "Dupont SA", "Levante S.L", "Jones & Co",
    "Riverside Infants", "St Mary's C of E Primary School", "Greenleaf Housing Trust",
    "Bank of Scotland", "Harbour & Finch", "Yeo & Whitaker",
    "Loodgietersbedrijf Van 't Hof", "Maschinenbau Schmidt", "Stadtwerke Musterstadt",
])
def test_organisation(words):
    assert organisation(words) == Verdict(words)


@pytest.mark.parametrize(("words", "value"), [
    ("Acme Ltd.", "Acme Ltd"),
    ("at Acme Ltd", "Acme Ltd"),  # a link before it
    ("Acme Ltd and", "Acme Ltd"),  # a joiner after it
    ("Ravenscliffe Academy (PE block)", "Ravenscliffe Academy"),  # where within it
    ("Distribuciones Levante, S.L.", "Distribuciones Levante, S.L"),
])
def test_organisation_cleaned(words, value):
    assert organisation(words) == Verdict(value)


def test_short_legal_forms_only_in_capitals():
    assert legal_form("SA") and legal_form("S.L.") and legal_form("AG")
    assert not legal_form("sa") and not legal_form("se") and not legal_form("ag")
    assert legal_form("ltd") and legal_form("Ltd")  # a longer form in any case
    assert organisation("Dupont SA") == Verdict("Dupont SA")
    assert organisation("Dupont sa") is None


def test_legal_form_only():
    assert legal_form_only("S.L.") and legal_form_only("GmbH & Co. KG")
    assert not legal_form_only("Acme Ltd")
    assert not legal_form_only("")


@pytest.mark.parametrize("words", [
    "IT Services", "Customer Services", "Human Resources", "IT", "Year 4 team",  # departments
    "Trust Business Manager", "Practice Manager", "Head of Operations",  # job titles
    "Finance Director",
    "CPA", "FCA",  # letters after a name
    "Oakfield Road, Leicester LE4 7QT", "12 Oakfield Road", "20457 Hamburg",  # addresses
    "www.acme.com", "jane@acme.com",
    "practice manager at Hillside",  # a sentence
    "the acme ltd",  # lower case, not typed into a field
    "Praxis", "The School",  # a kind of organisation, not its name
])
def test_not_an_organisation(words):
    assert organisation(words, placed=True) is None


def test_placed_needs_no_telling_word():
    assert organisation("Brightwater") is None
    assert organisation("Brightwater", placed=True) == Verdict("Brightwater")
    assert organisation("Jane Doe", placed=True) == Verdict(
        "Jane Doe", ("reads like a person's name",))
    assert organisation("Oakfield Road", placed=True) == Verdict(
        "Oakfield Road", ("reads like an address",))
    assert organisation("oakfield", placed=True) is None


def test_organisation_lower_case_only_with_any_case():
    assert organisation("acme ltd") is None
    assert organisation("acme ltd", any_case=True) == Verdict(
        "acme ltd", ("written in lower case",))


@pytest.mark.parametrize("line", [
    "Oakfield Road, Leicester LE4 7QT", "12 rue de la Paix", "20457 Hamburg", "WA 98101",
])
def test_address(line):
    assert address(line)


def test_street_compound_with_house_number_is_an_address():
    assert address("Hafenstraße 12")
    assert organisation("Hafenstraße 12", placed=True) is None


@pytest.mark.parametrize(("written", "called"), [
    ("W.J. (Willem) de Groot", "Willem de Groot"),  # the Dutch roepnaam after the initials
    ("ir. W.J. (Willem) de Groot", "ir. Willem de Groot"),
    ("Groot, W.J. de (Willem)", "Willem de Groot"),  # as Exchange displays it
    ("J. (Hans) Meier", "Hans Meier"),
    ("Jane Doe (Acme Ltd)", "Jane Doe (Acme Ltd)"),  # no initials: a bracket of another kind
    ("Jane Doe", "Jane Doe"),
])
def test_called_name(written, called):
    assert called_name(written) == called


def test_a_name_with_a_called_name_is_filed_by_it():
    assert person("W.J. (Willem) de Groot") == Verdict("Willem de Groot")
    assert display_person("Groot, W.J. de (Willem)") == Verdict("Willem de Groot")


# --- display_person() ----------------------------------------------------------------------


@pytest.mark.parametrize(("display", "verdict"), [
    ("Smith, Jane", Verdict("Jane Smith")),
    ("Doe, Jane Mary", Verdict("Jane Mary Doe")),
    ('"Jane Doe"', Verdict("Jane Doe")),
    ("Jane Doe (Acme)", Verdict("Jane Doe")),
    ("jane doe", Verdict("jane doe", ("written in lower case",))),
    ("Anthony Head", Verdict("Anthony Head", ("a job title word in it",))),
    ("Sam Office", Verdict("Sam Office")),  # a role word last is a surname
])
def test_display_person(display, verdict):
    assert display_person(display) == verdict


@pytest.mark.parametrize("display", [
    "Mail Delivery System", "Microsoft Outlook",  # robots
    "Head Teacher", "Office Admin",  # roles
    "IT Support", "Accounts Team", "Info",  # teams and mailboxes
    "Jane", "",
])
def test_display_no_one(display):
    assert display_person(display) is None



def test_every_cached_judge_is_cleared() -> None:
    """The benchmark times each round from cold: every cached verdict must be forgettable."""
    from parsing.reading import judge, verdict_cache

    judge.person("Jane Doe")
    judge.organisation("Acme Ltd")
    judge.display_person("Doe, Jane")
    judge.legal_form("Acme Ltd")
    assert judge.organisation.cache_info().currsize > 0  # type: ignore[attr-defined]
    judge.clear_caches()
    caches = verdict_cache.CACHES
    assert [c.cache_info().currsize for c in caches] == [0] * len(caches)


@pytest.mark.parametrize(("written", "filed"), [
    ("Marie Claire DUPONT", "Marie Claire DUPONT"),  # a surname in capitals is no post-nominal
    ("Robert Fyfe CEng MIET", "Robert Fyfe"),
    ("Jennifer Walsh CPA", "Jennifer Walsh"),
])
def test_only_listed_letters_after_a_name_are_dropped(written: str, filed: str) -> None:
    from parsing.reading import judge

    verdict = judge.person(written)
    assert verdict is not None and verdict.value == filed


@pytest.mark.parametrize(("sentence", "name"), [
    ("my name is Łukasz Kowalski and the printer is broken.", "Łukasz Kowalski"),
    ("I am Şule Yılmaz from Acme Ltd, the VPN is down.", "Şule Yılmaz"),
])
def test_names_in_any_script_start_with_a_capital(sentence: str, name: str) -> None:
    from parsing.details import extract_from_text

    assert extract_from_text(sentence).name == name


def test_a_long_text_is_judged_at_once_and_not_cached() -> None:
    from parsing.reading import judge

    judge.clear_caches()
    assert judge.person("Jane " + "Doe " * 200) is None
    assert judge.person.cache_info().currsize == 0  # type: ignore[attr-defined]
