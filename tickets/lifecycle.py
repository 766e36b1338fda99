"""The one place tickets change: each change records history, events and the next due action."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from parsing import Attachment
from tickets import history, schedule
from tickets.desk import DeskPolicy
from tickets.events import Event
from tickets.models import Company, Contact, StoredAttachment, Ticket, TicketMessage
from tickets.references import format_reference, next_number


def open_ticket(
    session: Session,
    policy: DeskPolicy,
    now: datetime,
    *,
    requester: Contact,
    company: Company | None,
    subject: str,
    description: str,
    reason: str,
) -> Ticket:
    number = next_number(session)
    ticket = Ticket(
        reference=format_reference(
            policy.desk.reference_prefix, number, policy.desk.reference_digits
        ),
        subject=subject,
        description=description,
        status=policy.initial_status,
        priority=policy.default_priority,
        requester_id=requester.id,  # type: ignore[arg-type]
        company_id=company.id if company else None,
        requester_name=requester.name,
        requester_phone=requester.phone,
        requester_phone_original=requester.phone_original,
        company_name=company.name if company else "",
        created_at=now,
        updated_at=now,
        status_changed_at=now,
    )
    session.add(ticket)
    session.flush()
    history.record(session, ticket, "created", reason, now, actor=requester.email)
    return ticket


def add_message(
    session: Session,
    ticket: Ticket,
    now: datetime,
    *,
    direction: str,
    from_addr: str,
    from_name: str = "",
    to: Sequence[str] = (),
    cc: Sequence[str] = (),
    subject: str = "",
    body: str = "",
    full_body: str = "",
    message_id: str = "",
    inbound_id: int | None = None,
    outbox_id: int | None = None,
    internal: bool = False,
    verified: bool = True,
    automated: bool = False,
    attachments: Sequence[Attachment] = (),
) -> TicketMessage:
    message = TicketMessage(
        ticket_id=ticket.id,  # type: ignore[arg-type]
        direction=direction,
        message_id=message_id,
        inbound_id=inbound_id,
        outbox_id=outbox_id,
        from_addr=from_addr,
        from_name=from_name,
        to=list(to),
        cc=list(cc),
        subject=subject,
        body=body,
        full_body=full_body or body,
        internal=internal,
        verified=verified,
        automated=automated,
        created_at=now,
    )
    session.add(message)
    session.flush()
    for item in attachments:
        session.add(
            StoredAttachment(
                ticket_message_id=message.id,  # type: ignore[arg-type]
                filename=item.filename,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                content_id=item.content_id,
                content=item.content,
                skipped_reason=item.skipped_reason,
            )
        )
    if direction == "in" and not internal and not automated:
        ticket.last_customer_message_id = message_id or ticket.last_customer_message_id
    ticket.updated_at = now
    return message


def set_status(
    session: Session,
    policy: DeskPolicy,
    ticket: Ticket,
    status: str,
    now: datetime,
    *,
    reason: str,
    actor: str = "",
) -> list[Event]:
    """Move a ticket to another status; history says why."""
    if status == ticket.status:
        return []
    previous = ticket.status
    ticket.status = status
    ticket.status_changed_at = now
    ticket.updated_at = now
    history.record(session, ticket, "status", f"{previous} → {status}: {reason}", now, actor)
    touched(ticket, policy, now)
    return [
        Event(
            kind="status_changed",
            ticket_id=ticket.id,
            key=f"status:{ticket.id}:{status}:{now.isoformat()}",
            data={"from": previous, "to": status, "reason": reason},
        )
    ]


def touched(ticket: Ticket, policy: DeskPolicy, now: datetime) -> None:
    """Recompute what the scheduler must do next; call after every change."""
    ticket.updated_at = now
    schedule.refresh(ticket, policy, now)


def record_public_reply(
    session: Session, policy: DeskPolicy, ticket: Ticket, now: datetime, *, actor: str
) -> None:
    """A technician answered the customer: the first such answer is the SLA first response."""
    if ticket.responded_at is None:
        ticket.responded_at = now
        history.record(session, ticket, "responded", "first response to the requester", now, actor)
    touched(ticket, policy, now)
