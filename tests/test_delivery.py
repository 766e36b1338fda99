"""The outbox sender: retries with backoff, permanent failures, one bad row among good ones."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from mailgate.clock import utcnow
from tests.mail import mail
from tests.support.harness import Harness
from tickets.models import Outbox


def ingest(harness: Harness, *senders: str) -> datetime:
    """Pipe mail in as an MTA would; `ingest` stamps the outbox with the wall clock, so the
    instant returned (just after) is when its acknowledgements are due."""
    for n, sender in enumerate(senders):
        path = harness.dir / f"in-{n}.eml"
        path.write_bytes(mail(sender=sender, message_id=f"<d{n}@school.example>"))
        # --no-send: these tests set the relay up before the delivery pass they watch
        assert harness.cli("ingest", "--no-send", str(path)).code == 0
    return utcnow()


def outbox(harness: Harness) -> list[Outbox]:
    with harness.session() as session:
        return list(session.exec(select(Outbox).order_by(Outbox.id)).all())  # type: ignore[arg-type]


def test_a_relay_that_defers_is_retried_with_backoff(harness: Harness) -> None:
    now = ingest(harness, "Jane <jane@school.example>")
    harness.sink.refuse_with = "451 4.3.0 try again later"
    harness.tick(now)
    [row] = outbox(harness)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error.startswith("451")
    assert row.next_attempt_at == now + timedelta(minutes=1)
    harness.tick(now + timedelta(seconds=30))  # not due yet
    assert outbox(harness)[0].attempts == 1
    harness.sink.refuse_with = ""
    harness.tick(now + timedelta(minutes=1))
    [row] = outbox(harness)
    assert (row.state, row.attempts) == ("sent", 2)
    assert len(harness.sink.messages) == 1


def test_a_permanent_refusal_fails_at_once_with_the_reason(harness: Harness) -> None:
    now = ingest(harness, "Jane <jane@school.example>")
    harness.sink.refuse_with = "550 5.1.1 mailbox unavailable"
    harness.tick(now)
    [notice, row] = harness.cli("outbox", "list", "--json").json()  # newest first
    assert row["state"] == "failed"
    assert "550 5.1.1 mailbox unavailable" in row["last_error"]
    # the desk is told (notify.undelivered; tests/test_faults_delivery.py has the details)
    assert (notice["kind"], notice["state"]) == ("delivery_failed", "pending")
    harness.sink.refuse_with = ""
    harness.tick(now + timedelta(hours=2))
    assert harness.sink.to("jane@school.example") == []  # a failed mail waits for a person
    assert harness.cli("outbox", "retry", str(row["id"])).code == 0
    harness.tick(now + timedelta(hours=2))
    assert len(harness.sink.to("jane@school.example")) == 1


def _first_to(harness: Harness, address: str) -> None:
    with harness.session() as session:
        first = session.exec(select(Outbox).order_by(Outbox.id)).first()  # type: ignore[arg-type]
        assert first is not None
        first.recipients = [address]
        session.commit()


def test_an_international_address_goes_out_with_smtputf8(harness: Harness) -> None:
    now = ingest(harness, "Jane <jane@school.example>")
    _first_to(harness, "jöns@exämple.example")
    harness.tick(now)
    assert [row.state for row in outbox(harness)] == ["sent"]
    assert harness.sink.messages[0].rcpt_tos == ["jöns@exämple.example"]


def test_one_unsendable_row_does_not_hold_up_the_others(harness: Harness) -> None:
    harness.sink.restart(smtputf8=False)  # a relay without RFC 6531
    now = ingest(harness, "Jane <jane@school.example>", "Ann <ann@school.example>")
    _first_to(harness, "jöns@exämple.example")
    harness.tick(now)
    states = [(row.state, row.last_error) for row in outbox(harness)]
    assert states[0][0] == "failed" and "SMTPUTF8" in states[0][1]
    assert states[1] == ("sent", "")
    # and the desk is told (the staff address, as the ticket has no assignee)
    assert [m.rcpt_tos for m in harness.sink.messages] == [["ann@school.example"],
                                                            ["tech@desk.example"]]
    assert outbox(harness)[2].kind == "delivery_failed"


def test_an_unreachable_relay_is_retried_then_failed_with_the_reason(harness: Harness) -> None:
    harness.write_config("max_attempts = 3\n")  # [smtp_out]
    now = ingest(harness, "Jane <jane@school.example>")
    harness.sink.stop()  # nothing listens on the relay's port now
    harness.tick(now)
    [row] = outbox(harness)
    assert (row.state, row.attempts, row.next_attempt_at) == (
        "pending", 1, now + timedelta(minutes=1)
    )
    assert row.last_error.startswith(f"cannot reach 127.0.0.1:{harness.sink.port}: ")
    harness.tick(now + timedelta(minutes=1))
    assert (outbox(harness)[0].attempts, outbox(harness)[0].next_attempt_at) == (
        2, now + timedelta(minutes=3)  # the wait doubles
    )
    harness.tick(now + timedelta(minutes=3))
    [notice, shown] = harness.cli("outbox", "list", "--json").json()  # newest first
    assert (shown["state"], shown["attempts"]) == ("failed", 3)
    assert shown["last_error"].startswith(f"cannot reach 127.0.0.1:{harness.sink.port}: ")
    assert notice["kind"] == "delivery_failed"  # the desk hears that it was given up
    harness.sink.restart(smtputf8=True)
    harness.tick(now + timedelta(hours=5))
    # failed waits for `mailgate outbox retry`
    assert harness.sink.to("jane@school.example") == []
