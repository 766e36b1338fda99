"""Fault injection (issue 12): SIGTERM in the middle of a burst, and an outgoing SMTP server that
is down, defers, drops the connection after the data, is slow, or refuses for good.

Each scenario drives real traffic and then counts (tests/support/faults.py): every message
answered 250 is stored and in exactly one ticket, every mail reached the SMTP sink exactly once,
nothing is left `sending`.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from mailgate.clock import utcnow
from mailgate.pipeline import notifier_for
from notify.sender import claim, deliver_pending
from tests.mail import mail
from tests.support.faults import (
    Burst,
    count,
    duplicates,
    odd_relay,
    refuses_connections,
    send_burst,
    serve_process,
    sink_message_ids,
    stored_message_ids,
    wait_outbox_drained,
    wait_settled,
)
from tests.support.harness import STAFF, Harness, wait_until
from tests.support.scale import sized
from tickets.models import Outbox

pytestmark = pytest.mark.faults

# measured: serve exits 0.3–1.5 s after SIGTERM in the middle of a burst on 2 busy cores
# (SQLite and PostgreSQL); the bound leaves room for a slow CI machine, not for a hang
EXIT_BOUND_SECONDS = 15.0


def burst_mails(count: int, tag: str) -> list[tuple[str, bytes]]:
    """Requests from a company's staff (each a ticket at once), one Message-ID each."""
    return [
        (
            f"{tag}-{n}@school.example",
            mail(
                sender=f"Pupil {n} <pupil{n}@school.example>",
                subject=f"Laptop {n} will not start",
                message_id=f"<{tag}-{n}@school.example>",
            ),
        )
        for n in range(count)
    ]


@pytest.mark.long
def test_sigterm_mid_burst_loses_nothing_and_a_restart_does_the_rest(harness: Harness) -> None:
    total = sized(120, 2000)
    mails = burst_mails(total, "burst")
    burst = Burst()
    with serve_process(harness, "first") as serve:
        threads = send_burst(harness.smtp_in_port, mails, clients=4, burst=burst)
        wait_until(lambda: len(burst.accepted) >= total // 3, timeout=60,
                   what="a third of the burst accepted")
        code, took = serve.terminate(timeout=EXIT_BOUND_SECONDS, port=harness.smtp_in_port)
        log = serve.stderr()
    assert code == 0, log
    # it stopped accepting at once (the listener closes first), or had exited when looked at
    refusing_after = serve.refusing_after
    assert refusing_after is None or refusing_after <= took
    assert refuses_connections(harness.smtp_in_port)
    for thread in threads:
        thread.join(timeout=60)
    accepted_at_stop = len(burst.accepted)
    assert accepted_at_stop < total, "the burst ended before SIGTERM: nothing was interrupted"

    # every 250 was stored; nothing is half sent
    assert set(burst.accepted) <= stored_message_ids(harness)
    stopped = count(harness, sent=total, acknowledged=accepted_at_stop)
    assert stopped.sending == 0, log
    assert stopped.duplicates == 0

    # a relay retries what was not answered 250; the restarted daemon processes the rest
    retried = Burst()
    refused = {message_id for message_id, _ in burst.refused}
    with serve_process(harness, "second") as serve:
        for thread in send_burst(harness.smtp_in_port,
                                 [m for m in mails if m[0] in refused], clients=4,
                                 burst=retried):
            thread.join(timeout=120)
        assert retried.refused == []
        # PostgreSQL makes 40–60 tickets a second on 2 cores: room for the full size
        wait_settled(harness, total, timeout=60 + total / 10)
        wait_outbox_drained(harness, timeout=60 + total / 10)
        after = count(harness, sent=total, acknowledged=len(burst.accepted) + len(retried.accepted))
        after.extra = {"accepted before SIGTERM": accepted_at_stop,
                       "refusing in s": refusing_after and round(refusing_after, 2),
                       "stopped in s": round(took, 2),
                       "left for the restart": stopped.waiting}
        print(f"SIGTERM mid-burst: {after.line()}")
        assert (after.acknowledged, after.stored, after.tickets) == (total, total, total)
        assert (after.quarantined, after.waiting, after.sending) == (0, 0, 0)
        assert after.acknowledgements == total
        assert duplicates(harness) == {}

        # still serving, no second restart needed
        [(late_id, late)] = burst_mails(1, "late")
        harness.send(late)
        wait_settled(harness, total + 1)
        assert late_id in stored_message_ids(harness)
        code, _ = serve.terminate(timeout=EXIT_BOUND_SECONDS)
        assert code == 0, serve.stderr()


# --- the outgoing SMTP server ----------------------------------------------------------------

