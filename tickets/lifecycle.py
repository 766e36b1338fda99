"""The one place tickets change: each change records history, events and the next due action."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session

from parsing import Attachment
from tickets import history, schedule, sla
from tickets.blobs import insert_with_blob
from tickets.desk import DeskPolicy
from tickets.events import Event
from tickets.models import (
    Company,
    Contact,
    StoredAttachment,
    Ticket,
    TicketMessage,
    fitted,
)
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
    sla.start(ticket, policy, sla.profile_for(session, policy, ticket), now)
    touched(ticket, policy, now)
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
    """Keep one message on the ticket, as an object the caller goes on to use."""
    message = TicketMessage(**_message_values(
        ticket, now, direction=direction, from_addr=from_addr, from_name=from_name, to=to,
        cc=cc, subject=subject, body=body, full_body=full_body, message_id=message_id,
        inbound_id=inbound_id, outbox_id=outbox_id, internal=internal, verified=verified,
        automated=automated,
    ))
    session.add(message)
    session.flush()
    _store_attachments(session, message.id, attachments)  # type: ignore[arg-type]
    _message_touches(ticket, now, direction, message_id, internal=internal, automated=automated)
    return message


def record_message(
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
    automated: bool = False,
    attachments: Sequence[Attachment] = (),
) -> None:
    """Keep one message on the ticket when no one needs it as an object: written at once, one
    INSERT with its attachments, without the ORM's unit of work (the hot path, issue 10)."""
    values = fitted(TicketMessage, _message_values(
        ticket, now, direction=direction, from_addr=from_addr, from_name=from_name, to=to,
        cc=cc, subject=subject, body=body, full_body=full_body, message_id=message_id,
        inbound_id=inbound_id, outbox_id=outbox_id, internal=internal, verified=True,
        automated=automated,
    ))
    table = TicketMessage.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    if attachments:
        message_id_row = connection.execute(
            insert(table).returning(table.c.id), values
        ).scalar_one()
        _store_attachments(session, message_id_row, attachments)
    else:
        connection.execute(insert(table), values)
    _message_touches(ticket, now, direction, message_id, internal=internal, automated=automated)


def _message_values(ticket: Ticket, now: datetime, **fields: object) -> dict[str, object]:
    fields["to"], fields["cc"] = list(fields["to"]), list(fields["cc"])  # type: ignore[call-overload]
    fields["full_body"] = fields["full_body"] or fields["body"]
    return {"ticket_id": ticket.id, "created_at": now, **fields}


def _store_attachments(
    session: Session, message_id: int, attachments: Sequence[Attachment]
) -> None:
    if not attachments:
        return
    table = StoredAttachment.__table__  # type: ignore[attr-defined]
    for item in attachments:  # one at a time: a large one is written without copies
        insert_with_blob(session.connection(), table, fitted(StoredAttachment, {
            "ticket_message_id": message_id,
            "filename": item.filename,
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "content_id": item.content_id,
            "content": item.content,
            "skipped_reason": item.skipped_reason,
        }), "content")


