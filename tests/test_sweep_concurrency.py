"""Issue 5: sweeps running at once, or failing half-way, send nothing twice and skip nothing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from mailgate.db import make_engine
from mailgate.intake.store import store_raw
from mailgate.sweep import due_tickets
from tests.mail import mail
from tests.support.harness import Harness
from tickets import due, lifecycle
from tickets.models import Outbox, Ticket

TICKETS = 24
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # the first reminder of all of them


def waiting_tickets(harness: Harness) -> None:
    for n in range(TICKETS):
        raw = mail(subject=f"Problem {n}", sender=f"User {n} <user{n}@school.example>",
                   message_id=f"<p{n}@school.example>")
        store_raw(harness.engine, raw, source="test", now=MONDAY_9)
    harness.tick(MONDAY_9)
    config = harness.config
    with Session(harness.engine) as session:
        for ticket in session.exec(select(Ticket)).all():
            lifecycle.set_status(session, config, ticket, "waiting_on_customer", MONDAY_10,
                                 reason="test")
        session.commit()


def reminders(harness: Harness) -> list[int]:
    with Session(harness.engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "reminder")).all()
        return sorted(r.ticket_id or 0 for r in rows)


def test_two_sweeps_at_once_send_each_reminder_once(harness: Harness) -> None:
    waiting_tickets(harness)
    config = harness.config
    engines = [make_engine(harness.db_url) for _ in range(2)]
    start = threading.Barrier(2)
    acted: list[int] = []
    errors: list[BaseException] = []

    def sweep(engine) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait(timeout=10)
            acted.append(due_tickets(engine, config, TUESDAY_10))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=sweep, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for engine in engines:
        engine.dispose()
    assert errors == []
    assert sum(acted) == TICKETS
    ids = reminders(harness)
    assert len(ids) == TICKETS == len(set(ids))
    before = len(harness.sink.messages)
    harness.tick(TUESDAY_10)
    harness.tick(TUESDAY_10)
    fresh = harness.sink.messages[before:]
    assert len(fresh) == TICKETS
    assert len({tuple(m.rcpt_tos) for m in fresh}) == TICKETS  # one each, nobody twice


def test_a_ticket_that_fails_is_retried_and_the_others_go_on(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting_tickets(harness)
    config = harness.config
    with Session(harness.engine) as session:
        victim = session.exec(select(Ticket.id).order_by(Ticket.id)).first()  # type: ignore[arg-type]
    real = due.ACTIONS["reminder"]

    def flaky(session, policy, ticket, now):  # type: ignore[no-untyped-def]
        if ticket.id == victim:
            raise RuntimeError("simulated crash half-way through")
        return real(session, policy, ticket, now)

    monkeypatch.setitem(due.ACTIONS, "reminder", flaky)
    assert due_tickets(harness.engine, config, TUESDAY_10) == TICKETS - 1
    assert victim not in reminders(harness)
    monkeypatch.setitem(due.ACTIONS, "reminder", real)
    assert due_tickets(harness.engine, config, TUESDAY_10) == 1
    assert due_tickets(harness.engine, config, TUESDAY_10) == 0
    ids = reminders(harness)
    assert victim in ids and len(ids) == TICKETS == len(set(ids))
