"""What the CLI shows: JSON with stable keys, and plain tables for people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from tickets import sla
from tickets.desk import DeskPolicy
from tickets.models import (
    Company,
    Contact,
    HistoryEvent,
    InboundMessage,
    Outbox,
    StoredAttachment,
    Ticket,
    TicketLink,
    TicketMessage,
)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def status_label(policy: DeskPolicy, key: str) -> str:
    status = policy.status(key)
    return status.label if status else key


def customer_status_label(policy: DeskPolicy, key: str) -> str:
    """What the customer's mail calls the status (`customer_label`: Open is "Being processed")."""
    status = policy.status(key)
    return status.customer_label if status else key


def local(policy: DeskPolicy, value: datetime | str | None) -> str:
    """An instant or its ISO text as the desk reads it: 'Mon 23 Nov 2026 10:30 GMT'; '-' for
    none."""
    return policy.local_time(value) if value else "-"


def sla_snapshot(
    session: Session, ticket: Ticket, policy: DeskPolicy, now: datetime
) -> sla.Snapshot:
    return sla.snapshot(ticket, policy, sla.profile_for(session, policy, ticket), now)


def sla_json(ticket: Ticket, snapshot: sla.Snapshot, now: datetime) -> dict[str, Any]:
    return {
        "response_due": iso(snapshot.response_due),
        "resolution_due": iso(snapshot.resolution_due),
        "responded_at": iso(ticket.responded_at),
        "resolved_at": iso(ticket.resolved_at),
        "business_seconds_used": snapshot.business_seconds_used,
        "breached": snapshot.breached,
        "running": ticket.clock_started_at is not None,
        "clock_started_at": iso(ticket.clock_started_at),  # the current run began here
        "as_of": iso(now),
    }


def requester_json(session: Session, ticket: Ticket) -> dict[str, str]:
    """Who asked, the same object in every listing: what they told us, else the directory."""
    requester = session.get(Contact, ticket.requester_id)
    company = session.get(Company, ticket.company_id) if ticket.company_id else None
    return {
        "name": ticket.requester_name or (requester.name if requester else ""),
        "email": requester.email if requester else "",
        "company": ticket.company_name or (company.name if company else ""),
        "phone": ticket.requester_phone or (requester.phone if requester else ""),
    }


def ticket_summary(session: Session, ticket: Ticket, policy: DeskPolicy) -> dict[str, Any]:
    return {
        "reference": ticket.reference,
        "status": ticket.status,
        "status_label": status_label(policy, ticket.status),
        "priority": ticket.priority,
        "subject": ticket.subject,
        "requester": requester_json(session, ticket),
        "assignee": ticket.assignee,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
    }


def ticket_json(
    session: Session, ticket: Ticket, policy: DeskPolicy, now: datetime, *, full: bool = False
) -> dict[str, Any]:
    related = session.exec(
        select(Ticket.reference)
        .join(TicketLink, TicketLink.related_id == Ticket.id)  # type: ignore[arg-type]
        .where(TicketLink.ticket_id == ticket.id)
    ).all()
    messages = session.exec(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
        .order_by(TicketMessage.id)  # type: ignore[arg-type]
    ).all()
    history = session.exec(
        select(HistoryEvent).where(HistoryEvent.ticket_id == ticket.id)
        .order_by(HistoryEvent.id)  # type: ignore[arg-type]
    ).all()
    return {
        "reference": ticket.reference,
        "status": ticket.status,
        "status_label": status_label(policy, ticket.status),
        "customer_status_label": customer_status_label(policy, ticket.status),
        "priority": ticket.priority,
        "category": ticket.category,
        "subject": ticket.subject,
        "requester": requester_json(session, ticket),
        "description": ticket.description,
        "missing_details": list(ticket.missing_details),
        # detail -> the evidence it was read from ("labelled field ('Name: Jane Doe')"), and
        # the details read on weak evidence only (migration 0004 backfills both; a row written
        # since without them holds NULL)
        "details_read": dict(ticket.details_read or {}),
        "unconfirmed_details": list(ticket.unconfirmed_details or []),
        "confidential": ticket.confidential,
        "assignee": ticket.assignee,
        "cc": list(ticket.cc),
        "related": sorted(related),
        "triage": list(ticket.triage),
        "sla": sla_json(ticket, sla_snapshot(session, ticket, policy, now), now),
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "next_action_at": iso(ticket.next_action_at),
        "next_action": ticket.next_action,
        "messages": [message_json(session, m, full=full) for m in messages],
        "history": [
            {"at": iso(h.at), "kind": h.kind, "actor": h.actor, "detail": h.detail}
            for h in history
        ],
    }


def message_json(session: Session, message: TicketMessage, *, full: bool) -> dict[str, Any]:
    attachments = session.exec(
        select(StoredAttachment).where(StoredAttachment.ticket_message_id == message.id)
    ).all()
    # why an incoming mail is on this ticket: what each pipeline stage decided about it
    decisions = session.exec(
        select(InboundMessage.decisions).where(InboundMessage.id == message.inbound_id)
    ).first() if message.inbound_id is not None else None
    data: dict[str, Any] = {
        "direction": message.direction,
        "from": message.from_addr,
        "to": list(message.to),
        "cc": list(message.cc),
        "subject": message.subject,
        "body": message.full_body if full else message.body,
        "internal": message.internal,
        "verified": message.verified,
        "automated": message.automated,
        "message_id": message.message_id,
        "created_at": iso(message.created_at),
        "decisions": list(decisions or []),
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "stored": a.content is not None,
                "skipped_reason": a.skipped_reason,
            }
            for a in attachments
        ],
    }
    return data


def outbox_json(row: Outbox, reference: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "to": list(row.recipients),
        "subject": row.subject,
        "ticket": reference,
        "state": row.state,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "message_id": row.message_id,
        "created_at": iso(row.created_at),
        "sent_at": iso(row.sent_at),
    }


def inbound_json(row: InboundMessage, reference: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "received_at": iso(row.received_at),
        "source": row.source,
        "from": row.envelope_from,
        "message_id": row.message_id,
        "size": row.size,
        "sha256": row.sha256,
        "state": row.state,
        "reason": row.reason,
        "decisions": list(row.decisions),
        "ticket": reference,
    }


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain text table; long cells are cut so that a row fits on a terminal line."""
    if not rows:
        return "(none)"
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [
        min(max(len(c), *(len(r[i]) for r in cells)), 48) for i, c in enumerate(columns)
    ]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))]
    for row in cells:
        lines.append(
            "  ".join(
                (v if len(v) <= w else v[: w - 1] + "…").ljust(w)
                for v, w in zip(row, widths, strict=True)
            ).rstrip()
        )
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict) and "email" in value:  # a person: 'Jane Doe <jane@…>'
        return f"{value['name']} <{value['email']}>" if value.get("name") else value["email"]
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return " ".join(str(value).split())
