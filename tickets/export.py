"""`mailgate contacts export ADDRESS`: everything held about a person (GDPR article 15).

Their contact record; every ticket they requested, were copied on or wrote on, with its
messages and bodies (internal notes marked, for the desk to review before handing it over),
the details read from their mail and the history; requests held for details; mail sent to
them, with its text; and the incoming mail stored from them (its record; the raw bytes stay).
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session

from tickets.erasure import tickets_about
from tickets.models import (
    Company,
    Contact,
    HistoryEvent,
    PendingRequest,
    StoredAttachment,
    Ticket,
    TicketMessage,
)
from tickets.scrub import inbound_t, json_mentions, outbox_t


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(session: Session, address: str, now: datetime) -> dict[str, Any]:
    address = address.lower()
    contact = session.execute(select(Contact).where(Contact.email == address)).scalars().first()  # type: ignore[arg-type]
    requested, others = tickets_about(session, address)
    references = _References(session)
    return {
        "address": address,
        "exported_at": _iso(now),
        "contact": _contact(session, contact) if contact is not None else None,
        "tickets": [_ticket(session, t, "requester", address) for t in requested]
        + [_ticket(session, t, _role(session, t, address), address) for t in others],
        "held_requests": _held(session, address, references),
        "mail_sent_to_them": _sent(session, address, references),
        "mail_received_from_them": _received(session, address, references),
    }


class _References:
    """A ticket's reference by id, looked up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[int, str] = {}

    def get(self, ticket_id: int | None) -> str | None:
        if ticket_id is None:
            return None
        if ticket_id not in self.known:
            ticket = self.session.get(Ticket, ticket_id)
            self.known[ticket_id] = ticket.reference if ticket else ""
        return self.known[ticket_id] or None


def _contact(session: Session, contact: Contact) -> dict[str, Any]:
    company = session.get(Company, contact.company_id) if contact.company_id else None
    return {
        "email": contact.email, "name": contact.name, "company": company.name if company else None,
        "phone": contact.phone, "phone_as_written": contact.phone_original, "site": contact.site,
        "source": contact.source, "created_at": _iso(contact.created_at),
        "updated_at": _iso(contact.updated_at),
    }


def _role(session: Session, ticket: Ticket, address: str) -> str:
    lists = [ticket.cc, *session.execute(
        select(TicketMessage.cc).where(TicketMessage.ticket_id == ticket.id)  # type: ignore[call-overload]
    ).scalars().all()]
    copied = any(address in {a.lower() for a in cc or []} for cc in lists)
    return "copied" if copied else "took part"


def _ticket(session: Session, ticket: Ticket, role: str, address: str) -> dict[str, Any]:
    messages = session.execute(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)  # type: ignore[arg-type]
        .order_by(TicketMessage.id)  # type: ignore[arg-type]
    ).scalars().all()
    events = session.execute(
        select(HistoryEvent).where(HistoryEvent.ticket_id == ticket.id)  # type: ignore[arg-type]
        .order_by(HistoryEvent.id)  # type: ignore[arg-type]
    ).scalars().all()
    data: dict[str, Any] = {
        "reference": ticket.reference, "role": role, "status": ticket.status,
        "subject": ticket.subject, "created_at": _iso(ticket.created_at),
        "closed_at": _iso(ticket.closed_at), "cc": list(ticket.cc),
    }
    if role == "requester":
        data.update({
            "description": ticket.description,
            "details_read": {
                "name": ticket.requester_name, "company": ticket.company_name,
                "phone": ticket.requester_phone,
                "phone_as_written": ticket.requester_phone_original,
                "evidence": dict(ticket.details_read or {}),
                "unconfirmed": list(ticket.unconfirmed_details or []),
                "missing": list(ticket.missing_details),
            },
        })
    data["messages"] = [_message(session, m, address) for m in messages]
    data["history"] = [
        {"at": _iso(e.at), "kind": e.kind, "actor": e.actor, "detail": e.detail} for e in events
    ]
    return data


def _message(session: Session, message: TicketMessage, address: str) -> dict[str, Any]:
    attachments = session.execute(
        select(StoredAttachment.filename, StoredAttachment.content_type,  # type: ignore[call-overload]
               StoredAttachment.size, StoredAttachment.content.is_not(None))  # type: ignore[union-attr]
        .where(StoredAttachment.ticket_message_id == message.id)
    ).all()
    return {
        "direction": message.direction, "from": message.from_addr, "from_name": message.from_name,
        "to": list(message.to), "cc": list(message.cc), "subject": message.subject,
        "body": message.body, "full_body": message.full_body, "internal": message.internal,
        "written_by_them": message.from_addr.lower() == address,
        "created_at": _iso(message.created_at),
        "attachments": [
            {"filename": name, "content_type": kind, "size": size, "stored": bool(stored)}
            for name, kind, size, stored in attachments
        ],
    }


def _held(session: Session, address: str, references: _References) -> list[dict[str, Any]]:
    rows = session.execute(
        select(PendingRequest).where(func.lower(PendingRequest.email) == address)  # type: ignore[arg-type]
        .order_by(PendingRequest.id)  # type: ignore[arg-type]
    ).scalars().all()
    return [
        {"state": r.state, "subject": r.subject, "missing": list(r.missing),
         "supplied": dict(r.supplied or {}), "created_at": _iso(r.created_at),
         "expires_at": _iso(r.expires_at), "ticket": references.get(r.ticket_id)}
        for r in rows
    ]


def _sent(session: Session, address: str, references: _References) -> list[dict[str, Any]]:
    rows = session.execute(
        select(outbox_t).where(or_(func.lower(outbox_t.c.to_addr) == address,
                                   json_mentions(outbox_t.c.recipients, address)))
        .order_by(outbox_t.c.id)
    ).all()
    return [
        {"kind": r.kind, "ticket": references.get(r.ticket_id), "to": list(r.recipients or []),
         "subject": r.subject, "state": r.state, "created_at": _iso(r.created_at),
         "sent_at": _iso(r.sent_at), "message_id": r.message_id, "text": _text(r.raw)}
        for r in rows
        if address in {a.lower() for a in (r.to_addr, *(r.recipients or []))}
    ]


def _text(raw: bytes) -> str | None:
    """The plain text of a mail we composed (None once its copy was removed)."""
    if not raw:
        return None
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    return body.get_content() if body is not None else None


def _received(
    session: Session, address: str, references: _References
) -> list[dict[str, Any]]:
    theirs = select(TicketMessage.inbound_id).where(  # type: ignore[call-overload]
        func.lower(TicketMessage.from_addr) == address, TicketMessage.inbound_id.is_not(None)  # type: ignore[union-attr]
    )
    rows = session.execute(
        select(inbound_t.c.id, inbound_t.c.received_at, inbound_t.c.source,
               inbound_t.c.message_id, inbound_t.c.size, inbound_t.c.state, inbound_t.c.reason,
               inbound_t.c.ticket_id, (func.length(inbound_t.c.raw) > 0).label("kept"))
        .where(or_(func.lower(inbound_t.c.envelope_from) == address, inbound_t.c.id.in_(theirs),
                   inbound_t.c.id.in_(select(PendingRequest.inbound_id).where(  # type: ignore[call-overload]
                       func.lower(PendingRequest.email) == address))))
        .order_by(inbound_t.c.id)
    ).all()
    return [
        {"received_at": _iso(r.received_at), "source": r.source, "message_id": r.message_id,
         "size": r.size, "state": r.state, "reason": r.reason,
         "ticket": references.get(r.ticket_id), "raw_mail_kept": bool(r.kept)}
        for r in rows
    ]
