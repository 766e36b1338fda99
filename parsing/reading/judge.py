"""Whether a few words can be a person's full name or an organisation's name, and what speaks
against it. A judge never decides alone: it says no only where the words cannot be what is
asked ('Please Help Urgently' is no one's name); where they merely might not be ('Jo Head' has a
job title in it), it says yes with a doubt, and the rule lowers its candidate's strength."""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsing.lexicon import Vocabulary, alternation, word_pattern
from parsing.lexicon.organisations import (
    ADDRESS_WORDS,
    DEPARTMENTS,
    LEGAL_FORMS,
    ORGANISATION_COMPOUND_HEADS,
    ORGANISATION_COMPOUND_HEADS_SURNAME_LIKE,
    ORGANISATION_JOINERS,
    ORGANISATION_NOUNS,
    SCHOOL_WORDS,
)
from parsing.lexicon.people import (
    HONORIFICS,
    JOB_TITLES,
    NAME_PARTICLES,
    NOT_NAME_WORDS,
    POST_NOMINALS,
    PRODUCT_WORDS,
    ROBOT_WORDS,
    ROLE_MAILBOX_WORDS,
    SURNAMES_THAT_ARE_WORDS,
    TITLE_QUALIFIERS,
)
from parsing.lexicon.phrases import NAME_LABELS
from parsing.reading.verdict_cache import clear_caches as clear_caches  # kept importable here
from parsing.reading.verdict_cache import judged

_LEGAL_FORM = word_pattern(LEGAL_FORMS)  # to remove a legal form from a name
_LEGAL_FORMS = Vocabulary(LEGAL_FORMS)
# two-letter forms count only as written by a registrar ('SA', 'S.L.', 'AG'): 'sa' and 'se'
# are French and Spanish words
_SHORT_FORM_CASED = re.compile(r"^[A-Z.]+$")
_SCHOOL = Vocabulary(SCHOOL_WORDS)
_ORG_NOUN = Vocabulary(ORGANISATION_NOUNS)
_TITLE = Vocabulary(JOB_TITLES)
# 'Harbour & Finch', 'Yeo & Whitaker', 'Kline & Burke': names joined by '&' are a firm's
_FIRM = re.compile(r"\b\w[\w'’.-]*[ \t]+&[ \t]+\w", re.UNICODE)
# letters after a name: 'CEng', 'MIET', 'FCA', 'DipPFS', 'RVN', 'PhD', 'MSc'
_POST_NOMINALS = frozenset(POST_NOMINALS)
_VOWEL = re.compile(r"[AEIOUYÀ-ÆÈ-ÏÒ-ÖØ-Ü]")
# capitals with small letters between them: 'DipPFS', 'CEng', 'MSc' (not 'McDonald')
_MIXED_CAPITALS = re.compile(r"(?!Ma?c[A-Z])(?=.*[a-z])[A-Z][a-z]{0,3}[A-Z]{1,5}[a-z]{0,2}")
# a head after at least three letters of another noun: 'Loodgieters|bedrijf'
_COMPOUND_END_SURNAME_LIKE = re.compile(
    r"\w{3}(?:" + "|".join(ORGANISATION_COMPOUND_HEADS_SURNAME_LIKE) + r")$"
)
_COMPOUND_END = re.compile(
    r"\w{3}(?:" + "|".join(sorted(map(re.escape, ORGANISATION_COMPOUND_HEADS), key=len,
                                  reverse=True)) + r")$"
)
_ADDRESS = Vocabulary(ADDRESS_WORDS)
# a postcode: UK ('LE4 7QT'), US ZIP ('WA 98101'), continental ('20457 Hamburg', 'NL-1012 AB')
_POSTCODE = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]?[ \t]*\d[A-Z]{2}\b|\b\d{4,5}(?:-\d{4})?\b|\b\d{4}[ \t]?[A-Z]{2}\b"
)
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*")  # 'O'Brien', 'Mary-Jane', 'J.'; not 'Sorry!'
_NOT_NAME = frozenset(NOT_NAME_WORDS)
_NOT_NAME_DISPLAYED = _NOT_NAME - {label for label in NAME_LABELS if " " not in label}
_PARTICLES = frozenset(NAME_PARTICLES)
_HONORIFICS = frozenset(HONORIFICS)
_ROBOT = frozenset(ROBOT_WORDS)
_PRODUCT = frozenset(PRODUCT_WORDS)
_SURNAME_WORDS = frozenset(SURNAMES_THAT_ARE_WORDS)
_ROLE_WORDS = frozenset(
    w for phrase in (*JOB_TITLES, *TITLE_QUALIFIERS, *DEPARTMENTS, *ROLE_MAILBOX_WORDS)
    for w in phrase.split()
) | {"of", "and", "the", "&", "to"} | set(ORGANISATION_JOINERS)
_DEPARTMENT_WORDS = frozenset(w for phrase in DEPARTMENTS for w in phrase.split())
_JOINERS = frozenset(ORGANISATION_JOINERS)
_NUMBERS = re.compile(r"\d+")
_HOUSE_NUMBER = re.compile(r"\d+[a-z]?[ \t,]+\w")
# 'Hafenstraße 12', 'Keizersgracht 123': a street ending a compound, then the number
_STREET_THEN_NUMBER = re.compile(
    alternation(w for w in ADDRESS_WORDS if len(w) > 2 and w.isalpha()) + r"[ \t]+\d+[a-z]?\b",
    re.IGNORECASE,
)
_BLANKS = re.compile(r"\s+")
_INITIALS = re.compile(r"(?:[A-Z]\.){2,}|[A-Z]\.?(?:-[A-Z]\.?)+")  # 'W.J.', 'A-M'
# the Dutch 'roepnaam': the name a person is called by, in brackets after their initials
# ('W.J. (Willem) de Groot', 'Groot, W.J. de (Willem)')
_CALLED_NAME = re.compile(r"(?<![\w.])(?:[A-Z]\.){1,4}[ \t]*\((?P<given>[A-Z][a-z][\w'’-]*)\)")
_CALLED_NAME_LAST = re.compile(
    r"^(?P<surname>[^,()]+),[ \t]*(?:[A-Z]\.){1,4}(?P<particles>(?:[ \t]+[a-z']+)*)[ \t]*"
    r"\((?P<given>[A-Z][a-z][\w'’-]*)\)$"
)
_TRAILING_BRACKET = re.compile(r"[ \t]*\([^()]{0,40}\)?$")
_BRACKETS = re.compile(r"\s*+(?:\([^()]*+\)|\[[^\[\]]*+\])\s*+")
MAX_NAME_WORDS = 5
# characters no name of a person or an organisation has: addresses, labels, paths
_NEVER_IN_NAMES = frozenset("@:/=<>#;?!")
MAX_ORGANISATION_WORDS = 8