def ingest_requests(harness: Harness, count: int, tag: str) -> datetime:
    """`count` requests piped in by an MTA, none sent yet (`--no-send`: the relay is set up by
    the test); returns an instant at which their acknowledgements are due."""
    paths = []
    for n, (_, raw) in enumerate(burst_mails(count, tag)):
        path = harness.dir / f"{tag}-{n}.eml"
        path.write_bytes(raw)
        paths.append(str(path))
    result = harness.cli("ingest", "--no-send", *paths)
    assert result.code == 0, result.err
    return utcnow()


def outbox(harness: Harness) -> list[Outbox]:
    with harness.session() as session:
        return list(session.exec(select(Outbox).order_by(Outbox.id)).all())  # type: ignore[arg-type]


def out_of_order(harness: Harness) -> list[str]:
    """Mails the sink received before an older mail of the same ticket to the same address."""
    rows = {row.message_id: row for row in outbox(harness)}
    last: dict[tuple[int | None, str], int] = {}
    wrong = []
    for message_id in sink_message_ids(harness):
        row = rows[message_id]
        key = (row.ticket_id, row.to_addr)
        if last.get(key, 0) > row.id:  # type: ignore[operator]
            wrong.append(f"{row.kind} {row.id} after {last[key]}")
        last[key] = max(last.get(key, 0), row.id)  # type: ignore[arg-type]
    return wrong


def update(harness: Harness, reference: str, at: datetime, *options: str) -> None:
    result = harness.cli("tickets", "update", reference, *options, "--now", at.isoformat())
    assert result.code == 0, result.err


def history(harness: Harness, reference: str, kind: str) -> list[str]:
    return [h["detail"] for h in harness.ticket_json(reference)["history"] if h["kind"] == kind]


@pytest.mark.long
def test_relay_down_then_back_delivers_everything_once_in_order(harness: Harness) -> None:
    count_ = sized(15, 200)
    t0 = ingest_requests(harness, count_, "down")
    references = [ticket.reference for ticket in harness.tickets()]
    harness.sink.stop()  # the relay goes down: nothing listens on its port
    harness.tick(t0)  # every acknowledgement deferred, due again in a minute
    for reference in references:  # meanwhile each ticket is resolved: a second mail each
        update(harness, reference, t0 + timedelta(seconds=30), "--status", "resolved")
    harness.tick(t0 + timedelta(minutes=1))  # the acknowledgements again: now due in two
    assert {row.state for row in outbox(harness)} == {"pending"}

    harness.sink.restart(smtputf8=True)  # back
    ingest_requests(harness, 1, "back")  # a new request: its acknowledgement is due at once
    harness.tick(t0 + timedelta(minutes=2))  # before the older acknowledgements are due again

    rows = outbox(harness)
    counts = count(harness, sent=count_ + 1, acknowledged=count_ + 1)
    counts.extra = {"mails queued": len(rows), "out of order": len(out_of_order(harness)),
                    "attempts": sum(row.attempts for row in rows)}
    print(f"relay down then back: {counts.line()}")
    assert [row.state for row in rows] == ["sent"] * len(rows) == ["sent"] * (2 * count_ + 1)
    assert counts.delivered == len(rows) and duplicates(harness) == {}
    assert out_of_order(harness) == []  # every acknowledgement before its ticket's resolution


def test_a_relay_that_answers_4xx_is_retried_and_each_mail_delivered_once(
    harness: Harness,
) -> None:
    count_ = 10
    t0 = ingest_requests(harness, count_, "defer")
    with odd_relay(harness) as relay:
        relay.arm("defer", 2 * count_)  # every mail refused for now, twice
        harness.tick(t0)
        harness.tick(t0 + timedelta(minutes=1))
        assert [(row.state, row.last_error[:3]) for row in outbox(harness)] == \
            [("pending", "451")] * count_
        assert relay.messages == []
        harness.tick(t0 + timedelta(minutes=3))  # the backoff doubled; now it takes them
        rows = outbox(harness)
        counts = count(harness, sent=count_, acknowledged=count_)
        counts.extra = {"451 answers": relay.faults["defer"]}
        print(f"relay answering 4xx: {counts.line()}")
        assert [(row.state, row.attempts) for row in rows] == [("sent", 3)] * count_
        assert counts.acknowledgements == count_ and duplicates(harness) == {}
        assert out_of_order(harness) == []


