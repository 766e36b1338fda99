"""Database tables. Every datetime is timezone-aware and stored in UTC."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    LargeBinary,
    Text,
    UniqueConstraint,
    event,
)
from sqlmodel import Field, SQLModel


def _json(default: Any = None) -> Any:
    # a fresh copy for each row: a shared mutable default would leak between tickets
    return Field(default_factory=lambda: [] if default is None else copy.copy(default),
                 sa_column=Column(JSON))


class InboundMessage(SQLModel, table=True):
    """Raw mail exactly as it arrived, stored before we acknowledge it to anyone."""

    __tablename__ = "inbound_message"
    __table_args__ = (Index("ix_inbound_state_id", "state", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime
    source: str = Field(max_length=200)  # smtp, ingest, imap:<mailbox>
    # '' when the door did not say; '<>' is the null sender of bounces (RFC 5321 §4.5.5)
    envelope_from: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    envelope_to: list[str] = _json()
    message_id: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    dedup_key: str = Field(max_length=64, unique=True)
    sha256: str = Field(max_length=64)
    size: int
    # received -> done | screened | quarantined; `reason` says why
    state: str = Field(default="received", max_length=20)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decisions: list[str] = _json()
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    processed_at: datetime | None = None
    attempts: int = 0
    # last in the row: see tickets/blobs.py and migration 0005
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Company(SQLModel, table=True):
    __tablename__ = "company"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, unique=True)
    domains: list[str] = _json()
    sla_profile: str | None = Field(default=None, max_length=100)


class Contact(SQLModel, table=True):
    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)  # lower-cased
    name: str = Field(default="", max_length=300)
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    phone: str = Field(default="", max_length=64)  # E.164
    phone_original: str = Field(default="", max_length=100)
    site: str = Field(default="", max_length=300)
    source: str = Field(default="learned", max_length=20)  # learned | import
    created_at: datetime
    updated_at: datetime


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (Index("ix_ticket_due", "next_action_at"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=40, unique=True)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(max_length=60, index=True)
    priority: str = Field(max_length=40)
    category: str = Field(default="", max_length=100)
    confidential: bool = False
    requester_id: int = Field(foreign_key="contact.id", index=True)
    company_id: int | None = Field(default=None, foreign_key="company.id")
    # details as the requester gave them on this ticket (they may differ from the contact's)
    requester_name: str = Field(default="", max_length=300)
    requester_phone: str = Field(default="", max_length=64)
    requester_phone_original: str = Field(default="", max_length=100)
    company_name: str = Field(default="", max_length=300)
    missing_details: list[str] = _json()
    # detail -> the evidence it was read from ("labelled field ('Name: Jane Doe')")
    details_read: dict[str, str] = _json({})
    unconfirmed_details: list[str] = _json()  # read on weak evidence only: shown to be checked
    cc: list[str] = _json()  # addresses that took part in the conversation
    assignee: str = Field(default="", max_length=320)
    triage: list[str] = _json()
    created_at: datetime
    updated_at: datetime
    # SLA clock
    response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    business_seconds_used: int = 0
    clock_started_at: datetime | None = None  # set while the status's timer runs
    sla_warned: bool = False
    sla_breached: bool = False
    # which of response_warning, response_breach, resolution_warning, resolution_breach were made
    sla_notified: list[str] = _json()
    # scheduling
    status_changed_at: datetime
    due_date: datetime | None = None  # '#due' / Awaiting Action on Specific Date
    reminders_sent: int = 0
    next_action_at: datetime | None = None
    next_action: str = Field(default="", max_length=60)
    last_customer_message_id: str = Field(default="", sa_column=Column(Text, default=""))


class TicketLink(SQLModel, table=True):
    __tablename__ = "ticket_link"
    __table_args__ = (UniqueConstraint("ticket_id", "related_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    related_id: int = Field(foreign_key="ticket.id", index=True)
    reason: str = Field(default="", max_length=200)


class TicketMessage(SQLModel, table=True):
    """One message of a ticket's conversation, incoming or outgoing."""

    __tablename__ = "ticket_message"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    direction: str = Field(max_length=3)  # in | out
    message_id: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    inbound_id: int | None = Field(default=None, foreign_key="inbound_message.id")
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    from_addr: str = Field(default="", max_length=320)
    from_name: str = Field(default="", max_length=300)
    to: list[str] = _json()
    cc: list[str] = _json()
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    full_body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    internal: bool = False
    verified: bool = True
    automated: bool = False
    created_at: datetime


