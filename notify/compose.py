"""Build outgoing mail that threads in Gmail, Outlook and Thunderbird and never starts a loop."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

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


def new_message_id(domain: str) -> str:
    return f"mailgate.{secrets.token_hex(12)}@{domain}"


def tagged_subject(reference: str, subject: str, prefix: str) -> str:
    """`[INC0000001] subject`, leaving a subject that already carries the tag as it is."""
    subject = " ".join(subject.split()) or "(no subject)"
    found = reference_pattern(prefix).search(subject)
    if found and found.group(1).upper() == reference:
        return subject
    return f"[{reference}] {subject}"


def compose(mail: Outgoing, message_id: str) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = HeaderAddress(display_name=mail.from_name, addr_spec=mail.from_addr)
    message["To"] = ", ".join(mail.to)
    if mail.cc:
        message["Cc"] = ", ".join(mail.cc)
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
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
    message["Auto-Submitted"] = mail.auto_submitted
    if mail.auto_submitted != "no":
        # Exchange honours this and sends no out-of-office answer to our automatic mail
        message["X-Auto-Response-Suppress"] = "All"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message.as_bytes()
