"""The working state of one message as it passes through the stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from parsing import ParsedMessage
from parsing.details import Details
from tickets.desk import DeskPolicy
from tickets.events import Event
from tickets.gathered import Gathered
from tickets.models import Company, Contact, InboundMessage, PendingRequest, Ticket


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ticket the mail points at, and by what evidence."""

    ticket: Ticket
    evidence: str  # for the decision log: "answers message <…>", "subject tag [INC…]", …
    signed_role: str = ""  # customer | staff when the evidence is a signed reply address


@dataclass
class Intake:
    session: Session
    policy: DeskPolicy
    inbound: InboundMessage
    parsed: ParsedMessage
    now: datetime
    decisions: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    # screen
    automated: tuple[str, ...] = ()  # reasons the mail is machine-generated
    auto_reply: bool = False  # an out-of-office or a bounce
    may_autorespond: bool = True
    # identify
    sender: str = ""
    sender_name: str = ""
    contact: Contact | None = None
    company: Company | None = None
    is_staff: bool = False
    # details (issue 3): the four details gathered; a held request this mail answers, and the
    # answer itself (`parsed` is then the original request)
    details: Gathered | None = None
    read: Details | None = None  # what the mail itself gives, before the desk's records
    read_ahead: Details | None = None  # the same, read by a parsing worker before the stages
    pending: PendingRequest | None = None
    answer: ParsedMessage | None = None
    # match: every ticket the mail points at, strongest evidence first (see Candidate);
    # authorize keeps the first the sender may add to
    candidates: list[Candidate] = field(default_factory=list)
    ticket: Ticket | None = None
    named_reference: str = ""  # a reference the mail names that we did not accept
    signed_role: str = ""  # customer | staff: the mail came through a signed reply address
    follows_closed: str = ""  # a reply to this closed ticket opens a new one linked to it
    # decide: new_ticket | follow_up | new_linked | screened | ...
    outcome: str = ""
    # the end: state of the inbound row (done | screened | quarantined) and why
    final_state: str = ""
    final_reason: str = ""

    def decide(self, stage: str, reason: str) -> None:
        self.decisions.append(f"{stage}: {reason}")

    def finish(self, state: str, reason: str) -> None:
        self.final_state, self.final_reason = state, reason

    @property
    def finished(self) -> bool:
        return bool(self.final_state)


class Stage(Protocol):
    name: str

    def run(self, intake: Intake) -> None: ...
