"""Match: which ticket this mail belongs to, strongest evidence first. Never a fuzzy subject.

1. a signed reply address among the recipients (`support+INC0000123-<sig>@`),
2. In-Reply-To / References against every Message-ID we stored, incoming and outgoing,
3. the subject tag `[INC0000123]`, once reply and forward prefixes are removed.

The matched ticket is loaded FOR UPDATE (PostgreSQL; SQLite locks the whole database anyway):
two replies to one ticket take turns, and the due sweep's SKIP LOCKED passes over a ticket a
reply is changing.
"""

from __future__ import annotations

import re

from sqlmodel import select

from parsing.subject import strip_reply_prefixes
from tickets.models import Ticket, TicketMessage
from tickets.pipeline.context import Intake
from tickets.signing import read_reply_address

# Headers that carry the address a mail was delivered to, besides the envelope.
_RECIPIENT_HEADERS = ("delivered-to", "x-original-to", "envelope-to")


class Match:
    name = "match"

    def run(self, intake: Intake) -> None:
        if self._seen_before(intake):
            return
        for step in (self._reply_address, self._thread, self._subject_tag):
            if step(intake):
                return

    def _seen_before(self, intake: Intake) -> bool:
        """The same Message-ID already came in (a copy to another of our addresses, altered on
        the way so that the inbound store could not tell): one message, not two."""
        message_id = intake.parsed.message_id
        if not message_id:
            return False
        found = intake.session.exec(
            select(TicketMessage.ticket_id).where(
                TicketMessage.message_id == message_id,
                TicketMessage.inbound_id != None,  # noqa: E711
                TicketMessage.inbound_id != intake.inbound.id,
            )
        ).first()
        if found is None:
            return False
        ticket = intake.session.get(Ticket, found)
        intake.inbound.ticket_id = found
        reference = ticket.reference if ticket else "a ticket"
        intake.decide(self.name, f"<{message_id}> is already on {reference}: a second copy")
        intake.finish("done", f"duplicate: a copy of a message already on {reference}")
        return True

    def _reply_address(self, intake: Intake) -> bool:
        parsed = intake.parsed
        candidates = [
            *intake.inbound.envelope_to,
            *(a.email for a in (*parsed.to, *parsed.cc)),
            *(v.strip().strip("<>") for h in _RECIPIENT_HEADERS for v in parsed.header_all(h)),
        ]
        for address in dict.fromkeys(a.lower() for a in candidates if a):
            signed = read_reply_address(intake.policy, address)
            if signed is None:
                continue
            if signed.role is None:
                intake.decide(self.name, f"ignored {address}: its signature is not ours")
                continue
            ticket = self._ticket(intake, signed.reference)
            if ticket is not None:
                intake.ticket, intake.signed_role = ticket, signed.role
                intake.decide(
                    self.name, f"signed {signed.role} reply address for {ticket.reference}"
                )
                return True
        return False

    def _thread(self, intake: Intake) -> bool:
        thread_ids = intake.parsed.thread_ids
        if not thread_ids:
            return False
        found = intake.session.exec(
            select(TicketMessage.ticket_id, TicketMessage.message_id).where(
                TicketMessage.message_id.in_(thread_ids)  # type: ignore[union-attr]
            )
        ).all()
        by_id = {message_id: ticket_id for ticket_id, message_id in found}
        for message_id in thread_ids:  # nearest first
            if message_id in by_id:
                intake.ticket = intake.session.get(
                    Ticket, by_id[message_id], with_for_update=True
                )
                intake.decide(self.name, f"answers message <{message_id}>")
                return True
        return False

    def _subject_tag(self, intake: Intake) -> bool:
        prefix = re.escape(intake.policy.desk.reference_prefix)
        tag = re.search(
            rf"\[\s*({prefix}\d{{3,12}})\s*\]", strip_reply_prefixes(intake.parsed.subject),
            re.IGNORECASE,
        )
        if not tag:
            return False
        reference = tag.group(1).upper()
        ticket = self._ticket(intake, reference)
        if ticket is None:
            intake.named_reference = reference
            intake.decide(self.name, f"subject names {reference}, which does not exist")
            return False
        intake.ticket = ticket
        intake.decide(self.name, f"subject tag [{reference}]")
        return True

    @staticmethod
    def _ticket(intake: Intake, reference: str) -> Ticket | None:
        return intake.session.exec(
            select(Ticket).where(Ticket.reference == reference).with_for_update()
        ).first()
