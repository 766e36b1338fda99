"""Turn raw RFC 5322 bytes into a ParsedMessage, with mail-parser over the standard library."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime

import mailparser
from inscriptis import get_text

from parsing.automation import classify_automation
from parsing.headers import decode_header_value, parse_addresses, parse_message_ids
from parsing.message import Address, Attachment, ParsedMessage

DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def parse_message(
    raw: bytes, *, max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
) -> ParsedMessage:
    """Understand a raw message. Never raises for bad mail: problems become `defects`."""
    envelope = email.message_from_bytes(raw, policy=email.policy.compat32)
    defects = [f"{type(d).__name__}" for d in envelope.defects]
    headers = tuple((k, decode_header_value(str(v))) for k, v in envelope.raw_items())

    def first(name: str) -> str:
        for key, value in headers:
            if key.lower() == name:
                return value
        return ""

    text, html, attachments = _body(raw, defects, max_attachment_bytes)
    from_ = parse_addresses(first("from"))
    parsed = ParsedMessage(
        message_id=next(iter(parse_message_ids(first("message-id"))), ""),
        in_reply_to=parse_message_ids(first("in-reply-to")),
        references=parse_message_ids(first("references")),
        from_=from_[0] if from_ else Address("", ""),
        to=parse_addresses(", ".join(v for k, v in headers if k.lower() == "to")),
        cc=parse_addresses(", ".join(v for k, v in headers if k.lower() == "cc")),
        reply_to=parse_addresses(first("reply-to")),
        subject=first("subject"),
        date=_date(first("date")),
        headers=headers,
        text=text,
        html=html,
        attachments=attachments,
        defects=tuple(dict.fromkeys(defects)),
    )
    return _with_automation(parsed)


def _with_automation(parsed: ParsedMessage) -> ParsedMessage:
    from dataclasses import replace

    return replace(parsed, automated=classify_automation(parsed))


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _body(
    raw: bytes, defects: list[str], max_attachment_bytes: int
) -> tuple[str, str, tuple[Attachment, ...]]:
    try:
        mail = mailparser.parse_from_bytes(raw)
    except Exception as exc:  # mail-parser gives up on some broken MIME; keep what stdlib sees
        defects.append(f"mail-parser: {type(exc).__name__}: {exc}")
        return _stdlib_text(raw), "", ()
    plain = "\n".join(mail.text_plain).strip()
    html = "\n".join(mail.text_html).strip()
    text = plain or (get_text(html).strip() if html else "")
    attachments = tuple(_attachment(a, max_attachment_bytes) for a in mail.attachments)
    return text, html, attachments


def _stdlib_text(raw: bytes) -> str:
    message: Message = email.message_from_bytes(raw, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


def _attachment(item: dict, max_bytes: int) -> Attachment:
    payload = item.get("payload") or ""
    if item.get("binary"):
        try:
            content = base64.b64decode(payload)
        except (ValueError, TypeError):
            content = payload.encode("utf-8", "replace")
    else:
        content = payload.encode("utf-8", "replace")
    digest = hashlib.sha256(content).hexdigest()
    too_big = len(content) > max_bytes
    return Attachment(
        filename=item.get("filename") or "attachment",
        content_type=item.get("mail_content_type") or "application/octet-stream",
        size=len(content),
        sha256=digest,
        content=None if too_big else content,
        content_id=(item.get("content-id") or "").strip("<>"),
        skipped_reason=f"larger than the {max_bytes} byte limit" if too_big else "",
    )
