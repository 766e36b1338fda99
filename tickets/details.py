"""The four details of a request, gathered from the mail and from what the desk already knows.

Order of trust (issue 3): what the customer typed (labelled lines, prose) → the contact directory
(imported or learned from earlier tickets) → the company mapped to the sender's domain in config
→ the signature block → the From display name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from parsing.details import COMPANY, DESCRIPTION, NAME, PHONE, Details, has_description
from parsing.phones import Phone
from tickets.models import Company, Contact, Ticket

if TYPE_CHECKING:
    from tickets.pipeline.context import Intake

TYPED = ("labelled", "prose")


@dataclass(frozen=True, slots=True)
class Gathered:
    name: str = ""
    company: str = ""
    phones: tuple[Phone, ...] = ()
    description: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # detail -> where it came from

    @property
    def phone(self) -> Phone | None:
        return self.phones[0] if self.phones else None

    def missing(self, required: tuple[str, ...]) -> tuple[str, ...]:
        present = {
            NAME: bool(self.name),
            COMPANY: bool(self.company),
            PHONE: bool(self.phones),
            DESCRIPTION: has_description(self.description),
        }
        return tuple(kind for kind in required if not present.get(kind, True))


def gather(
    details: Details, *, contact: Contact | None, company: Company | None
) -> Gathered:
    sources: dict[str, str] = {}
    name = details.name
    if name and details.name_source in TYPED:
        sources[NAME] = details.name_source
    elif contact is not None and contact.name:
        name, sources[NAME] = contact.name, "contact directory"
    elif name:
        sources[NAME] = details.name_source
    company_name = details.company
    if company_name and details.company_source in TYPED:
        sources[COMPANY] = details.company_source
    elif company is not None:
        known = contact is not None and contact.company_id == company.id
        company_name = company.name
        sources[COMPANY] = "contact directory" if known else "sender's domain or mailbox"
    elif company_name:
        sources[COMPANY] = details.company_source
    phones = details.phones
    if phones:
        sources[PHONE] = "mail"
    elif contact is not None and contact.phone:
        phones = (Phone(contact.phone, contact.phone_original or contact.phone),)
        sources[PHONE] = "contact directory"
    if has_description(details.description):
        sources[DESCRIPTION] = "mail"
    return Gathered(
        name=name,
        company=company_name,
        phones=phones,
        description=details.description,
        sources=sources,
    )


def merge(first: Gathered, answer: Details) -> Gathered:
    """A held request completed by the sender's answer: the answer fills what was missing."""
    sources = dict(first.sources)
    name, company, phones = first.name, first.company, first.phones
    if answer.name and (not name or answer.name_source in TYPED):
        name, sources[NAME] = answer.name, f"answer ({answer.name_source})"
    if answer.company and (not company or answer.company_source in TYPED):
        company, sources[COMPANY] = answer.company, f"answer ({answer.company_source})"
    if answer.phones:
        known = {p.e164 for p in answer.phones}
        phones = (*answer.phones, *(p for p in phones if p.e164 not in known))
        sources[PHONE] = "answer"
    description = first.description
    if not has_description(description) and has_description(answer.description):
        description, sources[DESCRIPTION] = answer.description, "answer"
    return Gathered(name, company, phones, description, sources)


def record_on_ticket(intake: Intake, ticket: Ticket) -> None:
    """Put the gathered details on a new ticket and the requester's contact; note the gaps,
    and attachments that were not stored (the acknowledgement tells the sender about both)."""
    from tickets import history, pending
    from tickets.contacts import ensure_company, learn_contact

    session, now = intake.session, intake.now
    gathered = intake.details
    if gathered is not None:
        if gathered.description:
            ticket.description = gathered.description
        company = intake.company
        if company is None and gathered.company:
            company = ensure_company(session, gathered.company)
            ticket.company_id = company.id
        phone = gathered.phone
        contact = learn_contact(
            session, intake.sender, now, name=gathered.name, company=company,
            phone=phone.e164 if phone else "", phone_original=phone.original if phone else "",
        )
        typed = gathered.sources.get(NAME, "").startswith(("labelled", "prose", "answer"))
        if gathered.name and typed and contact.source == "learned":
            contact.name = gathered.name  # what they typed beats a display name we learned
        ticket.requester_name = gathered.name or contact.name
        ticket.company_name = gathered.company or ticket.company_name
        if phone is not None:
            ticket.requester_phone, ticket.requester_phone_original = phone.e164, phone.original
        ticket.missing_details = list(gathered.missing(intake.policy.intake.required_details))
        if len(gathered.phones) > 1:
            others = ", ".join(p.original for p in gathered.phones[1:])
            history.record(session, ticket, "note", f"other call-back numbers: {others}", now)
        if ticket.missing_details:
            history.record(
                session, ticket, "note",
                "details missing from the request: " + ", ".join(ticket.missing_details), now,
            )
    skipped = [a for a in intake.parsed.attachments if a.skipped_reason]
    for item in skipped:
        history.record(
            session, ticket, "note", f"attachment {item.filename}: {item.skipped_reason}", now
        )
    for event in intake.events:
        if event.kind == "ticket_created" and event.ticket_id == ticket.id:
            event.data["skipped_attachments"] = [a.filename for a in skipped]
    if intake.pending is not None:
        pending.complete(intake, ticket)


def fill_from_follow_up(intake: Intake, ticket: Ticket) -> None:
    """The requester's reply may carry a detail their ticket lacks (the acknowledgement asked
    for it): put it on the ticket and their contact."""
    from parsing.answer import answer_details
    from parsing.phones import Phone as _Phone
    from tickets import history
    from tickets.contacts import learn_contact

    if not ticket.missing_details or intake.is_staff or intake.automated:
        return
    requester = intake.session.get(Contact, ticket.requester_id)
    if requester is None or requester.email != intake.sender:
        return
    missing = list(ticket.missing_details)
    found = answer_details(intake.parsed, missing, intake.policy.intake.phone_region)
    filled: list[str] = []
    phone: _Phone | None = None
    if NAME in missing and found.name and found.name_source != "display name":
        ticket.requester_name = found.name
        filled.append(NAME)
    if COMPANY in missing and found.company:
        ticket.company_name = found.company
        filled.append(COMPANY)
    if PHONE in missing and found.phones:
        phone = found.phones[0]
        ticket.requester_phone, ticket.requester_phone_original = phone.e164, phone.original
        filled.append(PHONE)
    if not filled:
        return
    ticket.missing_details = [m for m in missing if m not in filled]
    learn_contact(
        intake.session, intake.sender, intake.now,
        name=ticket.requester_name if NAME in filled else "",
        phone=phone.e164 if phone else "", phone_original=phone.original if phone else "",
    )
    history.record(
        intake.session, ticket, "note",
        "details supplied by the requester's reply: " + ", ".join(filled), intake.now,
        actor=intake.sender,
    )
