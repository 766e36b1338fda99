"""Requests held until the sender supplies the details a ticket needs (seed policy).

A request that lacks a detail, from a sender the desk cannot resolve by address, is held: the
sender gets one `info_request`; their answer (a reply to it, in any order and wording) completes
the request and the ticket is created with the original description. With no answer the request
expires after `[intake] pending_expiry_hours` with a final notice, and stays on record.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from parsing import ParsedMessage
from parsing.details import LABELS
from parsing.subject import strip_reply_prefixes
from tickets.events import Event
from tickets.gathered import Gathered
from tickets.models import InboundMessage, Outbox, PendingRequest, Ticket, TicketMessage
from tickets.pipeline.context import Intake

WAITING, COMPLETED, EXPIRED = "waiting", "completed", "expired"


def should_hold(intake: Intake) -> bool:
    gathered = intake.details
    if gathered is None or intake.pending is not None:
        return False
    if not intake.policy.intake.hold_incomplete_requests:
        return False
    if not gathered.missing(intake.policy.intake.required_details):
        return False
    if intake.contact is not None or intake.company is not None:
        return False  # resolved from the return address: a ticket now, gaps recorded on it
    # without an answer we could not ask: a person at the desk sees the gaps on the ticket
    return intake.may_autorespond and not intake.automated and not intake.named_reference


def hold(intake: Intake) -> PendingRequest:
    gathered = intake.details
    assert gathered is not None
    missing = list(gathered.missing(intake.policy.intake.required_details))
    pending = PendingRequest(
        inbound_id=intake.inbound.id,  # type: ignore[arg-type]
        email=intake.sender,
        missing=missing,
        supplied={k: v for k, v in _supplied(gathered).items() if v},
        subject=intake.parsed.subject,
        created_at=intake.now,
        expires_at=intake.now + timedelta(hours=intake.policy.intake.pending_expiry_hours),
    )
    intake.session.add(pending)
    intake.session.flush()
    intake.events.append(
        Event(
            kind="info_request",
            ticket_id=None,
            key=f"info_request:{pending.id}",
            data={"pending_id": pending.id, "in_reply_to": intake.parsed.message_id},
        )
    )
    wanted = ", ".join(LABELS[m] for m in missing)
    intake.finish("held", f"waiting for details (request #{pending.id}): {wanted}")
    return pending


def _supplied(gathered: Gathered) -> dict[str, str]:
    phone = gathered.phone
    return {
        "name": gathered.name,
        "company": gathered.company,
        "phone": phone.e164 if phone else "",
        "phone_original": phone.original if phone else "",
        "unconfirmed": ",".join(gathered.unconfirmed),  # read on weak evidence only
    }


def answered_by(session: Session, sender: str, parsed: ParsedMessage) -> PendingRequest | None:
    """The held request this mail answers: a reply to our info_request or to the request
    itself (In-Reply-To / References), or, while the request still waits, a mail with the
    request's own subject or our question's ('Re: Details needed: …') from a client that kept
    no reply headers.

    Replies name what they answer, so an expired request is answered by them alone: a late
    answer still deserves its ticket, but a new mail that merely shares a subject ('Printer')
    weeks later is a new request."""
    if not sender:
        return None
    held = select(PendingRequest).where(PendingRequest.email == sender)
    ours_only = False
    if ids := parsed.thread_ids:
        found = _by_thread(session, held, ids)
        if found is not None or _known(session, ids):
            return found  # a reply to a request, or to another thread of ours: no guessing
        # a relay (Amazon SES, some gateways) rewrote our Message-ID on the way out: only our
        # own question's subject is evidence then
        ours_only = True
    subject = " ".join(strip_reply_prefixes(parsed.subject).split()).casefold()
    if not subject:
        return None
    waiting = held.where(PendingRequest.state == WAITING)
    for pending in session.exec(waiting.order_by(PendingRequest.id.desc())).all():  # type: ignore[attr-defined]
        theirs = " ".join((pending.subject or "").split()).casefold()
        ours = (f"details needed: {theirs}", f"not logged: {theirs}")
        if theirs and subject in (ours if ours_only else (theirs, *ours)):
            return pending
    return None


def _by_thread(
    session: Session, held: SelectOfScalar[PendingRequest], ids: tuple[str, ...]
) -> PendingRequest | None:
    """Our question (or its final notice) answered, or the request itself (Outlook's "reply"
    on the sent copy)."""
    open_ = held.where(PendingRequest.state.in_((WAITING, EXPIRED)))  # type: ignore[attr-defined]
    ours = session.exec(
        open_.where(PendingRequest.message_id.in_(ids))  # type: ignore[attr-defined]
    ).first()
    if ours is not None:
        return ours
    return session.exec(
        open_.join(InboundMessage, InboundMessage.id == PendingRequest.inbound_id)  # type: ignore[arg-type]
        .where(InboundMessage.message_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(PendingRequest.id.desc())  # type: ignore[attr-defined]
    ).first()


def _known(session: Session, ids: tuple[str, ...]) -> bool:
    """Whether any of these Message-IDs is a mail we sent or keep on a ticket."""
    on_ticket = select(TicketMessage.id).where(TicketMessage.message_id.in_(ids))  # type: ignore[attr-defined]
    sent = select(Outbox.id).where(Outbox.message_id.in_(ids))  # type: ignore[attr-defined]
    return (
        session.exec(on_ticket).first() is not None or session.exec(sent).first() is not None
    )


def original_inbound(session: Session, pending: PendingRequest) -> InboundMessage:
    inbound = session.get(InboundMessage, pending.inbound_id)
    assert inbound is not None
    return inbound


def expire_due(
    session: Session, now: datetime, limit: int = 200, only: Collection[int] | None = None
) -> list[Event]:
    """Waiting requests past their time: expired, with a final notice; never deleted.
    `only`: of these requests (by id), none other."""
    query = (
        select(PendingRequest)
        .where(PendingRequest.state == WAITING, PendingRequest.expires_at <= now)
        .order_by(PendingRequest.expires_at)  # type: ignore[arg-type]
        .limit(limit)
    )
    if only is not None:
        query = query.where(col(PendingRequest.id).in_(only))
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":  # several daemons: each request expires once
        query = query.with_for_update(skip_locked=True)
    due = session.exec(query).all()
    events: list[Event] = []
    for pending in due:
        pending.state = EXPIRED
        inbound = session.get(InboundMessage, pending.inbound_id)
        if inbound is not None:
            inbound.reason = (
                f"request #{pending.id} expired at {now.isoformat()} without the details "
                f"asked for ({', '.join(pending.missing)}); the sender was told"
            )
        events.append(
            Event(
                kind="info_request_expired",
                ticket_id=None,
                key=f"info_request_expired:{pending.id}",
                data={"pending_id": pending.id},
            )
        )
    session.flush()
    return events


def listing(session: Session, state: str | None = None) -> list[PendingRequest]:
    query = select(PendingRequest).order_by(PendingRequest.id)  # type: ignore[arg-type]
    if state:
        query = query.where(PendingRequest.state == state)
    return list(session.exec(query).all())


def complete(intake: Intake, ticket: Ticket) -> None:
    """The ticket made from a held request: both mails on it, the request marked completed."""
    from tickets import history, lifecycle

    pending, answer = intake.pending, intake.answer
    assert pending is not None and answer is not None
    session, now = intake.session, intake.now
    original = original_inbound(session, pending)
    first = session.exec(
        select(TicketMessage).where(
            TicketMessage.ticket_id == ticket.id, TicketMessage.inbound_id == intake.inbound.id
        )
    ).first()
    if first is not None:
        first.inbound_id = original.id  # the request itself arrived as the original mail
    _link_our_mail(intake, ticket, pending)
    lifecycle.add_message(
        session, ticket, now,
        direction="in",
        from_addr=intake.sender,
        from_name=answer.from_.name,
        to=[a.email for a in answer.to if a.email],
        cc=[a.email for a in answer.cc if a.email],
        subject=answer.subject,
        body=answer.reply_text or answer.text,
        full_body=answer.text,
        message_id=answer.message_id,
        inbound_id=intake.inbound.id,
        attachments=answer.attachments,
    )
    pending.state, pending.ticket_id = COMPLETED, ticket.id
    original.state, original.ticket_id = "done", ticket.id
    original.reason = f"request #{pending.id} completed by the sender's answer: {ticket.reference}"
    supplied = "; ".join(f"{k} from the {v}" for k, v in intake.details.sources.items()
                         if v.startswith("answer")) if intake.details else ""
    history.record(
        session, ticket, "note",
        f"held request #{pending.id} completed by the sender's answer"
        + (f"; supplied: {supplied}" if supplied else ""),
        now, actor=intake.sender,
    )


def _link_our_mail(intake: Intake, ticket: Ticket, pending: PendingRequest) -> None:
    """Our info_request (and final notice) join the ticket's thread, so a later reply to them
    is a follow-up on this ticket, matched by its In-Reply-To like any other."""
    from tickets import lifecycle

    rows = intake.session.exec(
        select(Outbox).where(
            Outbox.dedup_key.in_(  # type: ignore[attr-defined]
                [f"info_request:{pending.id}:mail", f"info_request_expired:{pending.id}:mail"]
            )
        ).order_by(Outbox.id)  # type: ignore[arg-type]
    ).all()
    for row in rows:
        row.ticket_id = ticket.id
        lifecycle.add_message(
            intake.session, ticket, intake.now,
            direction="out",
            from_addr=intake.policy.desk.address,
            from_name=intake.policy.desk.name,
            to=[pending.email],
            subject=row.subject,
            body=f"({row.kind}: asked for {', '.join(pending.missing)})",
            message_id=row.message_id,
            outbox_id=row.id,
            automated=True,
        )
