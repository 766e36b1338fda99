"""`mailgate import`'s work: old mail stored and processed in Date order, as if it had arrived
then, without sending mail for events long past.

- Each message is stored with `received_at` = its time (mailgate.mailboxes) in the state
  IMPORTING, which the daemon's pipeline never takes, then released and processed at that time
  (`Waiting.at`), a batch at a time. The mail the pipeline writes for it is kept in the outbox
  as `suppressed` (never sent) unless `notify`.
- The scheduler runs along in the past: before each batch, the imported tickets and held
  requests due by its first message's time get their actions (reminders, SLA marks, closing,
  expiry) at that time; after the last batch, at the real time. The mail those actions write is
  always suppressed, so nothing that fell due before the import is ever sent, and afterwards
  the daemon finds nothing of the import overdue.
- Resumable: the store deduplicates (by Message-ID, else by header and body), so a second run
  skips what was stored; a message stored but not processed (IMPORTING) is processed then.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from mailgate.batches import process_states
from mailgate.config import Config
from mailgate.errors import one_line
from mailgate.intake.store import Arrival, Stored, StoreError, store_arrivals
from mailgate.parsers import Waiting
from mailgate.pipeline import notifier_for, suppress
from notify.outbox import enqueue
from tickets import schedule
from tickets.due import run_due
from tickets.models import InboundMessage, PendingRequest, Ticket
from tickets.pending import WAITING, expire_due

log = logging.getLogger("mailgate.import")

IMPORTING = "importing"  # InboundMessage.state: stored by an import, not yet processed
SOURCE_PREFIX = "import:"
SOURCE_LENGTH = 200  # InboundMessage.source


def source_for(path: str) -> str:
    """`import:<path>`, its start cut when too long (the end names the file)."""
    source = SOURCE_PREFIX + path
    if len(source) > SOURCE_LENGTH:
        source = SOURCE_PREFIX + "…" + path[-(SOURCE_LENGTH - len(SOURCE_PREFIX) - 1):]
    return source


@dataclass(frozen=True, slots=True)
class OldMail:
    name: str  # how the user finds it in the mailbox (for messages)
    raw: bytes
    at: datetime


@dataclass
class Summary:
    created: int = 0
    follow_ups: int = 0
    held: int = 0
    screened: int = 0
    copies: int = 0  # the same mail already on a ticket (a copy with another Message-ID)
    already_stored: int = 0  # stored by an earlier run (or another door): skipped
    repeated: int = 0  # the same message twice in the mailbox: the second skipped
    left: int = 0  # the database could not take it now: a re-run processes it
    unreadable: list[str] = field(default_factory=list)
    quarantined: Counter[str] = field(default_factory=Counter)

    @property
    def handled(self) -> int:
        return (self.created + self.follow_ups + self.held + self.screened + self.copies
                + self.already_stored + self.repeated + self.left + len(self.unreadable)
                + sum(self.quarantined.values()))

    def count(self, state: str, reason: str) -> None:
        if state == "done":
            if reason.startswith(("new ticket", "new linked")):
                self.created += 1
            elif reason.startswith("duplicate"):
                self.copies += 1
            else:  # follow up, technician reply
                self.follow_ups += 1
        elif state == "held":
            self.held += 1
        elif state == "screened":
            self.screened += 1
        elif state == "quarantined":
            self.quarantined[reason] += 1
        else:  # IMPORTING still: the database deferred it
            self.left += 1


class Backfill:
    """One import run into the desk at `engine`."""

    def __init__(self, engine: Engine, config: Config, source: str, *, notify: bool) -> None:
        self.engine, self.config, self.source, self.notify = engine, config, source, notify
        self.summary = Summary()
        self.tickets: set[int] = set()  # tickets imported mail made or touched
        self.requests: set[int] = set()  # requests held for details, from imported mail
        self.first_new_id = self._next_id()
        self._resume()

    def _next_id(self) -> int:
        with Session(self.engine) as session:
            newest = session.exec(select(col(InboundMessage.id)).order_by(
                col(InboundMessage.id).desc()).limit(1)).first()
        return (newest or 0) + 1

    def _resume(self) -> None:
        """What an earlier run of this import made, for the scheduler to keep in step."""
        with Session(self.engine) as session:
            self.tickets.update(i for i in session.exec(
                select(InboundMessage.ticket_id).where(
                    InboundMessage.source == self.source,
                    col(InboundMessage.ticket_id).is_not(None))).all() if i is not None)
            self.requests.update(i for i in session.exec(
                select(PendingRequest.id).join(
                    InboundMessage, col(InboundMessage.id) == PendingRequest.inbound_id
                ).where(InboundMessage.source == self.source,
                        PendingRequest.state == WAITING)).all() if i is not None)

    def run_batch(self, batch: Sequence[OldMail]) -> None:
        """Store, catch the scheduler up to the first message's time, process: in that order."""
        if not batch:
            return
        stored = self._store(batch)
        ours = self._ours(stored)
        self.catch_up(batch[0].at)
        if ours:
            self._process(ours)

    def _store(self, batch: Sequence[OldMail]) -> list[tuple[OldMail, int, bool]]:
        arrivals = [Arrival(mail.raw, mail.at, state=IMPORTING) for mail in batch]
        try:
            results: list[Stored | None] = list(
                store_arrivals(self.engine, arrivals, source=self.source))
        except StoreError as exc:
            if exc.unavailable or len(batch) == 1:
                raise
            # one message the database refuses (too large a value…): the others go in alone
            log.warning("a batch could not be stored (%s); storing one at a time", exc)
            results = [self._store_alone(mail, arrival)
                       for mail, arrival in zip(batch, arrivals, strict=True)]
        return [(mail, result.id, result.duplicate)
                for mail, result in zip(batch, results, strict=True) if result is not None]

    def _store_alone(self, mail: OldMail, arrival: Arrival) -> Stored | None:
        try:
            [result] = store_arrivals(self.engine, [arrival], source=self.source)
        except StoreError as exc:
            if exc.unavailable:
                raise
            self.summary.unreadable.append(f"{mail.name}: not stored: {exc}")
            return None
        return result

    def _ours(self, stored: list[tuple[OldMail, int, bool]]) -> list[Waiting]:
        """The messages this import is to process: those just stored, and those an earlier
        run stored and did not process; the others are counted as skipped."""
        duplicates = [inbound_id for _, inbound_id, duplicate in stored if duplicate]
        with Session(self.engine) as session:
            rows = {row.id: row for row in session.exec(
                select(InboundMessage.id, InboundMessage.state, InboundMessage.source).where(
                    col(InboundMessage.id).in_(duplicates)))} if duplicates else {}
        ours: list[Waiting] = []
        seen: set[int] = set()
        for mail, inbound_id, duplicate in stored:
            row = rows.get(inbound_id)
            waiting = not duplicate or (row is not None and (
                row.state == IMPORTING
                or (row.state == "received" and row.source.startswith(SOURCE_PREFIX))))
            if waiting and inbound_id not in seen:
                seen.add(inbound_id)
                ours.append(Waiting(inbound_id, mail.raw, len(mail.raw), at=mail.at))
            elif inbound_id in seen or inbound_id >= self.first_new_id:
                self.summary.repeated += 1
            else:
                self.summary.already_stored += 1
        return ours

    def _process(self, ours: list[Waiting]) -> None:
        ids = [item.id for item in ours]
        try:
            self._set_state(ids, IMPORTING, "received")  # released: the pipeline may take them
            # every message has its own time (`Waiting.at`); `now` is for none of them
            process_states(self.engine, self.config, ours, ours[-1].at or ours[0].at,  # type: ignore[arg-type]
                           hold_mail=not self.notify)
        finally:
            # Whatever is still waiting (deferred, or an interrupted pass) goes back to wait
            # for the next run, out of the daemon's way.
            self._set_state(ids, "received", IMPORTING)
        self._count(ids)

    def _set_state(self, ids: list[int], old: str, new: str) -> None:
        with Session(self.engine) as session:
            session.execute(update(InboundMessage).where(
                col(InboundMessage.id).in_(ids), InboundMessage.state == old,
            ).values(state=new))
            session.commit()

    def _count(self, ids: list[int]) -> None:
        with Session(self.engine) as session:
            rows = session.exec(select(
                InboundMessage.state, InboundMessage.reason, InboundMessage.ticket_id,
            ).where(col(InboundMessage.id).in_(ids))).all()
            held = session.exec(select(PendingRequest.id).where(
                col(PendingRequest.inbound_id).in_(ids))).all()
        self.requests.update(i for i in held if i is not None)
        for state, reason, ticket_id in rows:
            if ticket_id is not None:
                self.tickets.add(ticket_id)
            self.summary.count(state, reason)

    def catch_up(self, at: datetime) -> int:
        """Apply the scheduled actions of imported tickets and held requests due by `at`, as
        the daemon would have at that time, their mail suppressed; how many tickets acted."""
        notifier = notifier_for(self.config)
        acted = 0
        with Session(self.engine) as session:
            due = [i for i in session.exec(
                select(Ticket.id).where(col(Ticket.next_action_at) <= at)
                .order_by(col(Ticket.next_action_at))).all() if i in self.tickets]
            for ticket_id in due:
                ticket = session.get(Ticket, ticket_id)
                if ticket is None:
                    continue
                try:
                    with session.begin_nested():
                        events = run_due(session, self.config, ticket, at)
                        suppress(enqueue(session, notifier, events, at))
                        schedule.refresh(ticket, self.config, at)
                    acted += 1
                except Exception as exc:  # as the daemon's sweep: logged, tried again later
                    log.error("ticket %s: scheduled action failed: %s", ticket_id, one_line(exc))
            while self.requests and (expired := expire_due(session, at, only=self.requests)):
                suppress(enqueue(session, notifier, expired, at))
                self.requests.difference_update(
                    int(event.data["pending_id"]) for event in expired)  # type: ignore[call-overload]
            session.commit()
        return acted