Index("ix_ticket_message_message_id", TicketMessage.__table__.c.message_id)  # type: ignore[attr-defined]


class StoredAttachment(SQLModel, table=True):
    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    ticket_message_id: int = Field(foreign_key="ticket_message.id", index=True)
    filename: str = Field(max_length=500)
    content_type: str = Field(max_length=200)
    size: int
    sha256: str = Field(max_length=64)
    content_id: str = Field(default="", max_length=500)
    skipped_reason: str = Field(default="", max_length=500)
    # last in the row: see tickets/blobs.py and migration 0005
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class HistoryEvent(SQLModel, table=True):
    __tablename__ = "history_event"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime
    kind: str = Field(max_length=60)
    actor: str = Field(default="", max_length=320)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Outbox(SQLModel, table=True):
    """Mail to send, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60)  # the template name
    dedup_key: str = Field(max_length=300, unique=True)  # one notification per event
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    to_addr: str = Field(max_length=320, index=True)
    recipients: list[str] = _json()
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    message_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # pending -> sending -> sent | failed
    state: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime
    sent_at: datetime | None = None


class PendingRequest(SQLModel, table=True):
    """A request held until the sender supplies the details a ticket needs."""

    __tablename__ = "pending_request"

    id: int | None = Field(default=None, primary_key=True)
    inbound_id: int = Field(foreign_key="inbound_message.id")
    email: str = Field(max_length=320, index=True)
    missing: list[str] = _json()
    supplied: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    message_id: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    state: str = Field(default="waiting", max_length=20)  # waiting | completed | expired
    created_at: datetime
    expires_at: datetime = Field(index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")


class MailboxState(SQLModel, table=True):
    """Where the IMAP follower stands in one mailbox."""

    __tablename__ = "mailbox_state"

    name: str = Field(primary_key=True, max_length=200)
    # UIDVALIDITY and UIDs are unsigned 32-bit (RFC 3501 §2.3.1.1): BIGINT, not INTEGER
    uidvalidity: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_uid: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    # UIDs up to here are moved or flagged; (acked_uid, last_uid] are stored but not yet acked
    acked_uid: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    status: str = Field(default="new", max_length=40)
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    last_ok_at: datetime | None = None
    failing_since: datetime | None = None
    alert_sent_at: datetime | None = None


class Counter(SQLModel, table=True):
    """Gapless counters (ticket reference numbers), incremented under a row lock."""

    __tablename__ = "counter"

    name: str = Field(primary_key=True, max_length=60)
    value: int = 0


# Text that comes from mail or a contacts file (display names, what a customer typed, attachment
# metadata) is cut to its column's width on the way in: PostgreSQL refuses a longer value where
# SQLite keeps it, and a name of 5,000 characters must not make a message unprocessable on one
# and a ticket on the other. The raw mail keeps every byte.
FITTED: dict[type[SQLModel], tuple[str, ...]] = {
    Contact: ("name", "phone_original", "site"),
    Ticket: ("requester_name", "requester_phone_original", "company_name"),
    TicketMessage: ("from_name",),
    StoredAttachment: ("filename", "content_type", "content_id", "skipped_reason"),
}


def _cut(value: Any, width: int) -> Any:
    return value[: width - 1] + "…" if isinstance(value, str) and len(value) > width else value


def _fit(mapper: Any, connection: Any, target: SQLModel) -> None:
    for name in FITTED[type(target)]:
        value = getattr(target, name)
        cut = _cut(value, mapper.columns[name].type.length)
        if cut is not value:
            setattr(target, name, cut)


def fitted(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    """`values` for a Core INSERT into `model`'s table, cut as the ORM's inserts are."""
    columns = model.__table__.columns  # type: ignore[attr-defined]
    return {**values, **{name: _cut(values[name], columns[name].type.length)
                         for name in FITTED[model] if name in values}}


for _model in FITTED:
    event.listen(_model, "before_insert", _fit)
    event.listen(_model, "before_update", _fit)
