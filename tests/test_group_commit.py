"""The SMTP door's group commit: messages that arrive together share one commit, and each
sender is answered after its own message is stored."""

from __future__ import annotations

import asyncio
import smtplib
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

import mailgate.intake.group_commit
from mailgate.intake.group_commit import GroupCommit
from mailgate.intake.store import Arrival, StoreError
from tests.mail import mail
from tests.support.harness import Harness, crlf

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _arrivals(count: int) -> list[Arrival]:
    return [Arrival(mail(message_id=f"<group{n}@school.example>", subject=f"Request {n}"), NOW,
                    f"p{n}@school.example", ["support@desk.example"]) for n in range(count)]


def test_messages_arriving_together_are_stored_by_one_commit(harness: Harness) -> None:
    commits: list[int] = []
    event.listen(harness.engine, "commit", lambda _conn: commits.append(1))
    writer = GroupCommit(harness.engine)

    async def arrive() -> list[object]:
        return await asyncio.gather(*(writer.store(a) for a in _arrivals(5)))

    stored = asyncio.run(arrive())
    assert len(commits) == 1
    rows = harness.inbound()
    assert [s.id for s in stored] == [r.id for r in rows]  # each sender gets its own id
    assert [r.envelope_from for r in rows] == [f"p{n}@school.example" for n in range(5)]
    assert all(r.state == "received" and r.source == "smtp" for r in rows)


def test_a_group_that_cannot_be_stored_together_is_stored_one_by_one(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> list[object]:
        raise StoreError("the batch insert failed")

    monkeypatch.setattr(mailgate.intake.group_commit, "store_arrivals", refuse)
    writer = GroupCommit(harness.engine)

    async def arrive() -> list[object]:
        return await asyncio.gather(*(writer.store(a) for a in _arrivals(3)))

    stored = asyncio.run(arrive())
    assert len({s.id for s in stored}) == 3  # type: ignore[attr-defined]
    assert len(harness.inbound()) == 3


def test_a_failed_store_answers_451_to_every_waiting_sender(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> object:
        raise StoreError("disk full")

    monkeypatch.setattr(mailgate.intake.group_commit, "store_arrivals", broken)
    monkeypatch.setattr(mailgate.intake.group_commit, "store_raw", broken)
    writer = GroupCommit(harness.engine)

    async def arrive() -> list[object]:
        return await asyncio.gather(*(writer.store(a) for a in _arrivals(3)),
                                    return_exceptions=True)

    results = asyncio.run(arrive())
    assert [str(r) for r in results] == ["disk full"] * 3


def test_concurrent_smtp_clients_each_get_250_for_a_stored_message(harness: Harness) -> None:
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def client(first: int) -> None:
        with smtplib.SMTP("127.0.0.1", harness.smtp_in_port) as smtp:
            smtp.ehlo()
            for n in range(first, first + 5):
                smtp.mail(f"p{n}@school.example")
                smtp.rcpt("support@desk.example")
                # twenty people, each with a request of their own: one sender's twenty would
                # meet [intake] sender_request_limit (tests/test_faults_flood.py)
                reply = smtp.data(crlf(mail(message_id=f"<c{n}@school.example>",
                                            sender=f"P {n} <p{n}@school.example>",
                                            subject=f"Request {n}")))
                with lock:
                    answers.append(reply)

    with harness.daemon():
        threads = [threading.Thread(target=client, args=(k * 5,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        harness.wait_processed(20)
    assert len(answers) == 20
    assert {code for code, _ in answers} == {250}
    stored_as = {int(text.decode().rsplit(" ", 1)[1]) for _, text in answers}
    assert stored_as == {m.id for m in harness.inbound()}
    assert len(harness.tickets()) == 20


def test_an_unavailable_database_answers_the_whole_group_at_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one by one would make every later sender wait out the same lock or outage in turn
    alone: list[object] = []

    def locked(*_args: object, **_kwargs: object) -> object:
        raise StoreError("database is locked", unavailable=True)

    monkeypatch.setattr(mailgate.intake.group_commit, "store_arrivals", locked)
    monkeypatch.setattr(mailgate.intake.group_commit, "store_raw",
                        lambda *args, **kwargs: alone.append(args))
    writer = GroupCommit(harness.engine)

    async def arrive() -> list[object]:
        return await asyncio.gather(*(writer.store(a) for a in _arrivals(3)),
                                    return_exceptions=True)

    assert [str(r) for r in asyncio.run(arrive())] == ["database is locked"] * 3
    assert alone == []
