"""Decide: what this mail does — a new ticket, a follow-up, or nothing but a record."""

from __future__ import annotations

from tickets.pipeline.context import Intake


class Decide:
    name = "decide"

    def run(self, intake: Intake) -> None:
        if intake.ticket is not None:
            intake.outcome = "follow_up"
            intake.decide(self.name, f"follow-up on {intake.ticket.reference}")
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
        intake.outcome = "new_linked" if intake.named_reference else "new_ticket"
        intake.decide(self.name, "a new ticket")
