"""What a customer's reply does to the ticket it matched.

- It adds a message: the new text with quotes and signature removed; the full text is kept.
- A ticket waiting on the customer goes back to the working status (the SLA clock resumes).
- A resolved ticket inside `schedule.reopen_window` is reopened, with a history event saying why.
- A closed ticket (or a resolved one past the window) makes a new ticket linked to it, or is
  reopened when `schedule.closed_reply = "reopen"`.
- Automatic mail (out-of-office, bounces) is recorded and changes nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlmodel import select

from parsing import ParsedMessage
from parsing.subject import strip_reply_prefixes
from tickets import history, lifecycle, participants
from tickets.events import Event
from tickets.models import Contact, Ticket, TicketMessage

if TYPE_CHECKING:  # the pipeline imports this module
    from tickets.pipeline.context import Intake


def new_text(parsed: ParsedMessage) -> str:
    """What the sender wrote this time: quoted history and signature removed by parsing."""
    return parsed.reply_text.strip() or parsed.text.strip()


def new_ticket_subject(intake: Intake) -> str:
    """A new ticket's subject: without reply prefixes, nor the tags of other tickets (the one
    it follows is linked; its own tag goes in front)."""
    prefix = re.escape(intake.policy.desk.reference_prefix)
    subject = re.sub(rf"\[\s*{prefix}\d{{3,12}}\s*\]", " ", intake.parsed.subject,
                     flags=re.IGNORECASE)
    return strip_reply_prefixes(subject) or "(no subject)"


def reopen_deadline_passed(intake: Intake, ticket: Ticket) -> bool:
    policy = intake.policy
    since = ticket.resolved_at or ticket.status_changed_at
    deadline = policy.schedule.reopen_window.after(since, policy.calendar())
    return intake.now > deadline


def _is_requester(intake: Intake, ticket: Ticket) -> bool:
    """Staff who raised a ticket of their own answer on it as its requester."""
    requester = intake.session.get(Contact, ticket.requester_id)
    return requester is not None and requester.email == intake.sender


def _category(intake: Intake, ticket: Ticket) -> str:
    status = intake.policy.status(ticket.status)
    return status.category if status else ""


def classify(intake: Intake, ticket: Ticket) -> str:
    """The outcome of a mail matched to `ticket`: technician_reply, follow_up or new_linked."""
    if intake.is_staff and (intake.signed_role == "staff" or not _is_requester(intake, ticket)):
        intake.decide("decide", f"{intake.sender} is staff: a technician reply")
        return "technician_reply"
    if intake.automated:
        intake.decide("decide", f"automatic mail on {ticket.reference}: recorded only")
        return "follow_up"
    category = _category(intake, ticket)
    over = category == "closed" or (
        category == "resolved" and reopen_deadline_passed(intake, ticket)
    )
    if over and intake.policy.schedule.closed_reply == "new_linked":
        intake.decide(
            "decide",
            f"{ticket.reference} is {category} "
            + ("" if category == "closed" else "past the reopen window ")
            + "(schedule.closed_reply = new_linked): a new ticket linked to it",
        )
        intake.follows_closed = intake.named_reference = ticket.reference
        intake.ticket = None
        return "new_linked"
    intake.decide("decide", f"follow-up on {ticket.reference}")
    return "follow_up"


def store_reply(
    intake: Intake, ticket: Ticket, *, body: str, internal: bool = False, verified: bool = True,
    direction: str = "in",
) -> TicketMessage:
    parsed = intake.parsed
    return lifecycle.add_message(
        intake.session,
        ticket,
        intake.now,
        direction=direction,
        from_addr=intake.sender,
        from_name=intake.sender_name,
        to=[a.email for a in parsed.to if a.email],
        cc=[a.email for a in parsed.cc if a.email],
        subject=parsed.subject,
        body=body,
        full_body=parsed.text,
        message_id=parsed.message_id,
        inbound_id=intake.inbound.id,
        internal=internal,
        verified=verified,
        automated=bool(intake.automated),
        attachments=parsed.attachments,
    )


def _learn_participants(intake: Intake, ticket: Ticket) -> None:
    """Whoever the requester or a participant copies in takes part from now on."""
    if ticket.confidential:
        return
    requester = intake.session.get(Contact, ticket.requester_id)
    chosen = participants.choose(
        intake.policy, intake.parsed, requester=requester.email if requester else "",
        current=ticket.cc,
    )
    if chosen.added:
        ticket.cc = sorted({*ticket.cc, *chosen.added})
        history.record(
            intake.session, ticket, "cc", f"now taking part: {', '.join(sorted(chosen.added))}",
            intake.now, intake.sender,
        )
    for line in participants.left_out(chosen, intake.policy):
        history.record(intake.session, ticket, "cc", line, intake.now, intake.sender)


def apply_customer_reply(intake: Intake, ticket: Ticket) -> None:
    message = store_reply(intake, ticket, body=new_text(intake.parsed))
    lifecycle.touched(ticket, intake.policy, intake.now)
    if intake.automated and (returned := our_returned_mail(intake, ticket)):
        _delivery_failed(intake, ticket, message, returned)
        return
    if intake.automated:
        history.record(
            intake.session, ticket, "note",
            f"automatic mail from {intake.sender} recorded; status unchanged", intake.now,
        )
        return
    _learn_participants(intake, ticket)
    intake.events.extend(_status_after_reply(intake, ticket))
    intake.events.append(
        Event(
            kind="customer_replied",
            ticket_id=ticket.id,
            key=f"message:{intake.inbound.id}",
            # the stored message by its key: a mail without a Message-ID has none to look up
            data={"message": message.id, "in_reply_to": intake.parsed.message_id,
                  "sender": intake.sender},
        )
    )


def our_returned_mail(intake: Intake, ticket: Ticket) -> TicketMessage | None:
    """The answer a person wrote on `ticket` that this bounce returns, if it returns one.
    Our automatic mail goes out with a null return path (RFC 3834 §3.3): a report about it is
    no bounce to us, and is screened like any other automatic mail."""
    returned = intake.parsed.returned_message_id
    if not returned:
        return None
    return intake.session.exec(
        select(TicketMessage).where(
            TicketMessage.ticket_id == ticket.id,
            TicketMessage.message_id == returned,
            TicketMessage.direction == "out",
            TicketMessage.automated == False,  # noqa: E712
        )
    ).first()


def _delivery_failed(
    intake: Intake, ticket: Ticket, bounce: TicketMessage, returned: TicketMessage
) -> None:
    """A bounce of our mail: the ticket says who did not get it, the status stays (a bounce
    answers nothing), and the technician hears of it, since the customer has not."""
    failed = list(intake.parsed.failed_recipients) or returned.to
    recipients = ", ".join(failed) or "its recipient"
    history.record(
        intake.session, ticket, "bounce",
        f"our mail <{returned.message_id}> to {recipients} could not be delivered "
        f"(report from {intake.sender or 'the mail system'}); status unchanged",
        intake.now,
    )
    intake.events.append(
        Event(
            kind="delivery_failed",
            ticket_id=ticket.id,
            key=f"message:{intake.inbound.id}",
            data={"bounce": bounce.id, "returned": returned.id, "failed": failed},
        )
    )


def _status_after_reply(intake: Intake, ticket: Ticket) -> list[Event]:
    policy, now = intake.policy, intake.now
    status = policy.status(ticket.status)
    working = policy.working_status
    if status is None:
        return []
    if status.awaits_customer:
        return lifecycle.set_status(
            intake.session, policy, ticket, working, now,
            reason=f"{intake.sender} replied", actor=intake.sender,
        )
    if status.category not in ("resolved", "closed"):
        return []
    if status.category == "resolved" and not reopen_deadline_passed(intake, ticket):
        why = (
            f"reopened: {intake.sender} replied within the reopen window "
            f"({policy.schedule.reopen_window}) after it was resolved"
        )
    else:  # schedule.closed_reply = "reopen" (classify sent the rest to a new ticket)
        why = f"reopened: {intake.sender} replied to the {status.category} ticket " \
              "(schedule.closed_reply = reopen)"
    history.record(intake.session, ticket, "reopened", why, now, intake.sender)
    return lifecycle.set_status(
        intake.session, policy, ticket, working, now, reason=why, actor=intake.sender
    )