def test_a_relay_that_drops_the_connection_after_the_data_gets_each_mail_once(
    harness: Harness,
) -> None:
    count_ = 5
    t0 = ingest_requests(harness, count_, "drop")
    with odd_relay(harness) as relay:
        relay.arm("drop")  # the first mail is received, then the connection is lost
        harness.tick(t0)
        first, *others = outbox(harness)
        assert first.state == "failed" and "may have been delivered" in first.last_error
        # the others go over a new connection, first time
        assert [(row.state, row.attempts) for row in others] == [("sent", 1)] * len(others)

        # a relay that does it on every connection: one more try in the pass, then it waits
        t1 = ingest_requests(harness, 3, "drop-again")
        relay.arm("drop", 2)
        harness.tick(t1)
        assert [(row.state, row.attempts) for row in outbox(harness)[count_:]] == [
            ("failed", 1), ("failed", 1), ("pending", 0)]
        harness.tick(t1 + timedelta(minutes=1))
        harness.tick(t0 + timedelta(hours=6))  # long after every backoff: nothing resent
        rows = outbox(harness)
        counts = count(harness, sent=count_ + 3, acknowledged=count_ + 3)
        counts.extra = {"connections dropped": relay.faults["drop"],
                        "left failed for a person": sum(r.state == "failed" for r in rows)}
        print(f"relay dropping after DATA: {counts.line()}")
        assert [row.state for row in rows] == \
            ["failed"] + ["sent"] * (count_ - 1) + ["failed", "failed", "sent"]
        assert counts.acknowledgements == count_ + 3 and duplicates(harness) == {}
        # the ticket says so; nobody is mailed about a mail that most likely arrived
        reference = harness.tickets()[0].reference
        [line] = history(harness, reference, "undelivered")
        assert "may have been delivered" in line and "outbox retry" in line
        assert [row.kind for row in rows].count("delivery_failed") == 0


def test_a_slow_relay_times_out_defers_and_then_delivers_once(harness: Harness) -> None:
    harness.config_path.write_text(harness.config_path.read_text().replace(
        "timeout_seconds = 5", "timeout_seconds = 0.5"))
    count_ = 5
    t0 = ingest_requests(harness, count_, "slow")
    with odd_relay(harness, slow_seconds=2.0) as relay:
        relay.arm("slow_mail")  # MAIL FROM answered after the timeout
        harness.tick(t0)
        first, *others = outbox(harness)
        assert first.state == "pending" and "timed out" in first.last_error
        assert {row.state for row in others} == {"sent"}  # over a new connection
        assert len(relay.messages) == count_ - 1
        harness.tick(t0 + timedelta(minutes=1))
        assert {row.state for row in outbox(harness)} == {"sent"}

        # slow to answer the end of the data: as good as a dropped connection
        t1 = ingest_requests(harness, 2, "slower")
        relay.arm("slow_data")
        harness.tick(t1)
        harness.tick(t1 + timedelta(hours=6))
        rows = outbox(harness)
        counts = count(harness, sent=count_ + 2, acknowledged=count_ + 2)
        counts.extra = {"timeouts": relay.faults["slow_mail"] + relay.faults["slow_data"]}
        print(f"slow relay: {counts.line()}")
        assert [row.state for row in rows] == ["sent"] * count_ + ["failed", "sent"]
        assert "may have been delivered" in rows[count_].last_error
        assert counts.delivered == count_ + 2 and duplicates(harness) == {}


def test_a_permanent_refusal_fails_the_mail_and_tells_the_desk_once(harness: Harness) -> None:
    escalation = "it-manager@desk.example"
    harness.write_config(f'\n[schedule]\nescalation_address = "{escalation}"\n')
    t0 = ingest_requests(harness, 3, "refused")
    first, second, fine = harness.tickets()
    with odd_relay(harness) as relay:
        relay.unknown = {"pupil0@school.example", "pupil1@school.example"}
        update(harness, first.reference, t0, "--assign", STAFF)  # an `assigned` mail to pupil0
        harness.tick(t0)
        later = t0 + timedelta(minutes=5)
        update(harness, first.reference, later, "--status", "resolved")  # a third mail to pupil0
        harness.tick(later)
        harness.tick(later + timedelta(hours=6))

        rows = outbox(harness)
        refused = [row for row in rows if row.to_addr in relay.unknown]
        notices = [row for row in rows if row.kind == "delivery_failed"]
        counts = count(harness, sent=3, acknowledged=3)
        counts.extra = {"refused for good": len(refused), "desk told": len(notices)}
        print(f"relay refusing with 5xx: {counts.line()}")
        assert [(row.kind, row.state) for row in refused] == [
            ("acknowledgement", "failed"), ("acknowledgement", "failed"),
            ("assigned", "failed"), ("resolved", "failed")]
        assert all("550 5.1.1" in row.last_error for row in refused)
        # one notice per ticket, to its assignee, else the escalation address
        assert sorted((n.ticket_id, n.to_addr, n.state) for n in notices) == [
            (first.id, STAFF, "sent"), (second.id, escalation, "sent")]
        [to_assignee] = relay.to(STAFF)
        assert "pupil0@school.example" in to_assignee.text() and "550 5.1.1" in to_assignee.text()
        assert len(relay.to(escalation)) == 1
        assert relay.to("pupil0@school.example") == relay.to("pupil1@school.example") == []
        assert len(relay.to("pupil2@school.example")) == 1  # the others' mail is unaffected
        assert duplicates(harness) == {}
        # the ticket's history says which mail was refused, and why, and who was told
        lines = history(harness, first.reference, "undelivered")
        assert len([line for line in lines if "550 5.1.1" in line]) == 3
        assert any(f"told {STAFF}" in line for line in lines)
        assert len(history(harness, second.reference, "undelivered")) == 2
        assert history(harness, fine.reference, "undelivered") == []


