"""Match: which ticket this mail belongs to, strongest evidence first. Never a fuzzy subject.

1. a signed reply address among the recipients (`support+INC0000123-<sig>@`),
2. In-Reply-To / References against every Message-ID we stored, incoming and outgoing, and
   the Message-ID of the mail a bounce returns (RFC 3462 report),
3. the subject tag `[INC0000123]`, once reply and forward prefixes are removed,
4. a reply address whose signature is not ours: its reference counts as much as a subject tag.

Every ticket the mail points at is kept, strongest first: the authorize stage takes the first
the sender may add to (a customer who answers with their own tag on a thread that is someone
else's lands on their own ticket, never on the other one).

The strongest ticket is loaded FOR UPDATE (PostgreSQL; SQLite locks the whole database anyway):
two replies to one ticket take turns, and the due sweep's SKIP LOCKED passes over a ticket a
reply is changing. Authorize locks a weaker one before it takes it.
"""

from __future__ import annotations

import re

from sqlmodel import select

from parsing.subject import strip_reply_prefixes
from tickets.models import Ticket, TicketMessage
from tickets.pipeline.context import Candidate, Intake
from tickets.signing import read_reply_address

# Headers that carry the address a mail was delivered to, besides the envelope.
_RECIPIENT_HEADERS = ("delivered-to", "x-original-to", "envelope-to")


class Match:
    name = "match"

    def run(self, intake: Intake) -> None:
        if self._seen_before(intake):
            return
        signed, unsigned = self._reply_addresses(intake)
        found = [*signed, *self._thread(intake), *self._subject_tag(intake), *unsigned]
        seen: set[int | None] = set()
        for candidate in found:
            if candidate.ticket.id in seen:
                continue
            seen.add(candidate.ticket.id)
            intake.candidates.append(candidate)
            if len(intake.candidates) == 1:
                intake.decide(self.name, candidate.evidence)
            else:
                intake.decide(
                    self.name, f"also names {candidate.ticket.reference} ({candidate.evidence})"
                )
        if intake.candidates:
            first = intake.candidates[0]
            intake.ticket, intake.signed_role = lock(intake, first.ticket), first.signed_role

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

    def _reply_addresses(self, intake: Intake) -> tuple[list[Candidate], list[Candidate]]:
        """Tickets named by signed reply addresses among the recipients, and by addresses of
        that form whose signature is not ours."""
        parsed = intake.parsed
        addresses = [
            *intake.inbound.envelope_to,
            *(a.email for a in (*parsed.to, *parsed.cc)),
            *(v.strip().strip("<>") for h in _RECIPIENT_HEADERS for v in parsed.header_all(h)),
        ]
        signed: list[Candidate] = []
        unsigned: list[Candidate] = []
        for address in dict.fromkeys(a.lower() for a in addresses if a):
            found = read_reply_address(intake.policy, address)
            if found is None:
                continue
            ticket = self._ticket(intake, found.reference)
            if found.role is None:
                intake.decide(self.name, f"ignored {address}: its signature is not ours")
                if ticket is not None:
                    unsigned.append(Candidate(
                        ticket, f"reply address for {ticket.reference} with a signature that "
                        "is not ours, which counts no more than a subject tag",
                    ))
            elif ticket is not None:
                signed.append(Candidate(
                    ticket, f"signed {found.role} reply address for {ticket.reference}",
                    found.role,
                ))
        return signed, unsigned

    def _thread(self, intake: Intake) -> list[Candidate]:
        thread_ids = intake.parsed.thread_ids
        returned = intake.parsed.returned_message_id
        if returned and returned not in thread_ids:
            thread_ids = (*thread_ids, returned)
        if not thread_ids:
            return []
        found = intake.session.exec(
            select(TicketMessage.ticket_id, TicketMessage.message_id).where(
                TicketMessage.message_id.in_(thread_ids)  # type: ignore[union-attr]
            )
        ).all()
        by_id = {message_id: ticket_id for ticket_id, message_id in found}
        candidates = []
        for message_id in thread_ids:  # nearest first
            ticket = intake.session.get(Ticket, by_id[message_id]) if message_id in by_id else None
            if ticket is not None:
                how = "returns" if message_id == returned else "answers"
                candidates.append(Candidate(ticket, f"{how} message <{message_id}>"))
        return candidates

    def _subject_tag(self, intake: Intake) -> list[Candidate]:
        prefix = re.escape(intake.policy.desk.reference_prefix)
        tag = re.search(
            rf"\[\s*({prefix}\d{{3,12}})\s*\]", strip_reply_prefixes(intake.parsed.subject),
            re.IGNORECASE,
        )
        if not tag:
            return []
        reference = tag.group(1).upper()
        ticket = self._ticket(intake, reference)
        if ticket is None:
            intake.named_reference = reference  # a new ticket notes it (unless matched)
            intake.decide(self.name, f"subject names {reference}, which does not exist")
            return []
        return [Candidate(ticket, f"subject tag [{reference}]")]

    @staticmethod
    def _ticket(intake: Intake, reference: str) -> Ticket | None:
        return intake.session.exec(select(Ticket).where(Ticket.reference == reference)).first()


def lock(intake: Intake, ticket: Ticket) -> Ticket:
    """`ticket` again, locked for this transaction and re-read (another may just have changed
    it)."""
    locked = intake.session.get(Ticket, ticket.id, with_for_update=True, populate_existing=True)
    assert locked is not None
    return locked
