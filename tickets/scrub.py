"""Remove stored mail and personal details from a ticket, keeping the ticket itself.

Shared by retention (`tickets.purge`) and erasure (`tickets.erasure`). Blob columns (raw mail,
attachments, sent mail) are changed with Core statements that never read them back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import String, cast, func, or_, select, update
from sqlmodel import Session

from tickets.models import (
    Contact,
    HistoryEvent,
    InboundMessage,
    Outbox,
    PendingRequest,
    StoredAttachment,
    Ticket,
    TicketMessage,
)
from tickets.redaction import Redactor

# The requester of an anonymised ticket. `.invalid` is reserved (RFC 2606): no mail can reach
# it, and notify never writes to it.
ANONYMISED_EMAIL = "anonymised@anonymised.invalid"
ANONYMISED_NAME = "(anonymised)"
# sent mail: what is still to go (pending, sending) is left alone; `suppressed` (mail an
# import kept but never sends) is settled too
SETTLED = ("sent", "failed", "dropped", "suppressed")

inbound_t = InboundMessage.__table__  # type: ignore[attr-defined]
attachment_t = StoredAttachment.__table__  # type: ignore[attr-defined]
outbox_t = Outbox.__table__  # type: ignore[attr-defined]
message_t = TicketMessage.__table__  # type: ignore[attr-defined]


def is_anonymised(address: str) -> bool:
    return address.lower().endswith(".invalid")


def anonymised_contact(session: Session, now: datetime) -> Contact:
    contact = session.execute(
        select(Contact).where(Contact.email == ANONYMISED_EMAIL)  # type: ignore[arg-type]
    ).scalars().first()
    if contact is None:
        contact = Contact(email=ANONYMISED_EMAIL, name=ANONYMISED_NAME, source="anonymised",
                          created_at=now, updated_at=now)
        session.add(contact)
        session.flush()
    return contact


def json_mentions(column: object, address: str) -> object:
    """A JSON list column that may hold `address` (checked again in Python)."""
    return func.lower(cast(column, String)).contains(address.lower(), autoescape=True)


def inbound_ids_of(session: Session, ticket_id: int) -> list[int]:
    """The incoming mail of a ticket: on it, in its conversation, or the request it held."""
    rows = session.execute(
        select(inbound_t.c.id).where(or_(
            inbound_t.c.ticket_id == ticket_id,
            inbound_t.c.id.in_(select(message_t.c.inbound_id)
                               .where(message_t.c.ticket_id == ticket_id)),
            inbound_t.c.id.in_(select(PendingRequest.inbound_id)  # type: ignore[call-overload]
                               .where(PendingRequest.ticket_id == ticket_id)),
        ))
    ).scalars().all()
    return sorted(rows)


def clear_raw(session: Session, inbound_ids: Iterable[int]) -> int:
    """Raw mail removed from these inbound rows; how many still had it."""
    ids = list(inbound_ids)
    if not ids:
        return 0
    result = session.execute(
        update(inbound_t).where(inbound_t.c.id.in_(ids), func.length(inbound_t.c.raw) > 0)
        .values(raw=b"")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def clear_attachments(session: Session, message_ids: Iterable[int], why: str) -> int:
    ids = list(message_ids)
    if not ids:
        return 0
    result = session.execute(
        update(attachment_t)
        .where(attachment_t.c.ticket_message_id.in_(ids), attachment_t.c.content.is_not(None))
        .values(content=None, skipped_reason=why)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def clear_sent_mail(session: Session, outbox_ids: Iterable[int]) -> int:
    ids = list(outbox_ids)
    if not ids:
        return 0
    result = session.execute(
        update(outbox_t).where(outbox_t.c.id.in_(ids), outbox_t.c.state.in_(SETTLED),
                               func.length(outbox_t.c.raw) > 0)
        .values(raw=b"")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def message_ids_of(session: Session, ticket_id: int) -> list[int]:
    return list(session.execute(
        select(message_t.c.id).where(message_t.c.ticket_id == ticket_id)
    ).scalars().all())


def outbox_ids_of(session: Session, ticket_id: int) -> list[int]:
    return list(session.execute(
        select(outbox_t.c.id).where(outbox_t.c.ticket_id == ticket_id)
    ).scalars().all())


def redact_ticket(session: Session, ticket: Ticket, redactor: Redactor) -> None:
    """Take what `redactor` names out of everything stored for the ticket: its own text and
    lists, its messages, history, incoming and outgoing mail rows and the request it held."""
    ticket.subject = redactor.text(ticket.subject)
    ticket.description = redactor.text(ticket.description)
    ticket.cc = redactor.addresses_in(ticket.cc)
    ticket.triage = redactor.texts(ticket.triage)
    if ticket.assignee and redactor.removes_address(ticket.assignee):
        ticket.assignee = ""
    messages = session.execute(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)  # type: ignore[arg-type]
    ).scalars().all()
    for message in messages:
        if redactor.removes_address(message.from_addr):
            message.from_addr, message.from_name = "", ""
        message.from_name = redactor.text(message.from_name)
        message.to = redactor.addresses_in(message.to)
        message.cc = redactor.addresses_in(message.cc)
        message.subject = redactor.text(message.subject)
        message.body = redactor.text(message.body)
        message.full_body = redactor.text(message.full_body)
    files = session.execute(
        select(attachment_t.c.id, attachment_t.c.filename, attachment_t.c.skipped_reason)
        .where(attachment_t.c.ticket_message_id.in_([m.id for m in messages]))
    ).all()
    for row in files:  # 'CV Jane Doe.pdf'
        session.execute(update(attachment_t).where(attachment_t.c.id == row.id).values(
            filename=redactor.text(row.filename), skipped_reason=redactor.text(row.skipped_reason),
        ))
    events = session.execute(
        select(HistoryEvent).where(HistoryEvent.ticket_id == ticket.id)  # type: ignore[arg-type]
    ).scalars().all()
    for event in events:
        event.detail = redactor.text(event.detail)
        if event.actor and redactor.removes_address(event.actor):
            event.actor = ""
    redact_inbound(session, inbound_ids_of(session, ticket.id), redactor)  # type: ignore[arg-type]
    redact_outbox(session, outbox_ids_of(session, ticket.id), redactor)  # type: ignore[arg-type]
    for pending in session.execute(
        select(PendingRequest).where(PendingRequest.ticket_id == ticket.id)  # type: ignore[arg-type]
    ).scalars().all():
        if redactor.removes_address(pending.email):
            pending.email = ""
        pending.supplied = {}
        pending.subject = redactor.text(pending.subject)


def redact_inbound(session: Session, ids: Iterable[int], redactor: Redactor) -> None:
    rows = session.execute(
        select(inbound_t.c.id, inbound_t.c.envelope_from, inbound_t.c.envelope_to,
               inbound_t.c.reason, inbound_t.c.decisions).where(inbound_t.c.id.in_(list(ids)))
    ).all()
    for row in rows:
        sender = "" if redactor.removes_address(row.envelope_from) else row.envelope_from
        session.execute(update(inbound_t).where(inbound_t.c.id == row.id).values(
            envelope_from=sender, envelope_to=redactor.addresses_in(row.envelope_to or []),
            reason=redactor.text(row.reason), decisions=redactor.texts(row.decisions or []),
        ))


def redact_outbox(session: Session, ids: Iterable[int], redactor: Redactor) -> None:
    rows = session.execute(
        select(outbox_t.c.id, outbox_t.c.to_addr, outbox_t.c.recipients, outbox_t.c.subject,
               outbox_t.c.last_error).where(outbox_t.c.id.in_(list(ids)))
    ).all()
    for row in rows:
        to_addr = "" if redactor.removes_address(row.to_addr) else row.to_addr
        session.execute(update(outbox_t).where(outbox_t.c.id == row.id).values(
            to_addr=to_addr, recipients=redactor.addresses_in(row.recipients or []),
            subject=redactor.text(row.subject), last_error=redactor.text(row.last_error),
        ))
