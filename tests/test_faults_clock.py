"""Faults: the system clock stepped back an hour and forward a day while tickets wait (issue 12).

NTP steps a clock that was wrong. mailgate reads the wall clock in one place and hands `now`
down, so the sweep is driven here with `tick --now` at instants that step back and forward, as
the daemon would see them; and `mailgate serve` itself runs under a stepped wall clock
(time-machine moves what `datetime.now` and `time.time` say in the whole process, as a step of
the system clock would; the monotonic clock, like the kernel's, does not move).

Dates: Mon 23 Nov 2026 onwards, Europe/London = UTC in November; hours Mon–Fri 07:30–17:00.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from mailgate.intake.store import store_raw
from tests.mail import mail
from tests.support.harness import Harness, wait_until
from tests.support.scale import FULL, sized
from tickets.models import Outbox, Ticket

pytestmark = pytest.mark.faults

JANE = "jane@school.example"
ALICE = "alice@desk.example"
BOSS = "escalations@desk.example"

CONFIG = f"""
[[technicians]]
address = "{ALICE}"
name = "Alice Smith"

[schedule]
escalation_address = "{BOSS}"
sla_warning_lead = "90m"
"""

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def at(day: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=UTC)


def open_ticket(harness: Harness, now: datetime, subject: str) -> str:
    raw = mail(subject=subject, body="The printer shows a paper jam.", date=now,
               message_id=f"<{subject.replace(' ', '.')}@school.example>")
    store_raw(harness.engine, raw, source="test", now=now, envelope_from=JANE)
    harness.tick(now)
    with harness.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.subject == subject)).one()
    return ticket.reference


def update(harness: Harness, reference: str, now: datetime, *args: str) -> None:
    result = harness.cli("tickets", "update", reference, "--now", now.isoformat(), *args)
    assert result.code == 0, result.err


def walk(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    while start <= end:
        yield start
        start += step


def sla_never_negative(harness: Harness, references: list[str], now: datetime) -> None:
    for reference in references:
        used = harness.ticket_json(reference, now)["sla"]["business_seconds_used"]
        assert used >= 0, f"{reference}: {used} business seconds used at {now}"


def mail_kinds(harness: Harness) -> dict[str, Counter[str]]:
    """Per ticket reference: how many of each kind of mail went out (sent, at the sink)."""
    with harness.session() as session:
        rows = session.exec(select(Outbox, Ticket).join(Ticket)).all()  # type: ignore[arg-type]
    assert all(row.state == "sent" for row, _ in rows), [(r.kind, r.state) for r, _ in rows]
    found: dict[str, Counter[str]] = {}
    for row, ticket in rows:
        found.setdefault(ticket.reference, Counter())[row.kind] += 1
    return found


@pytest.mark.long  # a sweep every 10 minutes rather than every hour with MAILGATE_FULL=1
def test_sweeps_across_a_clock_stepped_back_an_hour_and_forward_a_day(harness: Harness) -> None:
    harness.write_config(CONFIG)
    step = timedelta(minutes=sized(60, 10))
    waiting = open_ticket(harness, at(23, 9), "Waiting for the customer")
    resolved = open_ticket(harness, at(23, 9), "Resolved at once")
    running = open_ticket(harness, at(23, 9), "Printer on fire")  # its SLA runs throughout
    update(harness, waiting, at(23, 10), "--status", "waiting_on_customer")
    update(harness, resolved, at(23, 10), "--status", "resolved")
    # waiting: reminders Tue 10:00 and Thu 10:00, closed Fri 10:00; resolved: closed Thu 10:00;
    # running: response due Tue 09:00, resolution Thu 09:00 (warnings 90 minutes before each)
    ticks = 0
    for now in walk(at(23, 9), at(24, 10, 30), step):
        harness.tick(now)
        ticks += 1
    late = open_ticket(harness, at(24, 10, 30), "Opened just before the step")
    references = [waiting, resolved, running, late]

    # NTP: the clock was an hour fast. Back to 09:30: the ticket just opened is from the future.
    back = at(24, 9, 30)
    sla_never_negative(harness, references, back)
    harness.tick(back)
    update(harness, late, back + timedelta(minutes=5), "--status", "waiting_on_customer")
    sla_never_negative(harness, references, back + timedelta(minutes=5))
    update(harness, late, back + timedelta(minutes=20), "--status", "pending_action")
    sla_never_negative(harness, references, back + timedelta(minutes=20))
    for now in walk(back, at(25, 12), step):
        harness.tick(now)
        ticks += 1

    # NTP: the clock was a day slow. Forward to Thu 12:00, past the second reminder, the
    # resolved ticket's closing and the resolution target.
    ahead = at(26, 12)
    sla_never_negative(harness, references, ahead)
    for now in walk(ahead, at(27, 10, 30), step):
        harness.tick(now)
        ticks += 1
    # and back an hour once more, across the auto-closure
    for now in walk(at(27, 9, 30), at(27, 11), step):
        harness.tick(now)
        ticks += 1
    sla_never_negative(harness, references, at(27, 9, 30))

    kinds = mail_kinds(harness)
    assert kinds[waiting] == {"acknowledgement": 1, "assigned": 1, "reminder": 2,
                              "auto_closed": 1}, kinds[waiting]
    assert kinds[resolved] == {"acknowledgement": 1, "assigned": 1, "resolved": 1, "closed": 1}
    # the resolution warning's time (Thu 08:50) passed in the jump: the breach says it, once
    # and its assignee is reminded of it after each quiet spell of 2 business days (Wed, Fri)
    assert kinds[running] == {"acknowledgement": 1, "assigned": 1, "sla_warning": 1,
                              "sla_breach": 2, "stale": 2}, kinds[running]
    assert "reminder" not in kinds[late]  # its wait (09:35-09:50, stepped-back time) ended
    for reference in references:  # nothing twice: one per target, per reminder, per closing
        assert kinds[reference]["sla_warning"] <= 2 and kinds[reference]["sla_breach"] <= 2
        assert kinds[reference]["acknowledgement"] == 1
    assert len(harness.sink.messages) == sum(sum(c.values()) for c in kinds.values())
    texts = [m.text() for m in harness.sink.to(JANE) if "reminder" in m.text()]
    assert sum("reminder 1" in t for t in texts) == sum("reminder 2" in t for t in texts) == 1
    assert harness.ticket_json(waiting)["status"] == "closed"
    history = harness.ticket_json(running)["history"]
    assert [e["detail"] for e in history if e["kind"] == "sla"] == [
        "response target warning", "response target breach",
        "resolution target warning (no mail: the breach says it)", "resolution target breach"]
    total = Counter(kind for c in kinds.values() for kind in c.elements())
    print(f"\nclock stepped back 1 h, forward 1 day, back 1 h ({ticks} sweeps every {step}, "
          f"{'full' if FULL else 'bounded'}): reminders {total['reminder']} (none twice, none "
          f"skipped), auto-closed {total['auto_closed']}, closed {total['closed']}, SLA warnings "
          f"{total['sla_warning']}, breaches {total['sla_breach']}, business seconds never "
          f"negative, mails {len(harness.sink.messages)}")


def test_the_daemon_sweeps_on_when_the_wall_clock_steps(harness: Harness) -> None:
    """`serve` under a wall clock stepped back an hour, then forward a day: the sweep goes on
    every interval (it used to wait for the wall clock to catch up: an hour without SLA mail or
    delivery retries), and each SLA mail goes out once."""
    # a warning as soon as a ticket opens: the lead is its whole response target (a day)
    harness.write_config(CONFIG.replace('"90m"', '"86400s"'))
    with time_machine.travel(at(24, 10), tick=True) as clock:
        with harness.daemon(sweep_seconds=0.2):
            harness.send(mail(subject="First", message_id="<first@school.example>"),
                         mail_from=JANE)
            wait_until(lambda: len(warnings(harness)) == 1, what="the first ticket's warning")
            clock.shift(-HOUR)
            harness.send(mail(subject="Second", message_id="<second@school.example>"),
                         mail_from=JANE)
            wait_until(lambda: len(warnings(harness)) == 2, timeout=20,
                       what="the second ticket's warning, from a sweep after the step back")
            clock.shift(DAY)
            # Wed ~09:00: the second ticket's response target (Wed 09:00:0x) has passed
            wait_until(lambda: breaches(harness) == 1, timeout=20,
                       what="the breach, from a sweep after the step forward")
            references = [t.reference for t in harness.tickets()]
            sla_never_negative(harness, references, datetime.now(UTC))
            now = datetime.now(UTC)
        kinds = mail_kinds(harness)
    first, second = references
    assert kinds[first] == {"acknowledgement": 1, "assigned": 1, "sla_warning": 1}
    assert kinds[second] == {"acknowledgement": 1, "assigned": 1, "sla_warning": 1,
                             "sla_breach": 1}
    print(f"\nserve under a stepped clock (now {now:%a %H:%M}): SLA warnings 2, breaches 1, "
          f"each once; mails {len(harness.sink.messages)}")


def warnings(harness: Harness) -> list[str]:
    with harness.session() as session:
        return list(session.exec(select(Outbox.kind).where(Outbox.kind == "sla_warning")).all())


def breaches(harness: Harness) -> int:
    with harness.session() as session:
        return len(session.exec(select(Outbox.kind).where(Outbox.kind == "sla_breach")).all())
