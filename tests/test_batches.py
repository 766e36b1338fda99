"""Many messages to a transaction, a savepoint each (mailgate.batches), and parsing workers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

import mailgate.parsers
from mailgate.batches import process_pending
from mailgate.intake.store import store_many
from tests.mail import mail
from tests.support.harness import Harness

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _store(harness: Harness, count: int, poison: int | None = None) -> None:
    raws = [
        mail(subject="Poison" if n == poison else f"Request {n}",
             message_id=f"<batch{n}@school.example>",
             sender=f"Person {n} <person{n}@school.example>",
             body=f"Hello,\n\nthe projector in room {n} is broken.\n\nThanks,\nPerson {n}\n"
                  "St Mary's School\nTel: 01527 359 999")
        for n in range(count)
    ]
    store_many(harness.engine, raws, source="smtp", now=NOW)


def _count_commits(harness: Harness) -> list[int]:
    commits: list[int] = []
    event.listen(harness.engine, "commit", lambda _conn: commits.append(1))
    return commits


def test_a_pass_shares_its_commits_between_messages(harness: Harness) -> None:
    _store(harness, 8)
    commits = _count_commits(harness)
    assert process_pending(harness.engine, harness.config, NOW) == 8
    assert sorted(t.subject for t in harness.tickets()) == sorted(f"Request {n}" for n in range(8))
    acks = [o for o in harness.cli("outbox", "list", "--json").json()
            if o["kind"] == "acknowledgement"]
    assert len(acks) == 8
    # one message to a transaction took 8 commits (and a read before each); a pass takes far
    # fewer (the transaction's time budget may still split it on a slow machine)
    assert len(commits) < 8


def _fail_on_subject(monkeypatch: pytest.MonkeyPatch, subject: str) -> None:
    import tickets.pipeline

    real_run = tickets.pipeline.run

    def run(intake: Any) -> Any:
        result = real_run(intake)  # its writes are made, then rolled back with its savepoint
        if intake.parsed.subject == subject:
            raise ValueError("a rule broke on this mail")
        return result

    monkeypatch.setattr(tickets.pipeline, "run", run)


def test_a_message_that_fails_in_its_batch_is_quarantined_alone(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on_subject(monkeypatch, "Poison")
    _store(harness, 5, poison=2)
    assert process_pending(harness.engine, harness.config, NOW) == 5
    states = {m.id: (m.state, m.reason) for m in harness.inbound()}
    [poison] = [m for m in harness.inbound() if b"Subject: Poison" in m.raw]
    assert states[poison.id] == ("quarantined",
                                 "pipeline error: ValueError: a rule broke on this mail")
    assert poison.ticket_id is None
    # the messages before and after it in the same transaction are kept, each once
    assert sorted(t.subject for t in harness.tickets()) == [
        f"Request {n}" for n in (0, 1, 3, 4)]
    # nothing the failed message wrote survives its savepoint: no ticket, no mail, no history
    outbox = harness.cli("outbox", "list", "--json").json()
    assert len(outbox) == 4
    assert all("Poison" not in row["subject"] for row in outbox)
    with harness.session() as session:
        from sqlmodel import func, select

        from tickets.models import HistoryEvent, Ticket

        tickets_with_history = session.exec(
            select(func.count(func.distinct(HistoryEvent.ticket_id)))).one()
        assert tickets_with_history == session.exec(select(func.count(Ticket.id))).one() == 4


def test_many_waiting_messages_are_parsed_by_a_worker_with_the_same_result(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = mailgate.parsers.PARALLEL_FROM + 2
    _store(harness, count)
    submitted: list[int] = []
    real_submit = mailgate.parsers.ProcessPoolExecutor.submit

    def submit(self: Any, *args: Any, **kwargs: Any) -> Any:
        submitted.append(1)
        return real_submit(self, *args, **kwargs)

    monkeypatch.setattr(mailgate.parsers.ProcessPoolExecutor, "submit", submit)
    assert process_pending(harness.engine, harness.config, NOW) == count
    assert len(submitted) == count  # every mail went to the worker
    tickets = {t.subject: t for t in harness.tickets()}
    assert len(tickets) == count
    # the details the worker read reached the tickets, as when read in this process
    for n in range(count):
        ticket = tickets[f"Request {n}"]
        assert ticket.requester_name == f"Person {n}"
        assert ticket.requester_phone.replace(" ", "").endswith("1527359999")


def test_a_few_waiting_messages_are_parsed_here(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pool() -> None:
        raise AssertionError("a worker was started for two messages")

    monkeypatch.setattr(mailgate.parsers, "_shared_pool", no_pool)
    _store(harness, 2)
    assert process_pending(harness.engine, harness.config, NOW) == 2
    assert len(harness.tickets()) == 2


def test_a_message_that_fails_in_its_batch_keeps_its_turn(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tickets.pipeline

    real_run = tickets.pipeline.run
    failures: list[str] = []

    def run(intake: Any) -> Any:  # a passing conflict: fails once, in its batch only
        result = real_run(intake)
        if intake.parsed.subject == "Poison" and not failures:
            failures.append("once")
            raise ValueError("a passing conflict")
        return result

    monkeypatch.setattr(tickets.pipeline, "run", run)
    _store(harness, 5, poison=2)
    assert process_pending(harness.engine, harness.config, NOW) == 5
    # processed alone right after the messages before it, before those after it
    assert [t.subject for t in sorted(harness.tickets(), key=lambda t: t.reference)] == [
        "Request 0", "Request 1", "Poison", "Request 3", "Request 4"]


def test_nothing_is_parsed_while_a_write_transaction_is_open(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite has one writer: parsing inside the transaction would keep the SMTP door waiting
    open_transactions: list[int] = []
    event.listen(harness.engine, "begin", lambda _conn: open_transactions.append(1))
    event.listen(harness.engine, "commit", lambda _conn: open_transactions.clear())
    event.listen(harness.engine, "rollback", lambda _conn: open_transactions.clear())
    parsed_inside: list[bool] = []
    real_parse = mailgate.parsers.parse_message

    def parse(raw: bytes, **kwargs: Any) -> Any:
        parsed_inside.append(bool(open_transactions))
        return real_parse(raw, **kwargs)

    monkeypatch.setattr(mailgate.parsers, "parse_message", parse)
    _store(harness, 5)
    assert process_pending(harness.engine, harness.config, NOW) == 5
    assert parsed_inside == [False] * 5
