"""Deliver the outbox over SMTP: claim, send, mark — with retries, backoff and no duplicates."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, Exists, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from notify.queue import Notifier
from notify.relay import NoStartTls, connect, send_one
from notify.settings import SmtpOut
from notify.undelivered import note_undelivered
from tickets.models import Outbox, Ticket

log = logging.getLogger("mailgate.sender")

# A row left in 'sending' this long was being sent by a process that died. It may or may not
# have gone out; at most once means we do not guess, we mark it failed for a person to decide.
# A pass renews the lease of the rows it holds before each mail it writes (`_heartbeat`), so
# only a pass stuck that long on one mail, or gone, loses them.
SENDING_LEASE = timedelta(minutes=15)
INTERRUPTED = "delivery was interrupted"  # how last_error starts for a row a dead pass held
UNREACHABLE = "cannot reach "  # how last_error starts when the relay could not be reached
# How long the outcome of mail already handed to the relay waits for the database to take it.
RECORD_PATIENCE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    # the SMTP server could not be reached, or refused every mail for now: why (for health)
    relay_error: str = ""


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def claim(
    engine: Engine, now: datetime, limit: int = 50, after_id: int | None = None
) -> list[Outbox]:
    """Due rows, marked 'sending'; `after_id`: only rows newer than it (what one run caused)."""
    # expire_on_commit=False: the rows are handed on as they were written, with no round trip
    # after the commit (a database that goes away there would leave them 'sending', unsent)
    with Session(engine, expire_on_commit=False) as session:
        stale = session.exec(
            select(Outbox).where(
                Outbox.state == "sending", Outbox.next_attempt_at < now - SENDING_LEASE
            )
        ).all()
        for row in stale:
            row.state = "failed"
            row.last_error = INTERRUPTED + (
                " (the sending process stopped); not retried "
                "automatically so that nobody gets it twice — `mailgate outbox retry` resends"
            )
        query = (
            select(Outbox)
            .where(Outbox.state == "pending", Outbox.next_attempt_at <= now,
                   Outbox.id > (after_id or 0), ~_earlier_unsent())  # type: ignore[operator]
            .order_by(Outbox.next_attempt_at, Outbox.id)  # type: ignore[arg-type]
            .limit(limit)
        )
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = session.exec(query).all()
        for row in rows:
            row.state = "sending"
            row.attempts += 1
            row.next_attempt_at = now
        session.commit()
        for row in rows:
            session.expunge(row)
        return list(rows)


def _earlier_unsent() -> Exists:
    """An older mail of the same ticket to the same address is still to be sent: this one
    waits for it, so that a customer reads our mail in the order we wrote it (an answer never
    before its acknowledgement) however the retries of each fell."""
    earlier = aliased(Outbox)
    return select(earlier.id).where(
        earlier.ticket_id == Outbox.ticket_id, earlier.to_addr == Outbox.to_addr,
        earlier.id < Outbox.id, col(earlier.state).in_(("pending", "sending")),  # type: ignore[arg-type]
    ).exists()


def _release(engine: Engine, rows: list[Outbox], why: str) -> None:
    """Claimed rows never written to the relay: pending again, as if never claimed."""
    with Session(engine) as session:
        session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_([row.id for row in rows]), Outbox.state == "sending")
            .values(state="pending", attempts=Outbox.attempts - 1)
        )
        session.commit()
    log.info("%s: %s claimed mail(s) left for the next pass", why, len(rows))


def _relay_is_back(engine: Engine, now: datetime) -> None:
    """The relay answers again: mail waiting out a backoff only because it could not be
    reached is due now, rather than up to an hour after the outage ended."""
    with Session(engine) as session:
        session.execute(
            update(Outbox)
            .where(Outbox.state == "pending", Outbox.next_attempt_at > now,  # type: ignore[arg-type]
                   col(Outbox.last_error).startswith(UNREACHABLE))
            .values(next_attempt_at=now)
        )
        session.commit()


def deliver_pending(
    engine: Engine, smtp: SmtpOut, desk_address: str, now: datetime, limit: int = 50,
    after_id: int | None = None, notifier: Notifier | None = None,
    stopping: Callable[[], bool] | None = None, clock: Callable[[], datetime] | None = None,
) -> DeliveryReport:
    """One claim of due rows sent over one connection. With `notifier`, a mail that ends
    failed is written in its ticket's history and the ticket's technician told (see
    `notify.undelivered`). Once `stopping()` is true (the daemon was told to stop), the rows
    not yet written to the relay are released as they were, for the next process. `clock`:
    the time as the pass goes on (for the lease it renews), by default `now` plus the time
    the pass has taken."""
    if clock is None:
        started = time.monotonic()
        clock = lambda: now + timedelta(seconds=time.monotonic() - started)  # noqa: E731
    rows = claim(engine, now, limit, after_id)
    if not rows:
        return DeliveryReport()
    outcomes: dict[int, tuple[str, str]] = {}
    try:
        connection = connect(smtp)
    except NoStartTls:
        reason = (f"{smtp.host}:{smtp.effective_port} does not offer STARTTLS, which "
                  "smtp_out.security = \"starttls\" requires; nothing was sent in clear")
        outcomes = {row.id: ("retry", reason) for row in rows}  # type: ignore[misc]
        connection = None
    except ssl.SSLError as exc:
        reason = f"TLS with {smtp.host}:{smtp.effective_port} failed: {exc}"
        outcomes = {row.id: ("retry", reason) for row in rows}  # type: ignore[misc]
        connection = None
    except (OSError, smtplib.SMTPException) as exc:
        reason = f"{UNREACHABLE}{smtp.host}:{smtp.effective_port}: {exc}"
        outcomes = {row.id: ("retry", reason) for row in rows}  # type: ignore[misc]
        connection = None
    if connection is not None:
        reconnected = False
        for n, row in enumerate(rows):
            if stopping is not None and stopping():
                _release(engine, rows[n:], "stopping")
                rows = rows[:n]
                break
            if connection.sock is None:  # the relay dropped us, or timed out, on the last mail
                if reconnected:  # twice in one pass: the rest waits for the next
                    _release(engine, rows[n:], "the relay keeps dropping the connection")
                    rows = rows[:n]
                    break
                reconnected = True
                try:
                    connection = connect(smtp)
                except (OSError, smtplib.SMTPException) as exc:
                    reason = f"{UNREACHABLE}{smtp.host}:{smtp.effective_port}: {exc}"
                    outcomes.update({rest.id: ("retry", reason) for rest in rows[n:]})  # type: ignore[misc]
                    break
            try:
                ours = _heartbeat(engine, rows, clock())
            except OperationalError as exc:  # the lease cannot be renewed: send no more now
                reason = f"the database was unavailable: {str(exc).splitlines()[0]}"
                outcomes.update({rest.id: ("retry", reason) for rest in rows[n:]})  # type: ignore[misc]
                break
            if row.id not in ours:
                continue  # another actor took it meanwhile (a stale claim, `forget`): not ours
            outcomes[row.id] = send_one(connection, row, desk_address)  # type: ignore[index]
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.quit()  # what was sent is sent; a lost goodbye changes nothing
        connection.close()
    rows = [row for row in rows if row.id in outcomes]
    report, recorded = _record(engine, rows, outcomes, smtp, now)
    if report.sent:
        _relay_is_back(engine, now)
    if notifier is not None:
        note_undelivered(engine, notifier,
                         {key: value for key, value in outcomes.items() if key in recorded}, now)
    return report


def _heartbeat(engine: Engine, rows: list[Outbox], at: datetime) -> set[int]:
    """Renew the lease of this pass's rows still 'sending' under its claim — the ones sent
    but not yet recorded, the one about to be written and the ones after it — so that a pass
    longer than SENDING_LEASE is not taken for a dead one. Returns the ids still ours."""
    attempts = {row.id: row.attempts for row in rows}
    with Session(engine) as session:
        renewed = session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(list(attempts)), Outbox.state == "sending")
            .values(next_attempt_at=at)
            .returning(Outbox.id, Outbox.attempts)  # type: ignore[arg-type]
        ).all()
        session.commit()
    return {row_id for row_id, tries in renewed if attempts.get(row_id) == tries}


def _record(
    engine: Engine, rows: list[Outbox], outcomes: dict[int, tuple[str, str]], smtp: SmtpOut,
    now: datetime,
) -> tuple[DeliveryReport, set[int]]:
    """Write down what happened to each row (and which rows it wrote). The mail is out by now
    and only this process knows it, so a database that went away meanwhile (restarting,
    locked, full) is waited for, up to RECORD_PATIENCE: else the rows would sit 'sending' until
    SENDING_LEASE, then be marked failed, and a person would resend what was sent."""
    pause = 0.2
    deadline = time.monotonic() + RECORD_PATIENCE.total_seconds()
    while True:
        try:
            return _record_once(engine, rows, outcomes, smtp, now)
        except OperationalError as exc:
            if time.monotonic() + pause > deadline:
                raise
            log.warning("outbox: could not record the outcome of %s mail(s), trying again in "
                        "%.1f s: %s", len(rows), pause, str(exc).splitlines()[0])
            time.sleep(pause)
            pause = min(pause * 2, 10.0)


def _record_once(
    engine: Engine, rows: list[Outbox], outcomes: dict[int, tuple[str, str]], smtp: SmtpOut,
    now: datetime,
) -> tuple[DeliveryReport, set[int]]:
    sent = retrying = failed = 0
    told: list[tuple[Outbox, str, str]] = []  # logged once committed
    with Session(engine, expire_on_commit=False) as session:
        for claimed in rows:
            row = session.get(Outbox, claimed.id)
            outcome, reason = outcomes[claimed.id]  # type: ignore[index]
            if row is None or not _still_ours(row, claimed, outcome):
                log.warning("outbox %s: changed by another actor during the pass (now %s); "
                            "left as it is, this pass's outcome was %s%s", claimed.id,
                            row.state if row else "gone", outcome, f": {reason}" if reason else "")
                continue
            row.last_error = reason
            if outcome == "sent":
                row.state, row.sent_at = "sent", now
                sent += 1
            elif outcome == "retry" and row.attempts < smtp.max_attempts:
                row.state, row.next_attempt_at = "pending", now + backoff(row.attempts)
                retrying += 1
                outcome = "retrying"
            else:
                row.state = "failed"
                failed += 1
                outcome = "bounced" if outcome == "bounced" else "failed"
            told.append((row, outcome, reason))
        references = _references(session, {row.ticket_id for row in rows})
        session.commit()
    for row, outcome, reason in told:
        _log_outcome(row, outcome, reason, references.get(row.ticket_id, ""))
    temporary = [reason for outcome, reason in outcomes.values() if outcome == "retry"]
    relay_error = temporary[0] if temporary and not sent else ""
    report = DeliveryReport(sent=sent, retrying=retrying, failed=failed, relay_error=relay_error)
    return report, {row.id for row, _, _ in told}  # type: ignore[misc]


def _still_ours(row: Outbox, claimed: Outbox, outcome: str) -> bool:
    """The row is as this pass's claim left it. One exception: a mail the relay accepted that
    another claim meanwhile took for interrupted (failed, "may have been delivered") — the
    pass knows better than that guess, and saying `sent` spares a person a duplicate."""
    if row.attempts != claimed.attempts:
        return False
    return row.state == "sending" or (outcome == "sent" and row.state == "failed"
                                      and row.last_error.startswith(INTERRUPTED))


def _references(session: Session, ticket_ids: set[int | None]) -> dict[int | None, str]:
    ids = [ticket_id for ticket_id in ticket_ids if ticket_id is not None]
    if not ids:
        return {}
    return dict(session.exec(
        select(Ticket.id, Ticket.reference).where(col(Ticket.id).in_(ids))
    ).all())


_LEVELS = {"sent": logging.INFO, "retrying": logging.WARNING, "bounced": logging.ERROR,
           "failed": logging.ERROR}


def _log_outcome(row: Outbox, outcome: str, reason: str, reference: str) -> None:
    """One event per mail: sent, retrying, bounced (refused for good) or failed (given up)."""
    words = {"sent": "sent", "retrying": "will retry", "bounced": "refused by the server",
             "failed": "failed"}[outcome]
    log.log(_LEVELS[outcome], "outbox %s: %s%s", row.id, words, f": {reason}" if reason else "",
            extra={"event": outcome, "outbox_id": row.id, "kind": row.kind,
                   "reference": reference, "message_id": row.message_id,
                   "attempts": row.attempts, "reason": reason})


def newest_id(engine: Engine) -> int:
    """The newest outbox row's id (0 when there is none)."""
    with Session(engine) as session:
        return int(session.exec(select(func.max(Outbox.id))).one() or 0)


def retry(engine: Engine, outbox_id: int, now: datetime) -> bool:
    with Session(engine) as session:
        row = session.get(Outbox, outbox_id)
        if row is None or row.state not in ("failed",):
            return False
        row.state, row.next_attempt_at, row.attempts = "pending", now, 0
        session.commit()
        return True