@dataclass(frozen=True, slots=True)
class Verdict:
    value: str  # cleaned
    doubts: tuple[str, ...] = ()


def _post_nominal(word: str) -> bool:
    """Listed letters ('FCA', 'CEng'), or capitals no surname is spelt with: no vowel
    ('MCSP', 'FRCS') or small letters between them ('DipPFS', 'MSc')."""
    return word.lower() in _POST_NOMINALS or (
        len(word) >= 2 and (
            (word.isupper() and not _VOWEL.search(word))
            or bool(_MIXED_CAPITALS.fullmatch(word))
        )
    )


def _without_post_nominals(value: str) -> str:
    """'Robert Fyfe CEng MIET' → 'Robert Fyfe': letters after a name are no part of it."""
    words = value.split()
    while len(words) > 2 and _post_nominal(words[-1].strip(",.()")):
        words.pop()
    return " ".join(words).rstrip(",")


def _surname_like_compound(word: str) -> bool:
    return len(word) > 5 and bool(_COMPOUND_END_SURNAME_LIKE.search(word))


def _compound_organisation(word: str) -> bool:
    """German and Dutch join nouns: 'Loodgietersbedrijf', 'Maschinenbau', 'Bloemenhuis'."""
    return (len(word) > 5 and bool(_COMPOUND_END.search(word))) or _surname_like_compound(word)


@judged(False)
def legal_form(text: str) -> bool:
    return any(
        len(phrase) > 2 or _SHORT_FORM_CASED.match(written) or written.endswith(".")
        for phrase, written in _LEGAL_FORMS.found(text)
    )


@judged(False)
def organisation_words(text: str) -> bool:
    """Words that say 'organisation': a legal form, a school word, an organisation noun."""
    return named_organisation(text) or bool(_FIRM.search(text))


@judged(False)
def named_organisation(text: str) -> bool:
    """Organisation words other than an ampersand: 'Russo Plumbing', not 'John & Marc'."""
    return registered(text) or organisation_noun(text) or any(
        _compound_organisation(w.lower()) for w in text.split()
    )


def legal_form_only(text: str) -> bool:
    """'S.L.', 'LLC', 'Inc.', 'GmbH & Co. KG': a legal form and nothing else."""
    return bool(text.strip()) and legal_form(text) and not _LEGAL_FORM.sub("", text).strip(" .,&")


def registered(text: str) -> bool:
    """A legal form or a school word: the surest organisation words."""
    return legal_form(text) or bool(_SCHOOL.search(text))


@judged(False)
def organisation_noun(text: str) -> bool:
    """'Trust', 'Practice', 'Kanzlei': a noun that names a kind of organisation."""
    return bool(_ORG_NOUN.search(text))