@pytest.mark.long
def test_sigterm_while_the_relay_is_slow_releases_the_mail_not_yet_sent(
    harness: Harness,
) -> None:
    total = sized(30, 200)
    mails = burst_mails(total, "slowstop")
    with odd_relay(harness, slow_seconds=1.0) as relay:
        relay.arm("slow_data", 10 * total)  # each mail takes the relay a second to answer
        burst = Burst()
        with serve_process(harness) as serve:
            for thread in send_burst(harness.smtp_in_port, mails, clients=4, burst=burst):
                thread.join(timeout=60)
            assert len(burst.accepted) == total, burst.refused
            wait_until(lambda: len(relay.messages) >= 5, timeout=60, what="delivery under way")
            code, took = serve.terminate(timeout=EXIT_BOUND_SECONDS)
            assert code == 0, serve.stderr()
        stopped = count(harness, sent=total, acknowledged=total)
        assert stopped.sending == 0, serve.stderr()
        with harness.session() as session:
            released = len(session.exec(select(Outbox).where(Outbox.state == "pending")).all())
        assert released, "everything went out before SIGTERM: nothing was left to release"
        relay.armed.clear()  # the relay is quick again
        with serve_process(harness, "again") as serve:
            wait_settled(harness, total, timeout=60 + total / 10)
            wait_outbox_drained(harness, timeout=60 + total / 10)
            after = count(harness, sent=total, acknowledged=total)
            after.extra = {"stopped in s": round(took, 2), "released at stop": released,
                           "delivered before stop": stopped.delivered}
            print(f"SIGTERM while the relay is slow: {after.line()}")
            assert (after.tickets, after.acknowledgements, after.sending) == (total, total, 0)
            assert duplicates(harness) == {}
            assert serve.terminate(timeout=EXIT_BOUND_SECONDS)[0] == 0


def test_a_4xx_at_rcpt_is_retried_not_bounced_and_delivered_once(harness: Harness) -> None:
    t0 = ingest_requests(harness, 1, "rcpt450")
    [ticket] = harness.tickets()
    with odd_relay(harness) as relay:
        relay.arm("defer_rcpt")  # the only recipient: "450 mailbox busy, try again later"
        harness.tick(t0)
        [row] = outbox(harness)
        assert (row.state, row.attempts) == ("pending", 1)
        assert "450 4.2.1" in row.last_error and "pupil0@school.example" in row.last_error
        assert row.next_attempt_at > t0  # backed off, not due again at once
        assert relay.messages == []
        harness.tick(t0 + timedelta(minutes=1))  # the mailbox takes it now
        rows = outbox(harness)
        counts = count(harness, sent=1, acknowledged=1)
        counts.extra = {"450 at RCPT": relay.faults["defer_rcpt"]}
        print(f"relay answering 450 at RCPT: {counts.line()}")
        assert [(r.kind, r.state, r.attempts) for r in rows] == [("acknowledgement", "sent", 2)]
        assert len(relay.to("pupil0@school.example")) == 1 and duplicates(harness) == {}
        # nobody was told it could not be reached, and the ticket does not say so
        assert [r.kind for r in rows].count("delivery_failed") == 0
        assert history(harness, ticket.reference, "undelivered") == []


def _pass_in_thread(harness: Harness, now: datetime, clock: list[datetime]) -> dict[str, object]:
    """`deliver_pending` in a thread, as the daemon's sweep runs it; its clock reads the
    times in `clock` in turn, one per mail (the lease it renews before each)."""
    times = iter(clock)
    config = harness.config
    result: dict[str, object] = {}

    def run() -> None:
        result["report"] = deliver_pending(
            harness.engine, config.smtp_out, config.desk.address, now,
            notifier=notifier_for(config), clock=lambda: next(times))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    result["thread"] = thread
    return result


