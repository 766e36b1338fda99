"""A notification as it would be sent, without sending it or touching the desk's database
(`mailgate templates render`).

The preview runs the very handler that sends the kind (`notify.outbox.HANDLERS`) on an event
made for the purpose, against a scratch SQLite database in memory holding either the sample
ticket (`notify.samples`) or a copy of a real one: the handler, `queue_mail`, the templates and
`compose` are the ones of real mail, so the preview cannot drift from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import defer
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, col, select

from notify.outbox import HANDLERS
from notify.queue import Notifier
from notify.samples import Scene, add_scene, sample_ticket
from notify.scheduled import technician_name
from tickets.desk import DeskPolicy
from tickets.events import Event
from tickets.models import (
    Company,
    Contact,
    InboundMessage,
    Outbox,
    StoredAttachment,
    Ticket,
    TicketMessage,
)
from tickets.references import format_reference

_HEAD_BYTES = 65_536  # of the first mail: enough for the Thread-Index our mail follows


class PreviewError(Exception):
    """Why there is nothing to show, in one line."""


@contextmanager
def scratch_session() -> Iterator[Session]:
    """A session on an empty database of our tables, in memory, gone when it closes."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    SQLModel.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def sample_scene(scratch: Session, policy: DeskPolicy, kind: str, now: datetime) -> Scene:
    ticket = sample_ticket(scratch, policy, now)
    return add_scene(scratch, policy, ticket, now, bounce=kind == "delivery_failed")


def copied_scene(
    source: Session, scratch: Session, policy: DeskPolicy, kind: str, reference: str,
    now: datetime,
) -> Scene:
    """The real ticket `reference` (read from `source`, which is not written to), its requester,
    company and messages, copied into `scratch` with what a kind's event may need added."""
    ticket = source.exec(select(Ticket).where(Ticket.reference == reference.upper())).first()
    if ticket is None:
        raise PreviewError(f"no ticket {reference}")
    rows: list[Any] = [_clone(ticket)]
    rows += [_clone(row) for row in (source.get(Contact, ticket.requester_id),
                                     source.get(Company, ticket.company_id)
                                     if ticket.company_id else None) if row is not None]
    messages = source.exec(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
        .order_by(col(TicketMessage.id))
    ).all()
    rows += [_clone(m) for m in messages]
    first = next((m.inbound_id for m in messages if m.inbound_id is not None), None)
    inbound = source.get(InboundMessage, first) if first is not None else None
    if inbound is not None:
        rows.append(_clone(inbound, raw=bytes(inbound.raw[:_HEAD_BYTES])))
    files = source.exec(
        select(StoredAttachment).options(defer(StoredAttachment.content))  # type: ignore[arg-type]
        .where(col(StoredAttachment.ticket_message_id).in_([m.id for m in messages]))
    ).all()
    rows += [_clone(f, content=None) for f in files]
    scratch.add_all(rows)
    scratch.flush()
    copy = scratch.get(Ticket, ticket.id)
    assert copy is not None
    return add_scene(scratch, policy, copy, now, bounce=kind == "delivery_failed")


def _clone(row: Any, **overrides: Any) -> Any:
    values = {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in overrides}
    return type(row)(**values, **overrides)


def render_kind(
    scratch: Session, notifier: Notifier, kind: str, scene: Scene, now: datetime
) -> Outbox:
    """The mail the handler of `kind` writes for the scene's ticket (into `scratch`)."""
    event_kind, data = event_for(kind, scratch, notifier, scene, now)
    event = Event(kind=event_kind, ticket_id=scene.ticket_id, key=f"preview:{kind}", data=data)
    rows = [r for r in HANDLERS[event_kind](scratch, notifier, event, now) if r.kind == kind]
    if not rows:
        raise PreviewError(f"{kind}: the desk would send no such mail for this ticket")
    return rows[0]


def event_for(
    kind: str, scratch: Session, notifier: Notifier, scene: Scene, now: datetime
) -> tuple[str, dict[str, Any]]:
    """The event that makes the desk send `kind`, as the ticket rules would report it."""
    policy = notifier.policy
    ticket = scratch.get(Ticket, scene.ticket_id)
    customer = scratch.get(TicketMessage, scene.customer_message_id)
    assert ticket is not None
    digits = ticket.reference.upper().removeprefix(policy.desk.reference_prefix)
    number = int(digits) if digits.isdigit() else 2
    due = ticket.response_due_at or ticket.resolution_due_at or now + timedelta(minutes=30)
    waiting = [s for s in policy.statuses if s.resume_on]
    events: dict[str, tuple[str, dict[str, Any]]] = {
        "acknowledgement": ("ticket_created", {"in_reply_to": ticket.last_customer_message_id,
                                               "follows_closed": ""}),
        "linked_ticket": ("ticket_created", {
            "in_reply_to": ticket.last_customer_message_id,
            "follows_closed": format_reference(policy.desk.reference_prefix,
                                               max(number - 1, 1), policy.desk.reference_digits),
        }),
        "info_request": ("info_request", {"pending_id": scene.pending_id}),
        "info_request_expired": ("info_request_expired", {"pending_id": scene.pending_id}),
        "assigned": ("ticket_assigned", {"assignee": ticket.assignee, "previous": "",
                                         "reason": "round-robin"}),
        "reminder": ("reminder", {"number": 1, "last": False,
                                  "close_at": (now + timedelta(days=3)).isoformat()}),
        "auto_closed": ("auto_closed", {"reminders": len(policy.schedule.waiting_reminders)}),
        "closed": ("closed", {}),
        "date_reached": ("date_reached", {
            "reason": "the date set has come",
            "waited_in": waiting[0].label if waiting else "Awaiting Action on Specific Date",
        }),
        "sla_warning": ("sla_warning", {"target": "response", "due": due.isoformat()}),
        "sla_breach": ("sla_breach", {"target": "response", "due": due.isoformat()}),
        "stale": ("stale", {"quiet_since": ticket.updated_at.isoformat()}),
        "resolved": ("status_changed", {"from": ticket.status,
                                        "to": policy.resolved_status.key, "reason": ""}),
        "technician_reply": ("technician_replied", {
            "text": "Hi,\n\nI have cleared the jam and printed a test page; all is well again.",
            "technician": ticket.assignee,
            "technician_name": technician_name(notifier, ticket.assignee),
        }),
        "customer_reply": ("customer_replied", {
            "message": customer.id if customer else None,
            "sender": customer.from_addr if customer else "",
            "in_reply_to": customer.message_id if customer else "",
        }),
        "command_result": ("command_result", {
            "technician": ticket.assignee, "unverified": False, "held": False,
            "in_reply_to": "",
            "results": [
                {"line": "#priority urgentish", "accepted": False,
                 "detail": "unknown priority; known: "
                           + ", ".join(p.key for p in policy.priorities)},
                {"line": "#assign me", "accepted": True, "detail": f"→ {ticket.assignee}"},
            ],
        }),
        "delivery_failed": ("delivery_failed", {"bounce": scene.bounce_id,
                                                "returned": scene.returned_id,
                                                "failed": []}),
    }
    if kind not in events:
        raise PreviewError(f"{kind}: not a kind notify sends")
    return events[kind]

