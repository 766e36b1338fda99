"""Screen: mail we must never answer automatically (RFC 3834 §2), and loops."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from parsing.automation import is_auto_reply_or_bounce
from tickets.models import Outbox
from tickets.pipeline.context import Intake


class Screen:
    name = "screen"

    def run(self, intake: Intake) -> None:
        parsed, policy = intake.parsed, intake.policy
        sender = parsed.from_.email
        if sender and policy.is_own_address(sender):
            intake.decide(self.name, f"sent from our own address {sender}: a mail loop")
            intake.finish("screened", f"mail from our own address {sender} (loop)")
            return
        reasons = list(parsed.automated)
        if intake.inbound.envelope_from == "<>":
            reasons.append("null envelope sender (RFC 3834 §2)")
        intake.automated = tuple(dict.fromkeys(reasons))
        intake.auto_reply = is_auto_reply_or_bounce(parsed) or any(
            "null envelope" in r for r in reasons
        )
        if intake.automated:
            intake.may_autorespond = False
            intake.decide(self.name, "no automatic reply: " + "; ".join(intake.automated))
        elif sender and self._over_rate_limit(intake, sender):
            intake.may_autorespond = False
            intake.decide(
                self.name,
                f"no automatic reply: more than {policy.intake.autoreply_limit} automatic mails "
                f"to {sender} in {policy.intake.autoreply_window_minutes} minutes",
            )
        if not sender:
            intake.may_autorespond = False
            intake.decide(self.name, "no usable From address")

    @staticmethod
    def _over_rate_limit(intake: Intake, sender: str) -> bool:
        window = timedelta(minutes=intake.policy.intake.autoreply_window_minutes)
        sent = intake.session.exec(
            select(func.count()).select_from(Outbox).where(
                Outbox.to_addr == sender,
                Outbox.created_at >= intake.now - window,
                Outbox.kind != "technician_reply",  # a person's answer is no automatic reply
            )
        ).one()
        return int(sent) >= intake.policy.intake.autoreply_limit
