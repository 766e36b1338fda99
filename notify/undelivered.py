"""A mail of ours that ends failed: its ticket's history says so, and a person is told once.

The sender (`notify.sender`) marks a row failed when the server refuses it for good (5xx), when
`smtp_out.max_attempts` are used up, or when the connection was lost after the whole mail went
out (it may have arrived, so it is never sent again automatically). Each such row on a ticket
gets a line in the ticket's history. For the first two the customer has certainly not read it,
so the ticket's assignee — else the escalation address, else the desk's staff — is told, with
the `delivery_failed` mail a returned bounce also sends: once per ticket and set of addresses
that could not be reached, however many of the ticket's mails to them fail.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from notify.compose import ticket_subject
from notify.queue import Notifier, queue_mail
from tickets import history
from tickets.models import Outbox, Ticket

# outcomes of notify.relay.send_one after which the mail is known not to have arrived
NOT_DELIVERED = ("bounced", "retry", "failed")


def note_undelivered(
    engine: Engine, notifier: Notifier, outcomes: dict[int, tuple[str, str]], now: datetime
) -> None:
    """History lines and the one mail to staff for the rows of `outcomes` now `failed`."""
    with Session(engine) as session:
        failed = session.exec(
            select(Outbox)
            .where(col(Outbox.id).in_(list(outcomes)), Outbox.state == "failed",
                   Outbox.ticket_id != None)  # noqa: E711
            .order_by(Outbox.id)  # type: ignore[arg-type]
        ).all()
        if not failed:
            return
        by_ticket: dict[int, list[Outbox]] = defaultdict(list)
        for row in failed:
            by_ticket[row.ticket_id].append(row)  # type: ignore[index]
        for ticket_id, rows in by_ticket.items():
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            for row in rows:
                history.record(session, ticket, "undelivered", _line(row), now)
            lost = [row for row in rows if outcomes[row.id][0] in NOT_DELIVERED  # type: ignore[index]
                    and row.kind != "delivery_failed"]  # never a mail about our own notice
            if lost:
                _tell(session, notifier, ticket, lost, now)
        session.commit()


def _line(row: Outbox) -> str:
    recipients = ", ".join(row.recipients) or row.to_addr
    return (f"our {row.kind} mail <{row.message_id}> to {recipients} was not delivered: "
            f"{row.last_error}")


def _tell(
    session: Session, notifier: Notifier, ticket: Ticket, rows: list[Outbox], now: datetime
) -> None:
    refused = sorted({address.lower() for row in rows for address in row.recipients})
    schedule, desk = notifier.policy.schedule, notifier.policy.desk
    candidates = [ticket.assignee, (schedule.escalation_address or "").lower(), *desk.staff]
    staff = [a for a in candidates if a and a.lower() not in refused][:1]
    if not staff:
        return  # nobody left to tell by mail: the history says it
    digest = hashlib.sha256(",".join(refused).encode()).hexdigest()[:16]
    first = rows[0]
    queue_mail(
        session, notifier, now,
        kind="delivery_failed",
        dedup_key=f"ticket:{ticket.id}:undelivered:{digest}",
        ticket=ticket,
        to=staff,
        context={
            "recipients": refused,
            "sent_at": notifier.policy.local_time(now),
            "returned_subject": first.subject,
            "report": "\n".join(f"{row.kind}: {row.last_error}" for row in rows),
        },
        subject=ticket_subject(ticket, notifier.policy),
        auto_submitted="auto-generated",
        internal_copy=True,
    )
    history.record(session, ticket, "undelivered",
                   f"told {staff[0]} that {', '.join(refused)} could not be reached", now)
