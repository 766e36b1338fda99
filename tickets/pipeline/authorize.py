"""Authorize: may this sender add to the ticket they matched?

The requester, the people on Cc of the ticket's conversation, contacts of the same company when
`[desk] company_colleagues_may_reply` says so, staff, and a mail system returning a mail of ours
on the ticket (a bounce: recorded, it changes nothing). A confidential ticket takes only the
requester and staff. Anyone else who names the ticket gets a new ticket of their own, linked.

A mail that points at several tickets (a thread that is someone else's, a tag of the sender's
own) goes to the one with the strongest evidence that the sender may add to.
"""

from __future__ import annotations

from tickets.models import Contact, Ticket
from tickets.pipeline.context import Candidate, Intake
from tickets.pipeline.match import lock
from tickets.replies import our_returned_mail


def may_add(intake: Intake, ticket: Ticket) -> str:
    """Why the sender may add to `ticket`, or '' when they may not."""
    if intake.is_staff:
        return f"{intake.sender} is staff"
    requester = intake.session.get(Contact, ticket.requester_id)
    if requester is not None and requester.email == intake.sender:
        return f"{intake.sender} is the requester of {ticket.reference}"
    if intake.auto_reply and our_returned_mail(intake, ticket) is not None:
        return f"a delivery report on our mail on {ticket.reference}"
    if ticket.confidential:
        return ""
    if intake.sender in ticket.cc:
        return f"{intake.sender} took part in {ticket.reference}"
    if (
        intake.policy.desk.company_colleagues_may_reply
        and intake.company is not None
        and intake.company.id == ticket.company_id
    ):
        return f"{intake.sender} is a colleague at {intake.company.name}"
    return ""


class Authorize:
    name = "authorize"

    def run(self, intake: Intake) -> None:
        ticket = intake.ticket
        if ticket is None:
            return
        for rank, candidate in enumerate(intake.candidates or [Candidate(ticket, "")]):
            reason = may_add(intake, candidate.ticket)
            if not reason:
                continue
            if rank:  # weaker evidence than the first, for a ticket the sender may add to
                intake.ticket = lock(intake, candidate.ticket)
                intake.signed_role = candidate.signed_role
                reason += f"; {candidate.evidence} chosen over {ticket.reference}"
            intake.decide(self.name, reason)
            return
        confidential = " (confidential)" if ticket.confidential else ""
        intake.decide(
            self.name,
            f"{intake.sender} may not add to {ticket.reference}{confidential}: "
            "a new ticket will link to it",
        )
        intake.named_reference = ticket.reference
        intake.ticket, intake.signed_role = None, ""
