"""A mail that arrives again under a stored mail's dedup key, but from someone else.

The dedup key is the Message-ID and the body (parsing.fingerprint): the same mail through
another door or redelivered by a retrying server is absorbed silently. Whoever reuses another
mail's Message-ID and body from a different envelope sender or From, though, is not that mail
arriving again: it is recorded, quarantined with the reason, and never absorbed into the other.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func
from sqlmodel import Session, select

from parsing.fingerprint import from_address
from tickets.models import InboundMessage

# The From of both mails is read from this much of their start, not the whole (maybe 25 MB)
# mail: the same length on both sides, so that a From past it (behind a 12,000-address To) is
# unknown on both, never a difference between a mail and its own redelivery
HEAD_BYTES = 256 * 1024


def _envelope(address: str) -> str:
    return address.strip().strip("<>").lower()


def impostor_reason(
    session: Session, stored_id: int, raw: bytes, envelope_from: str
) -> str:
    """Why `raw` is not the stored mail `stored_id` arriving again, or '' when it is.

    Envelope senders are compared only when both doors knew one (IMAP and a pipe without -f
    know none); a bounce's null sender '<>' is a sender like any other."""
    row = session.exec(
        select(InboundMessage.envelope_from, func.substr(InboundMessage.raw, 1, HEAD_BYTES))
        .where(InboundMessage.id == stored_id)
    ).one()
    stored_envelope, stored_head = row[0], bytes(row[1] or b"")
    differences = []
    if envelope_from and stored_envelope and _envelope(envelope_from) != _envelope(stored_envelope):
        differences.append(f"envelope sender {envelope_from} (stored: {stored_envelope})")
    author, stored_author = from_address(raw[:HEAD_BYTES]), from_address(stored_head)
    if author != stored_author:
        differences.append(f"From {author or '(none)'} (stored: {stored_author or '(none)'})")
    if not differences:
        return ""
    return (
        f"duplicate of message {stored_id} (same Message-ID and body) from another sender: "
        + "; ".join(differences)
    )[:2000]


def impostor_key(dedup_key: str, raw: bytes, envelope_from: str) -> str:
    """The key of the recorded impostor: the same forgery arriving again is one row."""
    text = f"{dedup_key}\0{_envelope(envelope_from)}\0{from_address(raw[:HEAD_BYTES])}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
