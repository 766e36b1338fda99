"""Outgoing mail is well-formed, threads, and survives non-ASCII names and subjects."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

from notify.compose import Outgoing, compose, tagged_subject, ticket_subject
from tickets.desk import DeskPolicy
from tickets.models import Ticket

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def outgoing(**overrides: object) -> Outgoing:
    values: dict[str, object] = {
        "from_name": "Service Desk – Zürich",
        "from_addr": "support@desk.example",
        "to": ["jane@school.example"],
        "subject": "[INC0000001] Drucker im Raum 12 – Papierstau",
        "text": "Grüße,\nyour request is logged.\n",
        "html": "<p>Grüße</p>",
        "now": NOW,
        "domain": "desk.example",
        "in_reply_to": "first@school.example",
        "references": ["first@school.example"],
    }
    values.update(overrides)
    return Outgoing(**values)  # type: ignore[arg-type]


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def test_headers_decode_back_to_what_was_meant() -> None:
    raw = compose(outgoing(), "mailgate.abc@desk.example")
    message = parse(raw)
    assert message["Subject"] == "[INC0000001] Drucker im Raum 12 – Papierstau"
    assert message["From"].addresses[0].display_name == "Service Desk – Zürich"
    assert message["From"].addresses[0].addr_spec == "support@desk.example"
    assert message["Message-ID"] == "<mailgate.abc@desk.example>"
    assert message["In-Reply-To"] == "<first@school.example>"
    assert message["References"] == "<first@school.example>"
    assert message["Date"].datetime == NOW
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "All"
    text = message.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == "Grüße,\nyour request is logged.\n"
    assert message.get_body(("html",)).get_content().strip() == "<p>Grüße</p>"


def test_wire_format_is_crlf_with_short_lines() -> None:
    chain = [f"m{n}.{'x' * 40}@school.example" for n in range(30)]
    raw = compose(outgoing(references=chain, text="word " * 400), "id@desk.example")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998  # RFC 5322 §2.1.1
    references = parse(raw)["References"].split()
    assert len(references) == 20  # the first and the latest of a long thread
    assert references[0] == f"<{chain[0]}>" and references[-1] == "<first@school.example>"


def test_a_persons_reply_is_not_marked_automatic() -> None:
    message = parse(compose(outgoing(auto_submitted="no"), "id@desk.example"))
    assert message["Auto-Submitted"] == "no"
    assert message["X-Auto-Response-Suppress"] is None


def test_subject_tag_is_added_once() -> None:
    assert tagged_subject("INC0000001", "Printer", "INC") == "[INC0000001] Printer"
    assert tagged_subject("INC0000001", "Re: [INC0000001] Printer", "INC") == (
        "Re: [INC0000001] Printer"
    )
    assert tagged_subject("INC0000002", "  ", "INC") == "[INC0000002] (no subject)"


def test_ticket_subject_tags_the_ticket_or_the_given_text() -> None:
    policy = DeskPolicy.model_validate({"desk": {"reference_prefix": "REQ"}})
    ticket = Ticket(reference="REQ0000007", subject="Re: [REQ0000007]  Printer\tjammed")
    assert ticket_subject(ticket, policy) == "Re: [REQ0000007] Printer jammed"
    assert ticket_subject(ticket, policy, "SLA warning: Printer") == (
        "[REQ0000007] SLA warning: Printer"
    )
