"""The details we read, as the customer is shown them so that they can correct them: on the
acknowledgement (the ticket's) and on the request for missing details (the held request's)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from parsing.details import COMPANY, NAME, PHONE
from tickets.models import Company, Contact, PendingRequest, Ticket


@dataclass(frozen=True, slots=True)
class Shown:
    detail: str  # name | company | phone: so the customer is told ('We already have: name …')
    value: str  # as the customer wrote it ('07700 900 456', not the E.164 number)
    check: bool = False  # read on weak evidence only: the customer is asked to check it


def on_ticket(session: Session, ticket: Ticket, requester: Contact | None) -> list[Shown]:
    """Name, company and call-back number as the ticket has them (the directory's where the
    ticket has none, as `tickets show` does), each marked when it is unconfirmed."""
    company = session.get(Company, ticket.company_id) if ticket.company_id else None
    values = {
        NAME: ticket.requester_name or (requester.name if requester else ""),
        COMPANY: ticket.company_name or (company.name if company else ""),
        PHONE: ticket.requester_phone_original or ticket.requester_phone or (
            (requester.phone_original or requester.phone) if requester else ""),
    }
    missing = set(ticket.missing_details or ())  # asked for instead
    return _shown({d: v for d, v in values.items() if d not in missing},
                  set(ticket.unconfirmed_details or ()))


def supplied(pending: PendingRequest) -> list[Shown]:
    """What the held request's first mail gave already."""
    given = pending.supplied or {}
    values = {
        NAME: given.get("name", ""),
        COMPANY: given.get("company", ""),
        PHONE: given.get("phone_original") or given.get("phone", ""),
    }
    return _shown(values, set(given.get("unconfirmed", "").split(",")))


def _shown(values: dict[str, str], unconfirmed: set[str]) -> list[Shown]:
    """Each detail that has a value, on one line, marked when it is unconfirmed."""
    return [Shown(d, " ".join(v.split()), d in unconfirmed) for d, v in values.items() if v.strip()]
