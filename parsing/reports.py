"""Delivery status notifications (RFC 3464): which recipients a bounce says failed.

Hand-written: the standard library parses the per-recipient fields into header blocks, and no
maintained library reads them further.
"""

from __future__ import annotations

from email.message import Message

from parsing.headers import parse_message_ids


def failed_recipients(part: Message) -> list[str]:
    """The addresses a message/delivery-status part reports with `Action: failed` (RFC 3464
    §2.3.3); delayed, delivered, relayed and expanded recipients are no failure."""
    blocks = part.get_payload()
    if isinstance(blocks, str):  # not split into blocks: read the fields line by line
        blocks = [_fields(chunk) for chunk in blocks.replace("\r\n", "\n").split("\n\n")]
    failed: list[str] = []
    for block in blocks if isinstance(blocks, list) else []:
        action = str(block.get("action", "")).strip().lower()
        recipient = str(block.get("final-recipient", "") or block.get("original-recipient", ""))
        # 'rfc822; jane@school.example' (the address type first, RFC 3464 §2.3.2)
        address = recipient.partition(";")[2].strip().strip("<>").lower()
        if action == "failed" and "@" in address and address not in failed:
            failed.append(address)
    return failed


def _fields(chunk: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in chunk.splitlines():
        name, colon, value = line.partition(":")
        if colon and not line[:1].isspace():
            fields[name.strip().lower()] = value.strip()
    return fields


def first_message_id(header_text: str) -> str:
    ids = parse_message_ids(header_text)
    return ids[0] if ids else ""
