"""Build outgoing mail that threads in Gmail, Outlook and Thunderbird and never starts a loop."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.charset import QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

from tickets.desk import DeskPolicy
from tickets.models import Ticket
from tickets.references import reference_pattern


@dataclass(frozen=True, slots=True)
class Outgoing:
    from_name: str
    from_addr: str
    to: Sequence[str]
    subject: str
    text: str
    html: str
    now: datetime
    domain: str
    cc: Sequence[str] = ()
    reply_to: str = ""
    in_reply_to: str = ""  # Message-ID (without brackets) of the mail we answer
    references: Sequence[str] = ()  # the thread so far, oldest first, without brackets
    auto_submitted: str = "auto-replied"  # RFC 3834 §5: 'no' for a person's reply
    thread_topic: str = ""  # Outlook groups a conversation by these two (notify/outlook.py)
    thread_index: str = ""
    attachments: Sequence[tuple[str, str, bytes]] = ()  # (filename, content type, content)


def new_message_id(domain: str) -> str:
    return f"mailgate.{secrets.token_hex(12)}@{domain}"


def tagged_subject(reference: str, subject: str, prefix: str) -> str:
    """`[INC0000001] subject`, leaving a subject that already carries the tag as it is."""
    subject = " ".join(subject.split()) or "(no subject)"
    found = reference_pattern(prefix).search(subject)
    if found and found.group(1).upper() == reference:
        return subject
    return f"[{reference}] {subject}"


def ticket_subject(ticket: Ticket, policy: DeskPolicy, text: str | None = None) -> str:
    """The subject of the desk's mail about `ticket`: its own subject (or `text`), tagged."""
    subject = ticket.subject if text is None else text
    return tagged_subject(ticket.reference, subject, policy.desk.reference_prefix)


# Text parts as quoted-printable UTF-8: readable in the raw mail, safe for any relay.
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


def _one_line(value: str) -> str:
    """Every header value is one line: a CR or LF from a sender's subject or name (decoded from
    an encoded word) would otherwise end the header, or the header block, there."""
    return " ".join(value.split())


def _header(value: str) -> str | Header:
    """RFC 2047-encode only what needs it; plain ASCII stays readable."""
    value = _one_line(value)
    return value if value.isascii() else Header(value, "utf-8")


def _attachment(filename: str, content_type: str, content: bytes) -> MIMEBase:
    maintype, _, subtype = content_type.partition("/")
    if not maintype or not subtype:
        maintype, subtype = "application", "octet-stream"
    part = MIMEBase(maintype, subtype)
    part.set_payload(content)
    encode_base64(part)
    # RFC 2231 for names that are not ASCII
    name: str | tuple[str, str, str] = filename if filename.isascii() else ("utf-8", "", filename)
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part


def compose(mail: Outgoing, message_id: str) -> bytes:
    # The stdlib's compat32 classes build the same mail as EmailMessage(policy=SMTP) in a
    # quarter of the time, which counts on the ingest path (one acknowledgement per ticket).
    message = MIMEMultipart("mixed" if mail.attachments else "alternative")
    message["From"] = formataddr((_one_line(mail.from_name), mail.from_addr), charset="utf-8")
    message["To"] = ", ".join(mail.to)
    if mail.cc:
        message["Cc"] = ", ".join(mail.cc)
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = _header(mail.subject)
    message["Date"] = format_datetime(mail.now)
    message["Message-ID"] = f"<{message_id}>"
    if mail.in_reply_to:
        message["In-Reply-To"] = f"<{mail.in_reply_to}>"
    chain = list(dict.fromkeys([*mail.references, mail.in_reply_to] if mail.in_reply_to
                               else mail.references))
    if chain:
        # RFC 5322 §3.6.4; keep the first and the latest ids when a thread grows long
        if len(chain) > 20:
            chain = [chain[0], *chain[-19:]]
        message["References"] = " ".join(f"<{mid}>" for mid in chain)
    if mail.thread_index:
        message["Thread-Topic"] = _header(mail.thread_topic)
        message["Thread-Index"] = mail.thread_index
    message["Auto-Submitted"] = mail.auto_submitted
    if mail.auto_submitted != "no":
        # Exchange honours this and sends no out-of-office answer to our automatic mail
        message["X-Auto-Response-Suppress"] = "All"
    body = MIMEMultipart("alternative") if mail.attachments else message
    body.attach(MIMEText(mail.text, "plain", _UTF8_QP))
    body.attach(MIMEText(mail.html, "html", _UTF8_QP))
    if mail.attachments:
        message.attach(body)
        for filename, content_type, content in mail.attachments:
            message.attach(_attachment(filename, content_type, content))
    return message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
