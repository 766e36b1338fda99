"""The four details of a request, gathered from the mail and from what the desk already knows.

The mail's candidates (parsing.reading) meet the desk's own evidence here: the contact
directory (imported or learned from earlier tickets) and the company mapped to the sender's
domain in config. Both are candidates like any other, at strength KNOWN, and the precedence
table of parsing.reading.choose decides: what the customer typed or said beats the records,
the records beat a signature and a display name. A call-back number is the exception: any
number the mail gives beats the directory's, which serves only when the mail gives none
(people write the number they can be reached on today).
"""

from __future__ import annotations

from parsing.details import COMPANY, DESCRIPTION, NAME, PHONE, Details, has_description
from parsing.phones import Phone
from parsing.reading.candidate import KNOWN, STATED, Candidate
from parsing.reading.choose import OWN_WORDS, choose
from parsing.reading.layout import BODY
from tickets.gathered import Gathered
from tickets.models import Company, Contact

DIRECTORY, DOMAIN = "contact directory", "sender's company domain"


def evidence_of(candidate: Candidate) -> str:
    """'signature ('Jane Doe | Practice Manager')', with what speaks against it if anything:
    'display name, doubted: a job title word in it'."""
    text = candidate.text if candidate.text and candidate.text != candidate.value else ""
    said = candidate.rule + (f" ('{text[:80]}')" if text else "")
    return said + (f", doubted: {', '.join(candidate.doubts)}" if candidate.doubts else "")


def gather(details: Details, *, contact: Contact | None, company: Company | None) -> Gathered:
    candidates = list(details.evidence.values())
    if contact is not None and contact.name:
        candidates.append(Candidate(NAME, contact.name, DIRECTORY, KNOWN, contact.email, -1))
    if company is not None:
        known = contact is not None and contact.company_id == company.id
        candidates.append(Candidate(COMPANY, company.name, DIRECTORY if known else DOMAIN,
                                    KNOWN, "", -1))
    phones = details.phones
    if not phones and contact is not None and contact.phone:
        phones = (Phone(contact.phone, contact.phone_original or contact.phone),)
        candidates.append(Candidate(PHONE, contact.phone, DIRECTORY, KNOWN, "", -1))
    chosen = {d: c for d in (NAME, COMPANY, PHONE) if (c := choose(candidates, d)) is not None}
    sources = {d: evidence_of(c) for d, c in chosen.items()}
    if has_description(details.description):
        sources[DESCRIPTION] = "mail"
    return Gathered(
        name=chosen[NAME].value if NAME in chosen else "",
        company=chosen[COMPANY].value if COMPANY in chosen else "",
        phones=phones,
        description=details.description,
        sources=sources,
        unconfirmed=tuple(d for d, c in chosen.items() if not c.confirmed),
        own=tuple(d for d, c in chosen.items() if c.rule in OWN_WORDS),
    )


def _answered(found: Candidate) -> str:
    """'answer: labelled field ('Name: Jo Bell')', or just 'answer' for a bare piece."""
    return "answer" if found.rule == "answer" else f"answer: {evidence_of(found)}"


def stated_in_own_words(found: Candidate, zones: tuple[str, ...] = ("", BODY)) -> bool:
    """The sender states the detail of themselves, in their own words, in the body ('my
    number is …', 'Name: …'): what may correct a detail, where a signature repeating the
    office number or a display name corrects nothing."""
    return found.rule in OWN_WORDS and found.zone in zones and found.strength >= STATED


def _takes(found: Candidate | None, current: object) -> bool:
    """The answer fills a detail still missing, and corrects one only in the sender's own
    words in the body."""
    if found is None:
        return False
    return not current or stated_in_own_words(found)


def merge(first: Gathered, answer: Details) -> Gathered:
    """A held request completed by the sender's answer: the answer fills what was missing and
    corrects what they state again in its own words."""
    sources = dict(first.sources)
    unconfirmed, own = set(first.unconfirmed), set(first.own)
    name, company, phones = first.name, first.company, first.phones
    for detail in (NAME, COMPANY):
        found = answer.evidence.get(detail)
        value = answer.name if detail == NAME else answer.company
        if value and found is not None and _takes(found, name if detail == NAME else company):
            if detail == NAME:
                name = value
            else:
                company = value
            sources[detail] = _answered(found)
            if found.confirmed:
                unconfirmed.discard(detail)
            else:
                unconfirmed.add(detail)  # 'Brightwater', the one piece left in the answer
            if found.rule in OWN_WORDS:
                own.add(detail)
    if answer.phones and _takes(answer.evidence.get(PHONE), phones):
        known = {p.e164 for p in answer.phones}
        phones = (*answer.phones, *(p for p in phones if p.e164 not in known))
        sources[PHONE] = _answered(answer.evidence[PHONE])
        unconfirmed.discard(PHONE)
    description = first.description
    if not has_description(description) and has_description(answer.description):
        description, sources[DESCRIPTION] = answer.description, "answer"
    return Gathered(name, company, phones, description, sources, tuple(sorted(unconfirmed)),
                    tuple(sorted(own)))