def _message_touches(
    ticket: Ticket, now: datetime, direction: str, message_id: str, *, internal: bool,
    automated: bool,
) -> None:
    if direction == "in" and not internal and not automated:
        ticket.last_customer_message_id = message_id or ticket.last_customer_message_id
    if direction == "in" or not automated:
        # The desk's own automatic mail (acknowledgements, reminders, SLA and stale notices) is
        # no update: it would otherwise put off the stale reminder (`schedule`) indefinitely.
        ticket.updated_at = now


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
    """Move a ticket to another status (its key); history says why. Runs or pauses the SLA
    clock and restarts the waiting-reminder ladder. ValueError for an unknown status."""
    new = policy.status(status)
    if new is None or new.key != status:
        known = ", ".join(s.key for s in policy.statuses)
        raise ValueError(f"unknown status {status!r}; known: {known}")
    if status == ticket.status:
        return []
    previous = ticket.status
    ticket.status = status
    ticket.status_changed_at = now
    ticket.updated_at = now
    ticket.reminders_sent = 0
    sla.status_changed(ticket, policy, sla.profile_for(session, policy, ticket), new, now)
    history.record(session, ticket, "status", f"{previous} → {status}: {reason}", now, actor)
    touched(ticket, policy, now)
    return [
        Event(
            kind="status_changed",
            ticket_id=ticket.id,
            key=f"status:{ticket.id}:{status}:{now.isoformat()}",
            # Only resolving is news for the requester (it starts the reopen window); other
            # moves are told by their own events (assigned, reminder, closed, date_reached)
            # or are the desk's own business, so they notify nobody.
            notify=new.category == "resolved",
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
        sla.responded(ticket, now)
        history.record(session, ticket, "responded", "first response to the requester", now, actor)
    touched(ticket, policy, now)


def set_priority(
    session: Session,
    policy: DeskPolicy,
    ticket: Ticket,
    priority: str,
    now: datetime,
    *,
    reason: str,
    actor: str = "",
) -> list[Event]:
    """Change the priority (its key); the SLA due times follow its targets. ValueError for an
    unknown priority."""
    chosen = policy.priority(priority)
    if chosen is None or chosen.key != priority:
        known = ", ".join(p.key for p in policy.priorities)
        raise ValueError(f"unknown priority {priority!r}; known: {known}")
    if priority == ticket.priority:
        return []
    previous = ticket.priority
    ticket.priority = priority
    sla.recompute(ticket, policy, sla.profile_for(session, policy, ticket), now)
    history.record(session, ticket, "priority", f"{previous} → {priority}: {reason}", now, actor)
    touched(ticket, policy, now)
    return [
        Event(
            kind="priority_changed",
            ticket_id=ticket.id,
            key=f"priority:{ticket.id}:{priority}:{now.isoformat()}",
            notify=False,  # the desk's own triage: recorded in history, nobody is mailed
            data={"from": previous, "to": priority, "reason": reason},
        )
    ]


def assign(
    session: Session,
    policy: DeskPolicy,
    ticket: Ticket,
    assignee: str,
    now: datetime,
    *,
    reason: str = "",
    actor: str = "",
    notify: bool = True,
) -> list[Event]:
    """Give the ticket to a technician (an address; '' unassigns); the requester is told."""
    assignee = assignee.strip().lower()
    if assignee == ticket.assignee:
        return []
    previous = ticket.assignee
    ticket.assignee = assignee
    detail = f"{previous or 'nobody'} → {assignee or 'nobody'}"
    detail += f": {reason}" if reason else (f" by {actor}" if actor else "")
    history.record(session, ticket, "assigned", detail, now, actor)
    touched(ticket, policy, now)
    if not assignee:
        return []
    return [
        Event(
            kind="ticket_assigned",
            ticket_id=ticket.id,
            key=f"assigned:{ticket.id}:{assignee}:{now.isoformat()}",
            notify=notify,
            data={"assignee": assignee, "previous": previous, "reason": reason},
        )
    ]


def add_note(
    session: Session, policy: DeskPolicy, ticket: Ticket, text: str, now: datetime, *, actor: str
) -> TicketMessage:
    """An internal note: kept on the ticket, never sent to the requester."""
    message = add_message(
        session, ticket, now, direction="in", from_addr=actor, body=text, internal=True
    )
    history.record(session, ticket, "note", "internal note added", now, actor)
    touched(ticket, policy, now)
    return message


def set_due_date(
    session: Session,
    policy: DeskPolicy,
    ticket: Ticket,
    due: datetime | None,
    now: datetime,
    *,
    actor: str = "",
) -> None:
    """Set (or clear) the date a ticket waits for: a status with `resume_on = "due_date"`
    returns to work on it."""
    ticket.due_date = due
    shown = due.isoformat() if due else "none"
    history.record(session, ticket, "due", f"due date {shown}", now, actor)
    touched(ticket, policy, now)


def make_confidential(
    session: Session, policy: DeskPolicy, ticket: Ticket, now: datetime, *, actor: str = ""
) -> None:
    """From now on only the requester and staff see or add to the ticket; no Cc, no colleagues."""
    if ticket.confidential:
        return
    ticket.confidential = True
    history.record(
        session, ticket, "confidential", "marked confidential: updates go to the requester only",
        now, actor,
    )
    touched(ticket, policy, now)
