"""`mailgate purge`: remove what `[retention]` no longer allows the desk to keep.

A closed ticket loses its raw mail (incoming and sent) and its attachments `raw_mail_days`
after it was closed, and its personal details `personal_details_days` after: the requester's
name, phone, company as read, the details read and every address but the desk's and its staff's;
names, numbers and addresses are taken out of its text, and it is linked to an anonymised
contact. Removing personal details removes the raw mail too (it holds them). The ticket stays,
and its history says what was removed and when. A learned contact no ticket names any more is
deleted once its own period has passed; an imported directory entry is the desk's to keep.
Mail on no ticket is purged by `tickets.purge_loose`.

Each step looks at what is still stored, so a second run finds nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session

from tickets import history
from tickets.desk import DeskPolicy
from tickets.models import (
    Company,
    Contact,
    HistoryEvent,
    PendingRequest,
    Ticket,
    TicketMessage,
)
from tickets.purge_loose import purge_loose_mail
from tickets.redaction import Redactor
from tickets.retention import Kept, Retention
from tickets.scrub import (
    SETTLED,
    anonymised_contact,
    attachment_t,
    clear_attachments,
    clear_raw,
    clear_sent_mail,
    inbound_ids_of,
    inbound_t,
    message_ids_of,
    message_t,
    outbox_ids_of,
    outbox_t,
    redact_ticket,
)

ACTOR = "retention"


@dataclass
class PurgeReport:
    raw_mail: dict[str, int] = field(default_factory=dict)  # reference -> mails removed
    attachments: dict[str, int] = field(default_factory=dict)  # reference -> attachments
    anonymised: list[str] = field(default_factory=list)  # references
    contacts: int = 0  # contact records deleted
    loose: int = 0  # stored mails on no ticket removed (tickets.purge_loose)
    resume_after: int | None = None  # stopped at the limit: tickets after this id may be due

    def add(self, other: PurgeReport) -> None:
        self.raw_mail.update(other.raw_mail)
        self.attachments.update(other.attachments)
        self.anonymised += other.anonymised
        self.contacts += other.contacts
        self.loose += other.loose
        self.resume_after = other.resume_after

    @property
    def empty(self) -> bool:
        return not (self.raw_mail or self.attachments or self.anonymised or self.contacts
                    or self.loose)


def purge(
    session: Session, policy: DeskPolicy, retention: Retention, now: datetime,
    limit: int | None = None, after_id: int = 0,
) -> PurgeReport:
    """Purge what is due at `now` on tickets after `after_id`, at most `limit` of them (then
    `resume_after` says where to go on); the caller commits, or rolls back for a dry run."""
    report = PurgeReport()
    shortest = retention.shortest_days()
    if shortest is None:
        return report
    latest_close = now - timedelta(days=shortest)
    companies: dict[int, str] = {
        row.id: row.name for row in session.execute(select(Company.id, Company.name)).all()  # type: ignore[call-overload]
    }
    closed = select(Ticket.id).where(Ticket.closed_at <= latest_close, Ticket.id > after_id)  # type: ignore[call-overload, operator]
    # anonymised by retention already (its history says so); a ticket whose requester was
    # only forgotten on request still holds others' details, so it is still due
    anonymised = set(session.execute(
        select(HistoryEvent.ticket_id).where(HistoryEvent.kind == "anonymised",  # type: ignore[call-overload]
                                             HistoryEvent.ticket_id.in_(closed))  # type: ignore[attr-defined]
    ).scalars().all())
    with_mail = _tickets_with_stored_mail(session, closed)
    rows = session.execute(
        select(Ticket.id, Ticket.reference, Ticket.company_id, Ticket.closed_at)  # type: ignore[call-overload]
        .where(Ticket.id.in_(closed))  # type: ignore[union-attr]
        .order_by(Ticket.id)
    ).all()
    done = 0
    for ticket_id, reference, company_id, closed_at in rows:
        if limit is not None and done >= limit:
            report.resume_after = ticket_id - 1
            return report
        kept = retention.for_company(companies.get(company_id) if company_id else None)
        personal_due = kept.personal_details_due(closed_at, now)
        if personal_due and ticket_id not in anonymised:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            _remove_stored_mail(session, ticket, kept.personal_details_days, now, report)
            _anonymise(session, policy, ticket, kept, now)
            report.anonymised.append(reference)
            done += 1
        elif ticket_id in with_mail and (personal_due or kept.raw_mail_due(closed_at, now)):
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            days = (kept.raw_mail_days if kept.raw_mail_due(closed_at, now)
                    else kept.personal_details_days)
            _remove_stored_mail(session, ticket, days, now, report)
            done += 1
    report.contacts = _forgotten_contacts(session, retention, companies, now)
    report.loose = purge_loose_mail(session, retention, now)
    return report


def _tickets_with_stored_mail(session: Session, closed: Select[Any]) -> set[int]:
    """Those of the `closed` tickets that still hold raw mail, attachments or copies of sent
    mail."""
    queries = [
        select(inbound_t.c.ticket_id).where(inbound_t.c.ticket_id.in_(closed),
                                            func.length(inbound_t.c.raw) > 0),
        select(message_t.c.ticket_id).join(inbound_t, inbound_t.c.id == message_t.c.inbound_id)
        .where(message_t.c.ticket_id.in_(closed), func.length(inbound_t.c.raw) > 0),
        select(message_t.c.ticket_id)
        .join(attachment_t, attachment_t.c.ticket_message_id == message_t.c.id)
        .where(message_t.c.ticket_id.in_(closed), attachment_t.c.content.is_not(None)),
        select(outbox_t.c.ticket_id).where(outbox_t.c.ticket_id.in_(closed),
                                           outbox_t.c.state.in_(SETTLED),
                                           func.length(outbox_t.c.raw) > 0),
        select(PendingRequest.ticket_id)  # type: ignore[call-overload]
        .join(inbound_t, inbound_t.c.id == PendingRequest.inbound_id)
        .where(PendingRequest.ticket_id.in_(closed), func.length(inbound_t.c.raw) > 0),  # type: ignore[union-attr]
    ]
    found: set[int] = set()
    for query in queries:
        found.update(session.execute(query.distinct()).scalars().all())
    return found


def _remove_stored_mail(
    session: Session, ticket: Ticket, days: int | None, now: datetime, report: PurgeReport
) -> None:
    assert ticket.id is not None
    mails = clear_raw(session, inbound_ids_of(session, ticket.id))
    mails += clear_sent_mail(session, outbox_ids_of(session, ticket.id))
    files = clear_attachments(session, message_ids_of(session, ticket.id),
                              f"removed {now:%Y-%m-%d} (retention)")
    if not mails and not files:
        return
    if mails:
        report.raw_mail[ticket.reference] = mails
    if files:
        report.attachments[ticket.reference] = files
    history.record(
        session, ticket, "purged",
        f"raw mail of {mails} message(s) and {files} attachment(s) removed, "
        f"{days} days after the ticket was closed ([retention])", now, ACTOR,
    )


def _anonymise(
    session: Session, policy: DeskPolicy, ticket: Ticket, kept: Kept, now: datetime
) -> None:
    """Every personal detail out of the ticket: fields cleared, text redacted, requester
    replaced by the anonymised contact."""
    redactor = Redactor(
        all_addresses=True, all_phones=True, region=policy.intake.phone_region,
        keep_address=lambda a: policy.is_own_address(a) or policy.is_staff(a),
    )
    requester = session.get(Contact, ticket.requester_id)
    if requester is not None:
        redactor.add_names([requester.name])
        redactor.add_phones([requester.phone, requester.phone_original])
    redactor.add_names([ticket.requester_name])
    redactor.add_phones([ticket.requester_phone, ticket.requester_phone_original])
    senders = session.execute(
        select(TicketMessage.from_name, TicketMessage.from_addr)  # type: ignore[call-overload]
        .where(TicketMessage.ticket_id == ticket.id)
    ).all()
    redactor.add_names(name for name, address in senders if redactor.removes_address(address))
    for pending in session.execute(
        select(PendingRequest.supplied).where(PendingRequest.ticket_id == ticket.id)  # type: ignore[call-overload]
    ).scalars().all():
        redactor.add_names([(pending or {}).get("name", "")])
        redactor.add_phones([(pending or {}).get("phone", "")])
    ticket.requester_name = ticket.requester_phone = ticket.requester_phone_original = ""
    ticket.company_name = ""
    ticket.details_read, ticket.unconfirmed_details = {}, []
    ticket.requester_id = anonymised_contact(session, now).id  # type: ignore[assignment]
    redact_ticket(session, ticket, redactor)
    session.flush()
    history.record(
        session, ticket, "anonymised",
        "personal details removed (requester's name, phone, company as read, addresses, "
        f"contact link), {kept.personal_details_days} days after the ticket was closed "
        "([retention])", now, ACTOR,
    )


def _forgotten_contacts(
    session: Session, retention: Retention, companies: dict[int, str], now: datetime
) -> int:
    """Learned contacts no ticket names, untouched for their personal-details period."""
    session.flush()
    unused = session.execute(
        select(Contact).where(
            Contact.source == "learned",  # type: ignore[arg-type]
            ~Contact.id.in_(select(Ticket.requester_id)),  # type: ignore[union-attr]
        )
    ).scalars().all()
    deleted = 0
    for contact in unused:
        company = companies.get(contact.company_id) if contact.company_id else None
        if retention.for_company(company).personal_details_due(contact.updated_at, now):
            session.delete(contact)
            deleted += 1
    session.flush()
    return deleted
