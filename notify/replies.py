"""Mail about replies: a technician's answer to the customer, a customer's reply to the assigned
technician, the results of a technician's commands, and a bounce of a technician's answer.

Every mail threads on the ticket's conversation (In-Reply-To the mail it answers, References the
public thread) and carries the signed Reply-To of its recipients' role (see `queue_mail`).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, select

from notify.compose import ticket_subject
from notify.queue import Notifier, queue_mail, ticket_and_requester
from tickets.commands import usage
from tickets.events import Event
from tickets.models import Contact, Outbox, StoredAttachment, Ticket, TicketMessage


def _subject(notifier: Notifier, ticket: Ticket) -> str:
    return ticket_subject(ticket, notifier.policy)


def _category(notifier: Notifier, ticket: Ticket) -> str:
    status = notifier.policy.status(ticket.status)
    return status.category if status else ""


def customer_recipients(notifier: Notifier, ticket: Ticket, requester: Contact) -> list[str]:
    """Who sees updates: the requester, and the ticket's Cc unless it is confidential."""
    if ticket.confidential:
        return []
    policy = notifier.policy
    return [
        a for a in ticket.cc
        if a != requester.email and not policy.is_desk_address(a) and not policy.is_staff(a)
    ][: policy.desk.max_participants]  # a ticket from before the cap may have more


def technician_reply(
    session: Session, notifier: Notifier, event: Event, now: datetime
) -> list[Outbox]:
    ticket, requester = ticket_and_requester(session, event)
    row = queue_mail(
        session, notifier, now,
        kind="technician_reply",
        dedup_key=f"{event.key}:technician_reply",
        ticket=ticket,
        to=[requester.email],
        cc=customer_recipients(notifier, ticket, requester),
        context={
            "requester": requester,
            "text": event.data["text"],
            "technician_name": event.data.get("technician_name", ""),
            # `#resolve` in the same mail: this answer carries the resolved notice
            "resolved": _category(notifier, ticket) == "resolved",
            "window": str(notifier.policy.schedule.reopen_window),
        },
        subject=_subject(notifier, ticket),
        in_reply_to=ticket.last_customer_message_id,
        auto_submitted="no",  # a person wrote it (RFC 3834 §5)
        attachments=event.data.get("attachments", ()),
    )
    return [row] if row else []


def customer_reply(
    session: Session, notifier: Notifier, event: Event, now: datetime
) -> list[Outbox]:
    """Tell the assigned technician; their answer to this mail goes back to the customer."""
    ticket = session.get(Ticket, event.ticket_id)
    assert ticket is not None
    sender = event.data.get("sender", "")
    if not ticket.assignee or ticket.assignee == sender:
        return []
    key = event.data.get("message")
    message = session.get(TicketMessage, key) if key is not None else None
    files = session.exec(
        select(StoredAttachment.filename).where(StoredAttachment.ticket_message_id == message.id)
    ).all() if message else []
    row = queue_mail(
        session, notifier, now,
        kind="customer_reply",
        dedup_key=f"{event.key}:customer_reply",
        ticket=ticket,
        to=[ticket.assignee],
        context={
            "sender": sender,
            "text": message.body if message else "",
            "status": notifier.policy.status(ticket.status),
            "commands": usage(),
            "files": list(files),
        },
        subject=_subject(notifier, ticket),
        in_reply_to=event.data.get("in_reply_to", ""),
        auto_submitted="auto-generated",
        internal_copy=True,
    )
    return [row] if row else []


def command_result(
    session: Session, notifier: Notifier, event: Event, now: datetime
) -> list[Outbox]:
    """Answer the technician: which commands were refused and why, or that nothing applied."""
    ticket = session.get(Ticket, event.ticket_id)
    assert ticket is not None
    row = queue_mail(
        session, notifier, now,
        kind="command_result",
        dedup_key=f"{event.key}:command_result",
        ticket=ticket,
        to=[event.data["technician"]],
        context={
            "results": event.data["results"],
            "unverified": event.data["unverified"],
            "held": event.data.get("held", False),
            "trusted": notifier.policy.desk.trusted_authserv_ids,
            "commands": usage(),
        },
        subject=_subject(notifier, ticket),
        in_reply_to=event.data.get("in_reply_to", ""),
        auto_submitted="auto-replied",
        internal_copy=True,
    )
    return [row] if row else []


def delivery_failed(
    session: Session, notifier: Notifier, event: Event, now: datetime
) -> list[Outbox]:
    """Tell the assigned technician (or, with none, the one who wrote it) that a mail of ours
    on the ticket came back: the customer has not read it, and only a person can find out why."""
    ticket = session.get(Ticket, event.ticket_id)
    returned = session.get(TicketMessage, event.data["returned"])
    bounce = session.get(TicketMessage, event.data["bounce"])
    assert ticket is not None and returned is not None and bounce is not None
    technician = ticket.assignee or _author(session, returned)
    if not technician:
        return []  # the ticket's history shows it
    row = queue_mail(
        session, notifier, now,
        kind="delivery_failed",
        dedup_key=f"{event.key}:delivery_failed",
        ticket=ticket,
        to=[technician],
        context={
            "recipients": event.data.get("failed") or returned.to,
            "sent_at": notifier.policy.local_time(returned.created_at),
            "returned_subject": returned.subject,
            "report": bounce.body,
        },
        subject=_subject(notifier, ticket),
        auto_submitted="auto-generated",
        internal_copy=True,
    )
    return [row] if row else []


def _author(session: Session, message: TicketMessage) -> str:
    """Who wrote a technician's answer we sent: the `technician_reply` row is keyed by the
    technician's own mail (`message:<inbound id>:technician_reply`), kept on the ticket."""
    row = session.get(Outbox, message.outbox_id) if message.outbox_id else None
    if row is None or row.kind != "technician_reply":
        return ""
    found = re.fullmatch(r"message:(\d+):technician_reply", row.dedup_key)
    if found is None:
        return ""
    inbound_id = found.group(1)
    own = session.exec(
        select(TicketMessage.from_addr).where(TicketMessage.inbound_id == int(inbound_id))
    ).first()
    return own or ""
