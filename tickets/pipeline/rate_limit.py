"""Rate limit: one sender may open so many new requests per window, and no more.

A broken script, a monitoring system gone wild or a mail loop that slips past the screen sends
hundreds of mails a minute from one address. Without a limit each one is a ticket and an
acknowledgement. `[intake] sender_request_limit` new requests (tickets and held requests) per
`sender_request_window` are taken as usual; past that, within the window, a mail that would open
a new request is added to the sender's newest ticket instead: stored, readable there, with no
acknowledgement, no notification and no change of status. Staff (the escalation and `[admin]`
addresses, else the desk's staff) are told once, naming the sender and the count, and the
ticket's history says so. Why a follow-up rather than quarantine: nothing is lost or needs a
person to release it, the flood sits in one place a technician already looks at, and a real
person who writes many requests at once still has every word on record.

A sender with no ticket from the window to add to (every request of theirs in it held for missing
details) has the mail quarantined with the reason "rate limited": kept whole, and `quarantine
retry` takes it once the window has passed.

Staff are never limited (they forward customers' mail to the desk), nor is an answer to a held
request (it completes a request already counted), nor a follow-up to a ticket (the limit only
stops new ones). The count is read from the database, so it holds across daemons and `ingest`;
on PostgreSQL a transaction-scoped advisory lock per sender makes the count and the new ticket
one step (SQLite has a single writer already).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, text
from sqlmodel import Session, select

from tickets import history, lifecycle, replies
from tickets.events import Event
from tickets.models import Contact, HistoryEvent, PendingRequest, Ticket
from tickets.pipeline.context import Intake
from tickets.pipeline.match import lock

NEW_REQUEST = ("new_ticket", "new_linked", "held")
HISTORY_KIND = "rate_limited"
EVENT_KIND = "sender_rate_limited"


def sender_lock_key(sender: str) -> int:
    """A stable signed 64-bit key for pg_advisory_xact_lock(bigint)."""
    digest = hashlib.sha256(f"mailgate-sender:{sender}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def requests_since(session: Session, sender: str, since: datetime) -> int:
    """New requests `sender` made since `since`: tickets they opened and requests held for
    details (a held request that became a ticket is counted once, as the ticket)."""
    tickets = session.exec(
        select(func.count()).select_from(Ticket).join(Contact, Contact.id == Ticket.requester_id)
        .where(Contact.email == sender, Ticket.created_at >= since)  # type: ignore[arg-type]
    ).one()
    held = session.exec(
        select(func.count()).select_from(PendingRequest).where(
            PendingRequest.email == sender,
            PendingRequest.created_at >= since,
            PendingRequest.ticket_id == None,  # noqa: E711
        )
    ).one()
    return int(tickets) + int(held)


class RateLimit:
    name = "rate_limit"

    def run(self, intake: Intake) -> None:
        limit = intake.policy.intake.sender_request_limit
        if (
            not limit
            or intake.outcome not in NEW_REQUEST
            or intake.is_staff
            or not intake.sender
            or intake.pending is not None
        ):
            return
        self._lock_sender(intake)
        since = intake.now - intake.policy.intake.sender_request_span
        made = requests_since(intake.session, intake.sender, since)
        if made < limit:
            return
        count = made + 1  # this mail asks for one more
        window = intake.policy.intake.sender_request_window
        # the reason is logged: it names no address (the decision log may)
        asked = f"{count} new requests in the last {window} (sender_request_limit {limit})"
        why = f"{intake.sender} asked for {asked}"
        newest = self._newest_ticket(intake, since)
        if newest is None:
            intake.outcome = "quarantine"
            intake.decide(self.name, f"{why}: no ticket of theirs to add to; quarantined")
            intake.finish("quarantined", f"rate limited: the sender asked for {asked}; "
                                         "no ticket of theirs to add to")
            self._tell_staff(intake, None, count, since, self._newest_held(intake))
            return
        ticket = lock(intake, newest)
        intake.ticket, intake.outcome = ticket, "rate_limited"
        intake.decide(self.name, f"{why}: added to {ticket.reference} instead of a new "
                                 "ticket, no acknowledgement")
        # a request of its own, not a reply: kept whole, as a new ticket's first message is
        replies.store_reply(intake, ticket, body=intake.parsed.text)
        lifecycle.touched(ticket, intake.policy, intake.now)
        intake.inbound.ticket_id = ticket.id
        if not self._noted(intake.session, [ticket.id]):
            history.record(
                intake.session, ticket, HISTORY_KIND,
                f"{why}: their further mail is added here until the window passes", intake.now,
                intake.sender,
            )
        self._tell_staff(intake, ticket, count, since, None)
        intake.finish("done", f"rate limited: added to {ticket.reference}")

    @staticmethod
    def _lock_sender(intake: Intake) -> None:
        """Until this transaction ends, no other daemon counts or opens this sender's requests."""
        connection = intake.session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": sender_lock_key(intake.sender)})

    @staticmethod
    def _newest_ticket(intake: Intake, since: datetime) -> Ticket | None:
        """The newest of the tickets this flood made (never an old ticket of the sender's)."""
        return intake.session.exec(
            select(Ticket).join(Contact, Contact.id == Ticket.requester_id)
            .where(Contact.email == intake.sender, Ticket.created_at >= since)  # type: ignore[arg-type]
            .order_by(Ticket.created_at.desc(), Ticket.id.desc())  # type: ignore[attr-defined,union-attr]
        ).first()

    @staticmethod
    def _newest_held(intake: Intake) -> int | None:
        return intake.session.exec(
            select(PendingRequest.id).where(PendingRequest.email == intake.sender)
            .order_by(PendingRequest.id.desc())  # type: ignore[union-attr]
        ).first()

    @staticmethod
    def _noted(session: Session, ticket_ids: list[int | None], since: datetime | None = None
               ) -> bool:
        """Whether one of these tickets' history already records the limit (since `since`)."""
        query = select(HistoryEvent.id).where(
            HistoryEvent.ticket_id.in_(ticket_ids),  # type: ignore[attr-defined]
            HistoryEvent.kind == HISTORY_KIND,
        )
        if since is not None:
            query = query.where(HistoryEvent.at >= since)
        return session.exec(query).first() is not None

    def _tell_staff(
        self, intake: Intake, ticket: Ticket | None, count: int, since: datetime,
        anchor: int | None,
    ) -> None:
        """One mail to staff per flood. While a sender stays over the limit no request of
        theirs is made, so the ticket (or held request) the flood lands on names the flood; a
        sender who hovers at the limit moves to a new ticket now and then, and is not told of
        again while the window still holds a note of the limit on one of their tickets."""
        recent = intake.session.exec(
            select(Ticket.id).join(Contact, Contact.id == Ticket.requester_id)
            .where(Contact.email == intake.sender, Ticket.created_at >= since)  # type: ignore[arg-type]
            .where(Ticket.id != (ticket.id if ticket else None))
        ).all()
        if recent and self._noted(intake.session, list(recent), since):
            return
        place = f"ticket:{ticket.id}" if ticket is not None else f"held:{anchor}"
        intake.events.append(Event(
            kind=EVENT_KIND,
            ticket_id=ticket.id if ticket is not None else None,
            key=f"{EVENT_KIND}:{place}",  # the sender is in the ticket or held request
            data={
                "sender": intake.sender,
                "count": count,
                "limit": intake.policy.intake.sender_request_limit,
                "window": str(intake.policy.intake.sender_request_window),
                "reference": ticket.reference if ticket is not None else "",
            },
        ))
