"""Record the details on the ticket: on a new ticket what was gathered, with the evidence for
each; on a follow-up from the requester, a detail the ticket lacked or one they correct."""

from __future__ import annotations

from parsing.answer import answer_details
from parsing.details import COMPANY, NAME, PHONE, extract_details
from parsing.phones import Phone
from parsing.reading.candidate import Candidate
from parsing.reading.layout import BODY
from parsing.reading.rules.display import RULE as DISPLAY_NAME
from tickets import history, pending
from tickets.contacts import ensure_company, learn_contact
from tickets.details import evidence_of, stated_in_own_words
from tickets.models import Contact, Ticket
from tickets.pipeline.context import Intake


def record_on_ticket(intake: Intake, ticket: Ticket) -> None:
    """Put the gathered details on a new ticket and the requester's contact; note the gaps,
    and attachments that were not stored (the acknowledgement tells the sender about both)."""
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
        if gathered.name and NAME in gathered.own and contact.source == "learned":
            contact.name = gathered.name  # what they typed beats a display name we learned
        ticket.requester_name = gathered.name or contact.name
        ticket.company_name = gathered.company or ticket.company_name
        if phone is not None:
            ticket.requester_phone, ticket.requester_phone_original = phone.e164, phone.original
        ticket.missing_details = list(gathered.missing(intake.policy.intake.required_details))
        ticket.details_read = dict(gathered.sources)
        ticket.unconfirmed_details = list(gathered.unconfirmed)
        if explained := gathered.explain():
            history.record(session, ticket, "note", f"details: {explained}", now)
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


def _corrections(intake: Intake) -> dict[str, Candidate]:
    """What the requester's reply states about themselves in its own words ('my number is …',
    'Name: …'), not what its signature or display name repeats."""
    found = intake.read or extract_details(intake.parsed, region=intake.policy.intake.phone_region)
    return {
        detail: candidate for detail, candidate in found.evidence.items()
        if detail in (NAME, COMPANY, PHONE) and stated_in_own_words(candidate, zones=(BODY,))
    }


def _read(ticket: Ticket, detail: str, candidate: Candidate) -> None:
    """Where a detail the requester's reply gave was read, beside what the ticket records
    already (none, on a ticket from before migration 0004)."""
    ticket.details_read = {**(ticket.details_read or {}),
                           detail: f"requester's reply: {evidence_of(candidate)}"}
    unconfirmed = [d for d in ticket.unconfirmed_details or [] if d != detail]
    ticket.unconfirmed_details = unconfirmed + ([] if candidate.confirmed else [detail])


def fill_from_follow_up(intake: Intake, ticket: Ticket) -> None:
    """The requester's reply may carry a detail their ticket lacks (the acknowledgement asked
    for it), or correct one it has ('my number is 07700 900 456'): put it on the ticket and
    their contact, and say so in the history."""
    if intake.is_staff or intake.automated:
        return
    session = intake.session
    requester = session.get(Contact, ticket.requester_id)
    if requester is None or requester.email != intake.sender:
        return
    missing = list(ticket.missing_details)
    changed: list[str] = []
    phone: Phone | None = None
    if missing:
        found = answer_details(intake.parsed, missing, intake.policy.intake.phone_region)
        answered = {d: c for d, c in found.evidence.items()
                    if d in missing and c.rule != DISPLAY_NAME}
        if NAME in answered:
            ticket.requester_name = found.name
            changed.append(f"name '{found.name}' supplied")
        if COMPANY in answered and found.company:
            ticket.company_name = found.company
            changed.append(f"company '{found.company}' supplied")
        if PHONE in answered and found.phones:
            phone = found.phones[0]
            ticket.requester_phone, ticket.requester_phone_original = phone.e164, phone.original
            changed.append(f"phone '{phone.original}' supplied")
        filled = [d for d in (NAME, COMPANY, PHONE) if any(c.startswith(d) for c in changed)]
        ticket.missing_details = [m for m in missing if m not in filled]
        for detail in filled:
            _read(ticket, detail, answered[detail])
    for detail, candidate in _corrections(intake).items():
        if detail in missing:
            continue
        if detail == NAME and candidate.value != ticket.requester_name:
            changed.append(f"name changed from '{ticket.requester_name}' to '{candidate.value}'")
            ticket.requester_name = candidate.value
        elif detail == COMPANY and candidate.value != ticket.company_name:
            changed.append(
                f"company changed from '{ticket.company_name}' to '{candidate.value}'")
            ticket.company_name = candidate.value
        elif detail == PHONE and candidate.value != ticket.requester_phone:
            changed.append(f"phone changed from '{ticket.requester_phone_original}' to "
                           f"'{candidate.original}'")
            phone = Phone(candidate.value, candidate.original, candidate.extension)
            ticket.requester_phone, ticket.requester_phone_original = phone.e164, phone.original
        else:
            continue
        _read(ticket, detail, candidate)
    if not changed:
        return
    company = None
    if any(c.startswith("company") for c in changed) and ticket.company_name:
        company = ensure_company(session, ticket.company_name)
    learn_contact(
        session, intake.sender, intake.now,
        name=ticket.requester_name if any(c.startswith("name") for c in changed) else "",
        company=company,
        phone=phone.e164 if phone else "", phone_original=phone.original if phone else "",
        corrected=any(" changed from " in c for c in changed),
    )
    history.record(
        session, ticket, "note", "details from the requester's reply: " + "; ".join(changed),
        intake.now, actor=intake.sender,
    )
