"""Authorize: may this sender add to the ticket they matched?"""

from __future__ import annotations

from tickets.models import Contact
from tickets.pipeline.context import Intake


class Authorize:
    name = "authorize"

    def run(self, intake: Intake) -> None:
        ticket = intake.ticket
        if ticket is None:
            return
        if intake.is_staff:
            intake.decide(self.name, f"{intake.sender} is staff")
            return
        requester = intake.session.get(Contact, ticket.requester_id)
        if requester is not None and requester.email == intake.sender:
            intake.decide(self.name, f"{intake.sender} is the requester of {ticket.reference}")
            return
        if not ticket.confidential and intake.sender in ticket.cc:
            intake.decide(self.name, f"{intake.sender} took part in {ticket.reference}")
            return
        intake.decide(
            self.name,
            f"{intake.sender} may not add to {ticket.reference}: a new ticket will link to it",
        )
        intake.named_reference = ticket.reference
        intake.ticket = None
