"""Recognise machine-generated mail (RFC 3834 §2, RFC 3464 bounces, mailing lists)."""

from __future__ import annotations

import re

from parsing.lexicon.phrases import AUTO_REPLY_MARKERS
from parsing.message import ParsedMessage

_ROBOT_LOCALPART = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|donotreply|bounces?)([+\-.].*)?$",
    re.IGNORECASE,
)
_BULK_PRECEDENCE = {"bulk", "junk", "list"}


def classify_automation(message: ParsedMessage) -> tuple[str, ...]:
    """Every reason this mail was written by a machine; empty when a person wrote it."""
    reasons: list[str] = []
    auto_submitted = message.header("auto-submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        reasons.append(f"Auto-Submitted: {auto_submitted} (RFC 3834 §5)")
    return_path = message.header("return-path").strip()
    if return_path in ("<>", "< >"):
        reasons.append("null return path (RFC 3834 §2)")
    precedence = message.header("precedence").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        reasons.append(f"Precedence: {precedence}")
    if message.header("list-id"):
        reasons.append("mailing list (List-Id)")
    for name in ("x-autoreply", "x-autorespond", "x-auto-response-suppress"):
        value = message.header(name).strip().lower()
        if value and (name != "x-auto-response-suppress" or value in ("all", "oof")):
            reasons.append(f"{name}: {value}")
    # 'From: MAILER-DAEMON (Mail Delivery System)' has no domain, so no parsed address
    sender = message.from_.email or message.header("from").split("(")[0].strip().strip("<>")
    localpart = sender.split("@")[0]
    if localpart and _ROBOT_LOCALPART.match(localpart):
        reasons.append(f"sent from a robot address ({sender})")
    content_type = message.header("content-type").lower()
    if "multipart/report" in content_type and "delivery-status" in content_type:
        reasons.append("delivery status notification (RFC 3464)")
    return tuple(reasons)


def is_auto_reply_or_bounce(message: ParsedMessage) -> bool:
    """An out-of-office, vacation notice or bounce: it answers mail, it asks for nothing.

    Other machine mail (monitoring alerts, no-reply notifications) may still deserve a ticket;
    these never do on their own.
    """
    return any(
        marker in reason.lower()
        for reason in message.automated
        for marker in AUTO_REPLY_MARKERS
    )
