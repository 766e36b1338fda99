"""`mailgate contacts forget ADDRESS`: erase a person (GDPR article 17), keeping the tickets.

Every ticket they requested is anonymised: the requester's name, phone, company as read and
details read are cleared, the ticket is linked to the anonymised contact, their message bodies
(and the description taken from them) are emptied, and the raw mail, copies of sent mail and
the attachments they sent are removed. Where they only took part (copied, or wrote on someone
else's ticket) their address is dropped from the lists, their own messages emptied and the raw
mail that named them removed. Their name, numbers and address are taken out of what remains of
those tickets' text. Requests of theirs held for details are dropped, so is mail still queued to
them, and so is their contact record. Each ticket's history says what was erased, not whose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from tickets import history
from tickets.desk import DeskPolicy
from tickets.models import Contact, HistoryEvent, PendingRequest, Ticket, TicketMessage
from tickets.redaction import Redactor
from tickets.scrub import (
    SETTLED,
    anonymised_contact,
    clear_attachments,
    clear_raw,
    clear_sent_mail,
    inbound_ids_of,
    inbound_t,
    json_mentions,
    outbox_ids_of,
    outbox_t,
    redact_inbound,
    redact_outbox,
    redact_ticket,
)

ACTOR = "erasure"
ERASED = "(erased on request)"  # what is left of a message of theirs


@dataclass
class ForgetReport:
    contact_deleted: bool = False
    requested: list[str] = field(default_factory=list)  # references anonymised
    took_part: list[str] = field(default_factory=list)  # other tickets they were removed from
    bodies: int = 0  # their messages emptied
    raw_mail: int = 0  # raw mails and copies of sent mail removed
    attachments: int = 0
    pending_dropped: int = 0
    queued_dropped: int = 0
    other_mail: int = 0  # stored mail from them on no ticket (screened, quarantined)

    @property
    def empty(self) -> bool:
        return not (self.contact_deleted or self.requested or self.took_part or self.bodies
                    or self.raw_mail or self.attachments or self.pending_dropped
                    or self.queued_dropped or self.other_mail)


def tickets_about(session: Session, address: str) -> tuple[list[Ticket], list[Ticket]]:
    """(tickets they requested, other tickets that hold their address) — by id."""
    address = address.lower()
    contact = session.execute(select(Contact).where(Contact.email == address)).scalars().first()  # type: ignore[arg-type]
    requested = list(session.execute(
        select(Ticket).where(Ticket.requester_id == contact.id).order_by(Ticket.id)  # type: ignore[arg-type]
    ).scalars().all()) if contact is not None else []
    mentioned = {
        *session.execute(select(TicketMessage.ticket_id).where(or_(  # type: ignore[call-overload]
            func.lower(TicketMessage.from_addr) == address,
            json_mentions(TicketMessage.to, address), json_mentions(TicketMessage.cc, address),
            func.lower(TicketMessage.body).contains(address, autoescape=True),
            func.lower(TicketMessage.full_body).contains(address, autoescape=True),
        ))).scalars().all(),
        *session.execute(select(Ticket.id).where(or_(  # type: ignore[call-overload]
            json_mentions(Ticket.cc, address),
            func.lower(Ticket.description).contains(address, autoescape=True),
        ))).scalars().all(),
        *session.execute(select(HistoryEvent.ticket_id).where(or_(  # type: ignore[call-overload]
            func.lower(HistoryEvent.actor) == address,
            func.lower(HistoryEvent.detail).contains(address, autoescape=True),
        ))).scalars().all(),
        *session.execute(select(outbox_t.c.ticket_id).where(
            outbox_t.c.ticket_id.is_not(None),
            or_(func.lower(outbox_t.c.to_addr) == address,
                json_mentions(outbox_t.c.recipients, address)),
        )).scalars().all(),
    }
    mentioned -= {t.id for t in requested}
    others = [session.get(Ticket, i) for i in sorted(i for i in mentioned if i is not None)]
    return requested, [t for t in others if t is not None]


def forget(session: Session, policy: DeskPolicy, address: str, now: datetime) -> ForgetReport:
    """Erase `address` (the caller commits)."""
    address = address.lower()
    report = ForgetReport()
    contact = session.execute(select(Contact).where(Contact.email == address)).scalars().first()  # type: ignore[arg-type]
    requested, others = tickets_about(session, address)
    redactor = Redactor(addresses={address}, region=policy.intake.phone_region)
    if contact is not None:
        redactor.add_names([contact.name])
        redactor.add_phones([contact.phone, contact.phone_original])
    for ticket in requested:
        redactor.add_names([ticket.requester_name])
        redactor.add_phones([ticket.requester_phone, ticket.requester_phone_original])
    redactor.add_names(session.execute(
        select(TicketMessage.from_name).where(func.lower(TicketMessage.from_addr) == address)  # type: ignore[call-overload]
    ).scalars().all())
    pending = session.execute(
        select(PendingRequest).where(func.lower(PendingRequest.email) == address)  # type: ignore[arg-type]
    ).scalars().all()
    for row in pending:
        redactor.add_names([(row.supplied or {}).get("name", "")])
        redactor.add_phones([(row.supplied or {}).get("phone", "")])

    # before the tickets are redacted: that blanks the recipients this finds the rows by
    _drop_queued_mail(session, address, redactor, report)
    for ticket in requested:
        _erase_requester(session, ticket, address, now, report)
        redact_ticket(session, ticket, redactor)
        report.requested.append(ticket.reference)
    for ticket in others:
        _erase_participant(session, ticket, address, redactor, now, report)
        redact_ticket(session, ticket, redactor)
        report.took_part.append(ticket.reference)
    session.flush()
    for ticket in requested:
        history.record(session, ticket, "erased", "the requester's personal data erased on "
                       "request (GDPR article 17): name, address, phone, their messages, raw "
                       "mail and attachments", now, ACTOR)
    for ticket in others:
        history.record(session, ticket, "erased", "a participant's personal data erased on "
                       "request (GDPR article 17): their address, name and number, messages "
                       "of theirs and raw mail naming them", now, ACTOR)
    _drop_pending(session, pending, redactor, report)
    _erase_loose_mail(session, address, redactor, report)
    if contact is not None:
        session.delete(contact)
        report.contact_deleted = True
    session.flush()
    return report


def _erase_requester(
    session: Session, ticket: Ticket, address: str, now: datetime, report: ForgetReport
) -> None:
    assert ticket.id is not None
    ticket.requester_name = ticket.requester_phone = ticket.requester_phone_original = ""
    ticket.company_name, ticket.description = "", ""
    ticket.details_read, ticket.unconfirmed_details = {}, []
    ticket.requester_id = anonymised_contact(session, now).id  # type: ignore[assignment]
    report.bodies += _empty_their_messages(session, ticket, address, now, report)
    report.raw_mail += clear_raw(session, inbound_ids_of(session, ticket.id))
    report.raw_mail += clear_sent_mail(session, outbox_ids_of(session, ticket.id))


def _erase_participant(
    session: Session, ticket: Ticket, address: str, redactor: Redactor, now: datetime,
    report: ForgetReport,
) -> None:
    """Their messages emptied; the raw mail of every message that names them removed (its
    text is redacted afterwards, the bytes cannot be)."""
    report.bodies += _empty_their_messages(session, ticket, address, now, report)
    messages = session.execute(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)  # type: ignore[arg-type]
    ).scalars().all()
    named = [
        m for m in messages
        if address in {a.lower() for a in (*m.to, *m.cc, m.from_addr)}
        or any(redactor.text(text) != text for text in (m.subject, m.full_body, m.body))
    ]
    report.raw_mail += clear_raw(session, [m.inbound_id for m in named if m.inbound_id])
    report.raw_mail += clear_sent_mail(session, [m.outbox_id for m in named if m.outbox_id])


def _empty_their_messages(
    session: Session, ticket: Ticket, address: str, now: datetime, report: ForgetReport
) -> int:
    theirs = [m for m in session.execute(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)  # type: ignore[arg-type]
    ).scalars().all() if m.from_addr.lower() == address]
    emptied = 0
    for message in theirs:
        emptied += 1
        message.body = message.full_body = ERASED
    report.attachments += clear_attachments(
        session, [m.id for m in theirs if m.id is not None], f"erased {now:%Y-%m-%d} on request"
    )
    report.raw_mail += clear_raw(session, [m.inbound_id for m in theirs if m.inbound_id])
    return emptied


def _drop_pending(
    session: Session, pending: list[PendingRequest], redactor: Redactor, report: ForgetReport
) -> None:
    """Held requests are theirs alone: deleted, with the raw mail they held."""
    redact_inbound(session, [row.inbound_id for row in pending], redactor)
    for row in pending:
        report.raw_mail += clear_raw(session, [row.inbound_id])
        session.execute(update(inbound_t).where(inbound_t.c.id == row.inbound_id)
                        .where(inbound_t.c.state == "held")
                        .values(state="erased", reason="erased on request"))
        session.delete(row)
        report.pending_dropped += 1


def _drop_queued_mail(
    session: Session, address: str, redactor: Redactor, report: ForgetReport
) -> None:
    """Mail still to be sent to them, or naming them in its subject (the staff alert about a
    flooding sender), is not sent; copies of what was sent are removed."""
    rows = session.execute(
        select(outbox_t.c.id, outbox_t.c.state, outbox_t.c.to_addr, outbox_t.c.recipients,
               outbox_t.c.subject)
        .where(or_(func.lower(outbox_t.c.to_addr) == address,
                   json_mentions(outbox_t.c.recipients, address),
                   func.lower(outbox_t.c.subject).contains(address, autoescape=True)))
    ).all()
    ours = [r for r in rows
            if address in {a.lower() for a in (r.to_addr, *(r.recipients or []))}
            or address in (r.subject or "").lower()]
    queued = [r.id for r in ours if r.state not in SETTLED]
    if queued:
        session.execute(update(outbox_t).where(outbox_t.c.id.in_(queued))
                        .values(state="dropped", raw=b"", last_error="dropped: erased on request"))
        report.queued_dropped += len(queued)
    report.raw_mail += clear_sent_mail(session, [r.id for r in ours if r.state in SETTLED])
    redact_outbox(session, [r.id for r in ours], redactor)


def _erase_loose_mail(
    session: Session, address: str, redactor: Redactor, report: ForgetReport
) -> None:
    """Mail from them that is on no ticket (screened, quarantined, not yet processed)."""
    ids = session.execute(
        select(inbound_t.c.id).where(func.lower(inbound_t.c.envelope_from) == address,
                                     inbound_t.c.ticket_id.is_(None))
    ).scalars().all()
    cleared = clear_raw(session, ids)
    report.other_mail += cleared
    if ids:
        session.execute(update(inbound_t).where(inbound_t.c.id.in_(ids),
                                                inbound_t.c.state.in_(("received", "quarantined",
                                                                       "screened", "held")))
                        .values(state="erased", reason="erased on request"))
        redact_inbound(session, ids, redactor)

