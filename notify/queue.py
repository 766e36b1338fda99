"""Render and store one outgoing mail (queue_mail), for the handlers of every kind of event.
Only the sender (notify.sender) talks to SMTP."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from notify.compose import Outgoing, compose, new_message_id
from notify.outlook import thread_headers
from notify.render import render
from notify.replyto import signed_reply_to
from tickets import lifecycle
from tickets.desk import DeskPolicy
from tickets.events import Event
from tickets.models import Contact, Outbox, Ticket, TicketMessage
from tickets.scrub import is_anonymised


@dataclass(frozen=True, slots=True)
class Notifier:
    policy: DeskPolicy
    templates_dir: Path
    admin: str = ""  # [admin] address: told of what goes wrong with mailgate itself

    @property
    def domain(self) -> str:
        return self.policy.desk.address.rpartition("@")[2] or "localhost"


def thread_of(session: Session, ticket: Ticket) -> list[str]:
    """Message-IDs of the ticket's public conversation, oldest first."""
    ids = session.exec(
        select(TicketMessage.message_id)
        .where(TicketMessage.ticket_id == ticket.id, TicketMessage.internal == False)  # noqa: E712
        .order_by(TicketMessage.id)  # type: ignore[arg-type]
    ).all()
    return [mid for mid in ids if mid]


def queue_mail(
    session: Session,
    notifier: Notifier,
    now: datetime,
    *,
    kind: str,
    dedup_key: str,
    ticket: Ticket | None,
    to: list[str],
    context: dict[str, Any],
    subject: str,
    cc: list[str] | None = None,
    in_reply_to: str = "",
    auto_submitted: str = "auto-replied",
    reply_to: str = "",
    internal_copy: bool = False,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> Outbox | None:
    """Render and store one mail; a second call with the same `dedup_key` does nothing, nor
    does one with nobody left to write to (an anonymised requester is never written to)."""
    to = [a for a in to if not is_anonymised(a)]
    cc = [a for a in cc or [] if not is_anonymised(a)]
    if not to:
        to, cc = cc, []  # the others copied still hear of the ticket
    if not to:
        return None
    if session.exec(select(Outbox.id).where(Outbox.dedup_key == dedup_key)).first() is not None:
        return None
    desk = notifier.policy.desk
    if not reply_to and ticket is not None:
        requester = session.get(Contact, ticket.requester_id)
        reply_to = signed_reply_to(
            notifier.policy, ticket.reference, to, requester.email if requester else ""
        )
    text, html = render(notifier.templates_dir, kind, {"desk": desk, "ticket": ticket, **context})
    message_id = new_message_id(notifier.domain)
    references = thread_of(session, ticket) if ticket is not None else []
    topic, index = thread_headers(session, ticket, now) if ticket is not None else ("", "")
    raw = compose(
        Outgoing(
            from_name=desk.name,
            from_addr=desk.address,
            to=to,
            cc=cc or [],
            subject=subject,
            text=text,
            html=html,
            now=now,
            domain=notifier.domain,
            reply_to=reply_to,
            in_reply_to=in_reply_to,
            references=references,
            auto_submitted=auto_submitted,
            thread_topic=topic,
            thread_index=index,
            attachments=attachments,
        ),
        message_id,
    )
    row = Outbox(
        kind=kind,
        dedup_key=dedup_key,
        ticket_id=ticket.id if ticket else None,
        to_addr=to[0],
        recipients=[*to, *(cc or [])],
        subject=subject,
        message_id=message_id,
        raw=raw,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    if ticket is not None:
        lifecycle.record_message(
            session, ticket, now,
            direction="out", from_addr=desk.address, from_name=desk.name, to=to, cc=cc or [],
            subject=subject, body=text, message_id=message_id, outbox_id=row.id,
            internal=internal_copy, automated=auto_submitted != "no",
        )
    return row


def ticket_and_requester(session: Session, event: Event) -> tuple[Ticket, Contact]:
    """The ticket an event is about and the person who asked (both always exist)."""
    ticket = session.get(Ticket, event.ticket_id)
    assert ticket is not None, f"{event.kind} for a ticket that does not exist"
    requester = session.get(Contact, ticket.requester_id)
    assert requester is not None
    return ticket, requester



Handler = Callable[[Session, Notifier, Event, datetime], list[Outbox]]
