"""Decide: what this mail does — a new ticket, a follow-up, or nothing but a record."""

from __future__ import annotations

from tickets import pending, replies
from tickets.pipeline.context import Intake


class Decide:
    name = "decide"

    def run(self, intake: Intake) -> None:
        if intake.ticket is not None:
            # technician_reply | follow_up | new_linked (a reply to a closed ticket)
            intake.outcome = replies.classify(intake, intake.ticket)
            return
        if intake.auto_reply:
            intake.outcome = "screened"
            intake.decide(self.name, "an automatic reply or bounce to no ticket of ours")
            intake.finish("screened", "; ".join(intake.automated))
            return
        if not intake.sender:
            intake.outcome = "quarantine"
            intake.finish("quarantined", "the mail has no usable From address")
            return
        if pending.should_hold(intake):
            intake.outcome = "held"
            intake.decide(self.name, "held: details missing and the sender is not known to us")
            return
        intake.outcome = "new_linked" if intake.named_reference else "new_ticket"
        intake.decide(self.name, "a new ticket")
