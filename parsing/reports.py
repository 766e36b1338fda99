"""Delivery status notifications (RFC 3464, RFC 6533): which recipients a bounce says failed.

Hand-written: the standard library parses the per-recipient fields into header blocks, and no
maintained library reads them further.
"""

from __future__ import annotations

import base64
import binascii
import quopri
from email.message import Message

from parsing.headers import parse_message_ids


def failed_recipients(part: Message) -> list[str]:
    """The addresses a message/delivery-status part (or RFC 6533's global one) reports with
    `Action: failed` (RFC 3464 §2.3.3); delayed, delivered, relayed and expanded recipients
    are no failure."""
    failed: list[str] = []
    for chunk in _body(part).split("\n\n"):
        block = _fields(chunk)
        action = block.get("action", "").lower()
        recipient = block.get("final-recipient", "") or block.get("original-recipient", "")
        # 'rfc822; jane@school.example' (the address type first, RFC 3464 §2.3.2)
        address = recipient.partition(";")[2].strip().strip("<>").lower()
        if action == "failed" and "@" in address and address not in failed:
            failed.append(address)
    return failed


def _body(part: Message) -> str:
    """The part's fields as text, whatever the standard library made of them: it splits
    delivery-status into header blocks, reads the global one as a message, and leaves a
    base64 body undecoded."""
    _, _, body = part.as_string().replace("\r\n", "\n").partition("\n\n")
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    try:
        if encoding == "base64":
            body = base64.b64decode(body).decode("utf-8", "replace")
        elif encoding == "quoted-printable":
            body = quopri.decodestring(body.encode("utf-8", "replace")).decode("utf-8", "replace")
    except (ValueError, binascii.Error):
        return ""
    return body.replace("\r\n", "\n")


def _fields(chunk: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    name = ""
    for line in chunk.splitlines():
        if line[:1].isspace() and name:  # a folded field goes on (RFC 5322 §2.2.3)
            fields[name] = f"{fields[name]} {line.strip()}"
            continue
        key, colon, value = line.partition(":")
        if colon:
            name = key.strip().lower()
            fields[name] = value.strip()
    return fields


def first_message_id(header_text: str) -> str:
    ids = parse_message_ids(header_text)
    return ids[0] if ids else ""
