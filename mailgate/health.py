"""Whether `serve` is doing its job, for /healthz: every part that has been failing longer than
`[http] unhealthy_after` is named.

The parts: each IMAP mailbox (its state in the database, kept by the follower), the outgoing
SMTP server and the pipeline worker (this process's own experience of them), and the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from mailgate.config import Config
from mailgate.errors import one_line
from notify.sender import DeliveryReport
from tickets.models import MailboxState

SMTP_OUT, PIPELINE, DATABASE = "smtp_out", "pipeline", "database"


@dataclass(frozen=True, slots=True)
class Trouble:
    part: str  # smtp_out, pipeline, database, imap:<mailbox name>
    since: datetime
    error: str

    def as_json(self, now: datetime) -> dict[str, object]:
        return {"part": self.part, "since": self.since.isoformat(),
                "seconds": int((now - self.since).total_seconds()), "error": self.error}


class Health:
    """Failures as this process meets them; `check` adds the mailboxes' from the database."""

    def __init__(self, config: Config, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine, self.clock = engine, clock
        self.mailboxes = tuple(mailbox.name for mailbox in config.imap)
        self.threshold = timedelta(seconds=config.http.unhealthy_after.seconds)
        self._troubles: dict[str, Trouble] = {}
        self._lock = threading.Lock()

    def failed(self, part: str, error: str) -> None:
        """`part` failed now; it has been failing since its first failure after its last ok."""
        with self._lock:
            since = self._troubles[part].since if part in self._troubles else self.clock()
            self._troubles[part] = Trouble(part, since, error)

    def ok(self, part: str) -> None:
        with self._lock:
            self._troubles.pop(part, None)

    def delivered(self, report: DeliveryReport) -> None:
        """A delivery pass: the server failed us, or took mail (one that had nothing to send
        says nothing about it)."""
        if report.relay_error:
            self.failed(SMTP_OUT, report.relay_error)
        elif report.sent:
            self.ok(SMTP_OUT)

    def check(self, worker_alive: bool) -> tuple[bool, dict[str, object]]:
        """Healthy or not, and the body /healthz answers with."""
        now = self.clock()
        self._check_database()
        with self._lock:
            troubles = list(self._troubles.values())
        troubles += self._failing_mailboxes()
        if not worker_alive:
            troubles.append(Trouble(PIPELINE, now - self.threshold, "the worker has stopped"))
        failing = sorted((t for t in troubles if now - t.since >= self.threshold),
                         key=lambda t: t.part)
        body: dict[str, object] = {
            "status": "failing" if failing else "ok",
            "failing": [trouble.as_json(now) for trouble in failing],
            # failing, not yet for long enough to count
            "degraded": [t.as_json(now) for t in troubles if t not in failing],
        }
        return not failing, body

    def _check_database(self) -> None:
        try:
            with Session(self.engine) as session:
                session.exec(select(1)).one()
        except SQLAlchemyError as exc:
            self.failed(DATABASE, one_line(exc))
        else:
            self.ok(DATABASE)

    def _failing_mailboxes(self) -> list[Trouble]:
        if not self.mailboxes:
            return []
        try:
            with Session(self.engine) as session:
                states = session.exec(
                    select(MailboxState).where(col(MailboxState.name).in_(self.mailboxes))
                ).all()
        except SQLAlchemyError:
            return []  # the database's own trouble says it
        return [Trouble(f"imap:{state.name}", state.failing_since,
                        f"{state.status}: {state.last_error}")
                for state in states if state.failing_since is not None]
