"""Identify: who sent this — staff, a known contact, a company by domain."""

from __future__ import annotations

from tickets.contacts import company_for_sender, ensure_company, find_contact
from tickets.pipeline.context import Intake


class Identify:
    name = "identify"

    def run(self, intake: Intake) -> None:
        sender = intake.parsed.from_.email
        intake.sender, intake.sender_name = sender, intake.parsed.from_.name
        if not sender:
            return
        intake.is_staff = intake.policy.is_staff(sender)
        intake.contact = find_contact(intake.session, sender)
        intake.company = company_for_sender(intake.session, intake.policy, sender)
        default = intake.policy.company_for_source(intake.inbound.source)
        if intake.company is None and default and not intake.is_staff:
            # the mailbox it came through belongs to one company (its [[imap]] `company`)
            configured = next((c for c in intake.policy.companies if c.name == default), None)
            intake.company = ensure_company(
                intake.session, default, configured.domains if configured else ()
            )
        who = "member of staff" if intake.is_staff else (
            "known contact" if intake.contact else "new sender"
        )
        company = f", company {intake.company.name}" if intake.company else ""
        intake.decide(self.name, f"{sender} is a {who}{company}")
