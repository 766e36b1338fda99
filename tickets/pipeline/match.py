"""Match: which ticket this mail belongs to, strongest evidence first. Never a fuzzy subject."""

from __future__ import annotations

from sqlmodel import select

from tickets.models import Ticket, TicketMessage
from tickets.pipeline.context import Intake
from tickets.references import reference_pattern


class Match:
    name = "match"

    def run(self, intake: Intake) -> None:
        session = intake.session
        thread_ids = intake.parsed.thread_ids
        if thread_ids:
            found = session.exec(
                select(TicketMessage.ticket_id, TicketMessage.message_id).where(
                    TicketMessage.message_id.in_(thread_ids)  # type: ignore[union-attr]
                )
            ).all()
            by_id = {message_id: ticket_id for ticket_id, message_id in found}
            for message_id in thread_ids:  # nearest first
                if message_id in by_id:
                    intake.ticket = session.get(Ticket, by_id[message_id])
                    intake.decide(self.name, f"answers message <{message_id}>")
                    return
        tag = reference_pattern(intake.policy.desk.reference_prefix).search(
            intake.parsed.subject
        )
        if tag:
            reference = tag.group(1).upper()
            ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).first()
            if ticket is None:
                intake.named_reference = reference
                intake.decide(self.name, f"subject names {reference}, which does not exist")
                return
            intake.ticket = ticket
            intake.decide(self.name, f"subject tag [{reference}]")