def test_a_pass_longer_than_the_lease_keeps_its_mail(harness: Harness) -> None:
    t0 = ingest_requests(harness, 3, "lease")
    with odd_relay(harness) as relay:
        relay.arm("hold_data", 2)  # the first two mails are answered when the test says
        # claimed at t0; the second mail is written 14 minutes into the pass, the third at 15
        running = _pass_in_thread(harness, t0, [t0, t0 + timedelta(minutes=14),
                                                t0 + timedelta(minutes=15)])
        wait_until(lambda: relay.faults["hold_data"] == 1, what="the first mail held")
        relay.released.release()
        wait_until(lambda: relay.faults["hold_data"] == 2, what="the second mail held")
        # another process's claim, 16 minutes after this pass claimed: past the lease from the
        # claim, not from the lease the pass renewed before its second mail
        assert claim(harness.engine, t0 + timedelta(minutes=16)) == []
        states = [row.state for row in outbox(harness)]
        relay.released.release()
        running["thread"].join(timeout=30)  # type: ignore[attr-defined]
        assert states == ["sending"] * 3  # sent-not-yet-recorded, in flight, still to send
        report = running["report"]
        rows = outbox(harness)
        counts = count(harness, sent=3, acknowledged=3)
        print(f"pass longer than the lease: {counts.line()}")
        assert (report.sent, report.failed) == (3, 0)  # type: ignore[attr-defined]
        assert [(row.state, row.last_error) for row in rows] == [("sent", "")] * 3
        assert counts.delivered == 3 and duplicates(harness) == {}


def test_mail_another_claim_took_from_a_stuck_pass_is_not_sent_or_overwritten(
    harness: Harness,
) -> None:
    t0 = ingest_requests(harness, 3, "stuck")
    with odd_relay(harness) as relay:
        relay.arm("hold_data", 2)
        running = _pass_in_thread(harness, t0, [t0, t0 + timedelta(minutes=1),
                                                t0 + timedelta(minutes=2)])
        wait_until(lambda: relay.faults["hold_data"] == 1, what="the first mail held")
        relay.released.release()
        wait_until(lambda: relay.faults["hold_data"] == 2, what="the second mail held")
        # the second mail has been in flight past the lease: another process takes the pass
        # for dead and marks what it holds failed for a person to decide
        assert claim(harness.engine, t0 + timedelta(minutes=17)) == []
        assert {row.state for row in outbox(harness)} == {"failed"}
        relay.released.release()
        running["thread"].join(timeout=30)  # type: ignore[attr-defined]
        first, second, third = rows = outbox(harness)
        counts = count(harness, sent=3, acknowledged=3)
        print(f"stuck pass taken over: {counts.line()}")
        # what the relay accepted is recorded as sent (the pass knows; nobody resends it);
        # the third, no longer this pass's, was not sent and is left as the other claim left it
        assert [(first.state, second.state)] == [("sent", "sent")]
        assert third.state == "failed" and third.last_error.startswith("delivery was interrupted")
        assert counts.delivered == 2 and len(relay.to(third.to_addr)) == 0
        assert duplicates(harness) == {}
        assert [row.kind for row in rows].count("delivery_failed") == 0


def test_recipients_refused_in_part_or_for_now_are_told_apart(harness: Harness) -> None:
    t0 = ingest_requests(harness, 1, "rcptmix")
    colleague = "colleague@school.example"
    with harness.session() as session:  # the acknowledgement also goes to a colleague (Cc)
        row = session.exec(select(Outbox)).one()
        row.recipients = [*row.recipients, colleague]
        session.add(row)
        session.commit()
    with odd_relay(harness) as relay:
        relay.unknown = {colleague}  # 550 for good
        relay.arm("defer_rcpt")  # and 450 for now for the customer: not all refusals are final
        harness.tick(t0)
        [row] = outbox(harness)
        assert row.state == "pending"
        assert "450 4.2.1" in row.last_error and "550 5.1.1" in row.last_error
        harness.tick(t0 + timedelta(minutes=1))  # the customer's mailbox takes it now
        rows = outbox(harness)
        print(f"450 and 550 at RCPT: {count(harness, sent=1, acknowledged=1).line()}")
        [row] = rows  # sent to the one who could take it; nobody told it was undeliverable
        assert row.state == "sent"
        assert row.last_error.startswith("some recipients refused: ")
        assert f"{colleague}: 550 5.1.1" in row.last_error
        [received] = relay.messages
        assert received.rcpt_tos == ["pupil0@school.example"]
