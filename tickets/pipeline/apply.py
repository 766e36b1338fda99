"""Apply: carry out the decision — create or update the ticket and report events."""

from __future__ import annotations

from tickets import arrival, history, lifecycle, participants, pending, replies, technicians
from tickets.contacts import learn_contact
from tickets.events import Event
from tickets.models import Ticket, TicketLink
from tickets.pipeline.context import Intake
from tickets.pipeline.record import fill_from_follow_up, record_on_ticket


class Apply:
    name = "apply"

    def run(self, intake: Intake) -> None:
        if intake.outcome == "held":
            pending.hold(intake)  # no ticket yet: the sender is asked for the missing details
            return
        if intake.outcome in ("new_ticket", "new_linked"):
            ticket = self._new_ticket(intake)
            record_on_ticket(intake, ticket)
        elif intake.outcome == "follow_up" and intake.ticket is not None:
            ticket = intake.ticket
            replies.apply_customer_reply(intake, ticket)
            fill_from_follow_up(intake, ticket)  # a detail the ticket lacked (issue 3)
        elif intake.outcome == "technician_reply" and intake.ticket is not None:
            ticket = intake.ticket
            technicians.apply_technician_reply(intake, ticket)
        else:
            return
        intake.inbound.ticket_id = ticket.id
        intake.finish("done", f"{intake.outcome.replace('_', ' ')}: {ticket.reference}")

    def _new_ticket(self, intake: Intake) -> Ticket:
        parsed, session, now = intake.parsed, intake.session, intake.now
        contact = learn_contact(
            session, intake.sender, now, name=intake.sender_name, company=intake.company
        )
        ticket = lifecycle.open_ticket(
            session,
            intake.policy,
            now,
            requester=contact,
            company=intake.company,
            subject=replies.new_ticket_subject(intake),
            description=self._new_words(intake),
            reason="; ".join(intake.decisions),
        )
        chosen = participants.choose(
            intake.policy, parsed, requester=intake.sender, current=(), skip_staff=False
        )
        ticket.cc = sorted(chosen.added)
        for line in participants.left_out(chosen, intake.policy):
            history.record(session, ticket, "cc", line, now)
        self._store_message(intake, ticket)
        if intake.named_reference:
            self._link(intake, ticket, intake.named_reference)
        lifecycle.touched(ticket, intake.policy, now)
        intake.events.append(
            Event(
                kind="ticket_created",
                ticket_id=ticket.id,
                key=f"ticket_created:{ticket.id}",
                notify=intake.may_autorespond,
                data={"in_reply_to": parsed.message_id, "follows_closed": intake.follows_closed},
            )
        )
        intake.events += arrival.on_new_ticket(session, intake.policy, ticket, now,
                                               notify=intake.may_autorespond)
        return ticket

    @staticmethod
    def _new_words(intake: Intake) -> str:
        """A reply to a closed ticket quotes that ticket, which the new one links to: only what
        the customer wrote now. Any other new request is kept whole (a forward is the request)."""
        return replies.new_text(intake.parsed) if intake.follows_closed else intake.parsed.text

    def _store_message(self, intake: Intake, ticket: Ticket) -> None:
        parsed = intake.parsed
        lifecycle.record_message(
            intake.session,
            ticket,
            intake.now,
            direction="in",
            from_addr=intake.sender,
            from_name=intake.sender_name,
            to=[a.email for a in parsed.to if a.email],
            cc=[a.email for a in parsed.cc if a.email],
            subject=parsed.subject,
            body=self._new_words(intake),
            full_body=parsed.text,
            message_id=parsed.message_id,
            inbound_id=intake.inbound.id,
            automated=bool(intake.automated),
            attachments=parsed.attachments,
        )

    @staticmethod
    def _link(intake: Intake, ticket: Ticket, reference: str) -> None:
        from sqlmodel import select

        other = intake.session.exec(
            select(Ticket).where(Ticket.reference == reference, Ticket.id != ticket.id)
        ).first()
        if other is None:
            # the new ticket may have just been given that very reference (another desk's?)
            detail = f"the mail named {reference}, which does not exist" + (
                " (it is now this ticket's own reference)" if reference == ticket.reference
                else ""
            )
            history.record(intake.session, ticket, "note", detail, intake.now)
            return
        intake.session.add(TicketLink(ticket_id=ticket.id, related_id=other.id, reason="named"))  # type: ignore[arg-type]
        intake.session.add(TicketLink(ticket_id=other.id, related_id=ticket.id, reason="named"))  # type: ignore[arg-type]
        history.record(intake.session, ticket, "linked", f"linked to {reference}", intake.now)
