"""DESIGN.md's invariants for the intake path: nothing lost, exactly-once effects."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from mailgate.batches import process_pending
from mailgate.intake.store import StoreError, store_left, store_many, store_raw
from tests.mail import mail
from tests.support.harness import Harness

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_mail_stored_before_a_crash_is_processed_when_the_daemon_starts(harness: Harness) -> None:
    # The listener said 250 (the row is committed) and the process died before the pipeline ran.
    store_raw(harness.engine, mail(message_id="<crash@school.example>"), source="smtp", now=NOW,
              envelope_from="jane@school.example")
    assert [m.state for m in harness.inbound()] == ["received"]
    with harness.daemon():
        harness.wait_processed(1)
        harness.wait_sink(1)
    assert [t.reference for t in harness.tickets()] == ["INC0000001"]
    assert [m.state for m in harness.inbound()] == ["done"]


def test_a_message_id_with_a_control_character_is_stored_by_every_door(harness: Harness) -> None:
    # PostgreSQL text cannot hold NUL: such a header made every store fail (SMTP 451 for ever,
    # and an IMAP mailbox retried the batch holding it for ever). RFC 5322 §3.6.4: no msg-id.
    raws = [mail(subject=f"Odd {n}", message_id="<odd@school.example>").replace(
        b"<odd@school.example>", b"<odd\x00" + bytes([n]) + b"@school.example>") for n in (1, 2)]
    stored = store_raw(harness.engine, raws[0], source="smtp", now=NOW)
    [batch] = store_many(harness.engine, raws[1:], source="imap:support", now=NOW)
    assert not stored.duplicate and not batch.duplicate  # told apart by their other headers
    assert [(m.raw, m.message_id) for m in harness.inbound()] == [(raws[0], ""), (raws[1], "")]
    process_pending(harness.engine, harness.config, NOW)
    assert {m.state for m in harness.inbound()} <= {"done", "held", "quarantined"}


def test_two_workers_on_one_database_make_each_ticket_once(harness: Harness) -> None:
    for n in range(20):
        # different people at one school: their contacts and company are created in the race
        raw = mail(message_id=f"<race{n}@school.example>", subject=f"Request {n}",
                   sender=f"Person {n} <person{n}@school.example>")
        store_raw(harness.engine, raw, source="smtp", now=NOW, envelope_from=f"p{n}@school.example")
    config = harness.config
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            process_pending(harness.engine, config, NOW)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    tickets = harness.tickets()
    assert len(tickets) == 20
    assert sorted(t.subject for t in tickets) == sorted(f"Request {n}" for n in range(20))
    assert len({t.reference for t in tickets}) == 20
    acks = [o for o in harness.cli("outbox", "list", "--json").json()
            if o["kind"] == "acknowledgement"]
    assert len(acks) == 20


def test_a_message_the_pipeline_cannot_handle_is_quarantined_with_its_bytes(
    harness: Harness,
) -> None:
    raw = b"From: \x00\xff\r\nSubject: =?x-unknown?q?broken?=\r\n\r\n\x00\x01 not mail at all"
    assert harness.cli("ingest", str(_write(harness, raw))).code == 0
    [inbound] = harness.inbound()
    assert inbound.raw == raw
    assert inbound.state in ("quarantined", "done", "screened")
    assert inbound.reason  # the reason is always recorded
    listing = harness.cli("quarantine", "list", "--json").json()
    if inbound.state == "quarantined":
        assert [row["id"] for row in listing] == [inbound.id]
        assert listing[0]["reason"] == inbound.reason


def _write(harness: Harness, raw: bytes) -> str:
    path = harness.dir / "odd.eml"
    path.write_bytes(raw)
    return str(path)


def test_quarantine_never_overwrites_a_message_another_daemon_finished(harness: Harness) -> None:
    from mailgate.pipeline import quarantine

    assert harness.cli("ingest", str(_write(harness, mail()))).code == 0
    [inbound] = harness.inbound()
    assert inbound.state == "done"
    assert quarantine(harness.engine, inbound.id, "late failure elsewhere", NOW) == "skipped"
    assert [(m.state, m.reason) for m in harness.inbound()] == [(inbound.state, inbound.reason)]


def _refuse_subject(monkeypatch: pytest.MonkeyPatch, subject: str) -> None:
    """The database answers but refuses the transaction of one message (as PostgreSQL refused a
    query with 70,000 References): fault injection at the stage runner, the database is real."""
    import tickets.pipeline

    real_run = tickets.pipeline.run

    def run(intake: Any) -> Any:
        if intake.parsed.subject == subject:
            raise OperationalError("INSERT …", {}, Exception("value too large for this column"))
        return real_run(intake)

    monkeypatch.setattr(tickets.pipeline, "run", run)


def test_a_message_the_database_keeps_refusing_is_quarantined_and_blocks_nothing(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mailgate.pipeline import MAX_DEFERRALS

    _refuse_subject(monkeypatch, "Poison")
    store_raw(harness.engine, mail(subject="Poison", message_id="<p@school.example>"),
              source="smtp", now=NOW)
    store_raw(harness.engine, mail(message_id="<fine@school.example>"), source="smtp", now=NOW)
    config = harness.config
    assert process_pending(harness.engine, config, NOW) == 1  # the mail behind it goes through
    assert [t.subject for t in harness.tickets()] == ["Printer in room 12 is jammed"]
    for _ in range(MAX_DEFERRALS - 2):
        process_pending(harness.engine, config, NOW)
        assert harness.inbound()[0].state == "received"  # perhaps a passing lock: wait
    assert process_pending(harness.engine, config, NOW) == 1
    poison = harness.inbound()[0]
    assert poison.state == "quarantined"
    assert poison.reason == (f"the database refused it {MAX_DEFERRALS} times: "
                             "Exception: value too large for this column")
    [listed] = harness.cli("quarantine", "list", "--json").json()
    assert listed["id"] == poison.id
    # `quarantine retry` counts afresh: one refusal is a deferral again, not a quarantine
    retried = harness.cli("quarantine", "retry", str(poison.id))
    assert (retried.code, retried.out.split(" (")[0]) == (75, f"message {poison.id}: deferred")
    assert harness.inbound()[0].state == "received"


def test_a_database_that_is_down_defers_and_counts_nothing(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mailgate.pipeline

    _refuse_subject(monkeypatch, "Poison")
    monkeypatch.setattr(mailgate.pipeline, "_database_answers", lambda engine: False)
    store_raw(harness.engine, mail(subject="Poison"), source="smtp", now=NOW)
    for _ in range(mailgate.pipeline.MAX_DEFERRALS + 2):
        assert process_pending(harness.engine, harness.config, NOW) == 0
    [inbound] = harness.inbound()
    assert (inbound.state, inbound.attempts) == ("received", 0)


def test_stopping_the_daemon_twice_is_harmless(harness: Harness) -> None:
    # a second Ctrl-C or SIGTERM while serve is shutting down calls stop again
    with harness.daemon() as daemon:
        pass
    daemon.stop()
    assert daemon.controller is None and daemon.timers == []


def test_a_store_that_fails_says_why_in_one_line_without_the_sql(tmp_path: Any) -> None:
    """What the SMTP door answers (451) and the IMAP status shows: the driver's words, never a
    statement with its parameters (which would carry the mail's bytes)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'no-tables.db'}")
    now = datetime.now(UTC)
    raw = mail(subject="Printer", body="It is jammed.")
    attempts = (
        lambda: store_raw(engine, raw, source="smtp", now=now),
        lambda: store_many(engine, [raw], source="imap", now=now),
        lambda: store_left(engine, raw[:200], source="smtp", now=now, size=10**9,
                           reason="over the size limit", fallback_key="INBOX:1"),
    )
    for attempt in attempts:
        with pytest.raises(StoreError) as error:
            attempt()
        assert str(error.value) == "OperationalError: no such table: inbound_message"


def test_a_pool_with_no_free_connection_defers_and_quarantines_nothing(
    harness: Harness,
) -> None:
    """Every connection of the pool busy (sqlalchemy's TimeoutError, not a DBAPIError) is not
    the message's fault: it waits, as a database that is down does (review)."""
    from mailgate.pipeline import UNAVAILABLE, process

    stored = store_raw(harness.engine, mail(subject="Printer jams"), source="smtp", now=NOW)
    engine = create_engine(harness.config.database_url, pool_size=1, max_overflow=0,
                           pool_timeout=0.05)
    with engine.connect():  # the only connection, held
        assert process(engine, harness.config, stored.id, NOW) == UNAVAILABLE
    [inbound] = harness.inbound()
    assert (inbound.state, inbound.reason) == ("received", "")
    assert process_pending(harness.engine, harness.config, NOW) == 1
    engine.dispose()