def job_title_last(text: str) -> bool:
    """'Senior Talent Partner', 'Team Leader': a title, whatever words come before it."""
    words = text.split()
    return bool(words) and bool(_TITLE.fullmatch(words[-1].strip(".,")))


@judged(False)
def job_title(text: str) -> bool:
    return bool(_TITLE.search(text))


@judged(False)
def role_words_only(text: str) -> bool:
    """'Head Teacher', 'Practice Manager', 'School Office', 'IT Support': a role or a team."""
    words = [w.lower().strip(".,") for w in text.split() if not w.strip(".,").isdigit()]
    return bool(words) and all(w in _ROLE_WORDS for w in words)


@judged(False)
def department_only(text: str) -> bool:
    """'IT', 'Customer Services', 'Year 4 team': part of an organisation, no employer."""
    words = [w.lower().strip(".,") for w in _NUMBERS.sub("", text).split()]
    return bool(words) and all(w in _DEPARTMENT_WORDS or w in _JOINERS for w in words)


@judged(False)
def address(text: str) -> bool:
    """A line of a postal address: 'Oakfield Road, Leicester LE4 7QT', 'Hafenstraße 12'."""
    words = text.split()
    return bool(_POSTCODE.search(text)) or (
        bool(words) and bool(_ADDRESS.fullmatch(words[-1].strip(".,")))
    ) or bool(_HOUSE_NUMBER.match(text) and _ADDRESS.search(text)) or bool(
        _STREET_THEN_NUMBER.search(text)
    )


def clean(value: str) -> str:
    return _BLANKS.sub(" ", value).strip(" \t.,;:*_\"'()[]<>|–—-")[:200]


def called_name(value: str) -> str:
    """'W.J. (Willem) de Groot' → 'Willem de Groot'; 'Groot, W.J. de (Willem)' → 'Willem de
    Groot': the name the person goes by in place of their initials."""
    if "(" not in value:
        return value
    if last := _CALLED_NAME_LAST.match(value.strip()):
        particles = (last.group("particles") or "").strip()
        return " ".join(p for p in (last.group("given"), particles, last.group("surname").strip())
                        if p)
    return _CALLED_NAME.sub(lambda m: m.group("given"), value)


@judged(None)
def person(value: str, *, any_case: bool = False, prose: bool = False,
           displayed: bool = False) -> Verdict | None:
    """A person's full name, or None. `any_case`: typed into a field, where 'jo smith' is a
    name; `prose`: a name said in a sentence, where product names are common ('it's Sage')."""
    value = _without_post_nominals(clean(called_name(value)))
    if not value or any(ch.isdigit() for ch in value) or set(value) & _NEVER_IN_NAMES:
        return None
    words = value.split()
    bare = [w for w in words if w.lower().strip(".") not in _HONORIFICS] or words
    named = [w for w in bare if not (w.islower() and w in _PARTICLES)]
    if not 2 <= len(named) <= MAX_NAME_WORDS:
        return None
    lowered = [w.lower().strip(".") for w in bare]
    # a particle counts as one written in lower case ('Jordi Puig i Vila', 'Hans van 't Hof')
    particles = {i for i, w in enumerate(bare) if w.islower() and w.strip(".") in _PARTICLES}
    if any(not _NAME_WORD.fullmatch(w) for i, w in enumerate(bare) if i not in particles):
        return None
    # a display name is what the mail program calls them: a label word there is no label
    # ('Name R. John'), though 'Willow Class' is still no one
    refused = _NOT_NAME_DISPLAYED if displayed else _NOT_NAME
    if any(w in refused for i, w in enumerate(lowered) if i not in particles):
        return None
    if len(bare) - 1 in particles or 0 in particles:
        return None  # 'Maria de', 'van Dijk': a name neither ends nor opens with a particle
    capitalised = all(w[:1].isupper() or i in particles for i, w in enumerate(bare))
    if not capitalised and not (any_case and value.lower() == value):
        return None
    if legal_form(value) or _SCHOOL.search(value):
        return None
    if sum(w in _ROBOT for w in lowered) >= 2 or (prose and any(w in _PRODUCT for w in lowered)):
        return None
    if role_words_only(value):
        return None  # 'Head Teacher', 'Office Manager'
    surname_word = lowered[-1] in _SURNAME_WORDS
    if _POSTCODE.search(value) or (address(value) and not surname_word):
        return None
    if not surname_word and (_TITLE.fullmatch(lowered[-1]) or (
        _compound_organisation(lowered[-1]) and not _surname_like_compound(lowered[-1])
    )):
        return None  # 'Senior Recruitment Consultant', 'Jan Loodgietersbedrijf'
    inner = value if not surname_word else " ".join(bare[:-1])
    if _ORG_NOUN.search(inner):
        return None  # 'Greenleaf Housing Trust', 'Distribuciones Levante', 'Hotel Mirador'
    doubts = []
    if not capitalised:
        doubts.append("written in lower case")
    if len(bare[0].strip(".")) == 1 or _INITIALS.fullmatch(bare[0]):
        doubts.append("an initial for a first name")
    if _TITLE.search(value):
        doubts.append("a job title word in it")
    if lowered[0] in _ROLE_WORDS and lowered[0] not in _PARTICLES:
        doubts.append(f"'{bare[0]}' opens roles")
    if all(w.isupper() for w in bare):
        if all(len(w) <= 3 for w in bare):
            return None  # 'HRA XXX', 'IT HR': abbreviations
        doubts.append("all in capitals")
    if any(len(w.strip(".")) == 1 for w in bare[1:]) and len(bare) == 2:
        doubts.append("an initial for a surname")
    return Verdict(value, tuple(doubts))


