"""Thread-Topic and Thread-Index: what Outlook groups a conversation by.

Outlook largely ignores In-Reply-To/References for Internet mail; it groups by the conversation
index ([MS-OXOMSG] §2.2.1.3, PidTagConversationIndex: a 22-byte header block — reserved byte 1,
five bytes of FILETIME, a 16-byte GUID — then a 5-byte child block per reply) and falls back to
the normalised subject (Thread-Topic). Every mail of a ticket carries the same header block:
the customer's own when their first mail came from Outlook (so ours join their conversation),
otherwise one derived from the ticket. Hand-written: no maintained library builds these.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import uuid
from datetime import UTC, datetime
from email.parser import BytesHeaderParser

from sqlalchemy import func
from sqlmodel import Session, select

from tickets.models import InboundMessage, Ticket, TicketMessage

_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_HEADER_BLOCK = 22
_HEAD_BYTES = 65_536  # enough for any header section; a 25 MB mail is not read for it
_NAMESPACE = uuid.UUID("5d1b6a53-3c0e-4a4b-9a51-6d61696c6761")  # mailgate's own namespace


def _filetime(when: datetime) -> int:
    """100-nanosecond intervals since 1601-01-01 UTC."""
    delta = when.astimezone(UTC) - _FILETIME_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def header_block(when: datetime, guid: uuid.UUID) -> bytes:
    # the top five bytes of the FILETIME: its low 24 bits are dropped
    return b"\x01" + (_filetime(when) >> 24).to_bytes(5, "big") + guid.bytes


def child_block(header: bytes, now: datetime) -> bytes:
    """Five bytes: the time since the header block's time, then four random bits and a
    four-bit sequence count ([MS-OXOMSG] §2.2.1.3)."""
    start = int.from_bytes(header[1:6], "big") << 24
    difference = max(_filetime(now) - start, 0)
    if difference < 1 << 49:  # code bit 0: drop the high 15 and low 18 bits
        bits = (difference >> 18) & 0x7FFF_FFFF
    else:  # code bit 1: drop the high 10 and low 23 bits
        bits = (1 << 31) | ((difference >> 23) & 0x7FFF_FFFF)
    return ((bits << 8) | (secrets.randbelow(16) << 4)).to_bytes(5, "big")


def _customer_header_block(session: Session, ticket: Ticket) -> bytes | None:
    """The header block of the Thread-Index on the first mail of the ticket, if it had one."""
    raw = session.exec(
        select(func.substr(InboundMessage.raw, 1, _HEAD_BYTES))
        .join(TicketMessage, TicketMessage.inbound_id == InboundMessage.id)  # type: ignore[arg-type]
        .where(TicketMessage.ticket_id == ticket.id)
        .order_by(TicketMessage.id)  # type: ignore[arg-type]
        .limit(1)
    ).first()
    if raw is None:
        return None
    head = re.split(rb"\r?\n\r?\n", bytes(raw), maxsplit=1)[0]
    value = BytesHeaderParser().parsebytes(head + b"\n\n").get("Thread-Index", "")
    try:
        decoded = base64.b64decode("".join(str(value).split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded[:_HEADER_BLOCK] if len(decoded) >= _HEADER_BLOCK else None


def thread_headers(session: Session, ticket: Ticket, now: datetime) -> tuple[str, str]:
    """(Thread-Topic, Thread-Index) for a mail about `ticket`."""
    header = _customer_header_block(session, ticket) or header_block(
        ticket.created_at, uuid.uuid5(_NAMESPACE, f"{ticket.id}:{ticket.reference}")
    )
    index = base64.b64encode(header + child_block(header, now)).decode("ascii")
    return ticket.subject, index