@judged(None)
def organisation(value: str, *, placed: bool = False, any_case: bool = False
                 ) -> Verdict | None:
    """An organisation's name, or None. `placed`: the words stand where an organisation is
    written (a labelled field, the second piece of a 'name, organisation, number' line), so no
    organisation word is needed ('Riverside Infants' has one, 'Brightwater' has none)."""
    value = _TRAILING_BRACKET.sub("", clean(value))  # '… Academy (PE block)'
    words = value.split()
    while words and words[-1].lower() in _JOINERS:
        words.pop()
    while words and words[0].lower() in ("at", "from", "for", "with"):
        words.pop(0)
    # 'Sekretariat der Grundschule am Lindenpark': the office of it, the school
    while len(words) > 2 and words[0].lower() in _DEPARTMENT_WORDS and words[1].lower() in _JOINERS:
        words = words[2:]
    value = " ".join(words)
    if not value or set(value) & _NEVER_IN_NAMES or value.lower().startswith("www."):
        return None
    if all(w.lower() in _NOT_NAME for w in words):
        return None  # 'Ihnen', 'the office': no name
    if not any(ch.isalpha() for ch in value):
        return None
    if not any_case and not all(
        w[:1].isupper() or w[:1].isdigit() or w.lower() in _JOINERS or legal_form(w)
        or w[:1] in "&'(" or _SCHOOL.fullmatch(w) or _ORG_NOUN.fullmatch(w) for w in words
    ):
        return None  # a sentence, not a name: 'practice manager at Hillside on Moor Lane'

    if sum(ch.isdigit() for ch in value) >= 5 or len(words) > MAX_ORGANISATION_WORDS:
        return None
    if department_only(value) or role_words_only(value) or _POSTCODE.search(value) or (
        address(value) and _NUMBERS.search(value) and not legal_form(value)
    ):
        return None
    named = organisation_words(value)
    if not named and not placed:
        return None
    if not legal_form(value) and all(
        w.lower() in _JOINERS or _ORG_NOUN.fullmatch(w) or _SCHOOL.fullmatch(w)
        or (_compound_organisation(w.lower()) and len(words) == 1) for w in words
    ):
        return None  # 'Praxis', 'the School': a kind of organisation, not its name
    last = words[-1].lower().strip(".,")
    if (job_title(value) and not named) or (
        _TITLE.fullmatch(last) and not legal_form(value) and not _SCHOOL.fullmatch(last)
    ):
        return None  # 'Practice Manager', 'Trust Business Manager': a title, no employer
    if value.lower() in _POST_NOMINALS:
        return None  # 'CPA', 'AIA', 'FCA': letters after a name
    if not value[:1].isupper() and not value[:1].isdigit() and not placed and not any_case:
        return None
    doubts = []
    if not named and person(value) is not None:
        doubts.append("reads like a person's name")
    if value.lower() == value:
        doubts.append("written in lower case")
    if address(value):
        doubts.append("reads like an address")
    return Verdict(value, tuple(doubts))


@judged(None)
def display_person(display: str) -> Verdict | None:
    """A person's name from a From display name: 'Smith, Jane' is Jane Smith; a robot ('Mail
    Delivery System'), a role ('Head Teacher') or a team ('IT Support') is no one."""
    display = _BRACKETS.sub(" ", called_name(display.strip().strip("'\""))).strip()
    if "," in display:
        last, _, first = display.partition(",")
        if first.strip() and len(last.split()) <= 2 and len(first.split()) <= 3:
            display = f"{first.strip()} {last.strip()}"
    if any(w.lower() in ROLE_MAILBOX_WORDS for w in display.split()) and len(display.split()) <= 3:
        words = display.split()
        # 'Anthony Head', 'Sam Office': a role word last is a surname after a first name
        if not (len(words) >= 2 and words[0].lower() not in _ROLE_WORDS):
            return None
    return person(display, any_case=True, displayed=True)
