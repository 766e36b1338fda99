"""Issue 5: the scheduled mail, end to end. Time moves only with `tick --now`; every mail is
checked at the real SMTP sink, and a second tick at the same instant sends nothing more.

Dates: Mon 23 Nov 2026 onwards, Europe/London = UTC in November; hours Mon–Fri 07:30–17:00.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mailgate.daemon import Daemon
from mailgate.intake.store import store_raw
from tests.mail import mail
from tests.support.harness import STAFF, Harness, wait_until
from tests.support.sink import Received

JANE = "jane@school.example"
ALICE = "alice@desk.example"
BOB = "bob@desk.example"
BOSS = "escalations@desk.example"

CLOCK_TOML = f"""
[[technicians]]
address = "{ALICE}"
name = "Alice Smith"

[[technicians]]
address = "{BOB}"
name = "Bob Jones"

[[companies]]
name = "St Mary's"
domains = ["school.example"]
rota_days = ["wed"]

[schedule]
escalation_address = "{BOSS}"
sla_warning_lead = "10m"
"""


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=UTC)


class Desk:
    """A harness with the clock config and a cursor over what the sink has received."""

    def __init__(self, harness: Harness) -> None:
        self.h = harness
        harness.write_config(CLOCK_TOML)
        self.seen = 0

    def open(self, now: datetime, subject: str = "Printer in room 12 is jammed",
             body: str = "The printer shows a paper jam.") -> str:
        raw = mail(subject=subject, body=body, date=now,
                   message_id=f"<{now:%d%H%M}.{len(self.h.tickets())}@school.example>")
        store_raw(self.h.engine, raw, source="test", now=now, envelope_from=JANE)
        self.h.tick(now)
        return self.h.tickets()[-1].reference

    def update(self, reference: str, now: datetime, *args: str) -> dict:
        result = self.h.cli("tickets", "update", reference, "--now", now.isoformat(), "--json",
                            *args)
        assert result.code == 0, result.err
        return result.json()

    def new_mail(self) -> list[Received]:
        with self.h.sink.lock:
            fresh = self.h.sink.messages[self.seen:]
            self.seen = len(self.h.sink.messages)
        return fresh

    def tick(self, now: datetime) -> list[Received]:
        self.h.tick(now)
        fresh = self.new_mail()
        self.h.tick(now)  # the same instant again: nothing more may go out
        assert self.new_mail() == [], "a second tick sent mail again"
        return fresh

    def reply(self, reference: str, now: datetime, body: str) -> None:
        """The requester answers the desk's last mail on the ticket."""
        raw = mail(subject=f"Re: [{reference}] Printer in room 12 is jammed", body=body,
                   message_id=f"<reply.{now:%d%H%M}@school.example>", date=now)
        store_raw(self.h.engine, raw, source="test", now=now, envelope_from=JANE)
        self.h.tick(now)

    def status(self, reference: str) -> str:
        return self.h.ticket_json(reference)["status"]

    def kinds(self, reference: str) -> list[str]:
        rows = self.h.cli("outbox", "list", "--json").json()
        return [r["kind"] for r in sorted(rows, key=lambda r: r["id"]) if r["ticket"] == reference]


@pytest.fixture
def desk(harness: Harness) -> Desk:
    return Desk(harness)


def only(messages: list[Received]) -> Received:
    assert len(messages) == 1, [m.header("Subject") for m in messages]
    return messages[0]


def test_new_tickets_are_assigned_round_robin_and_the_requester_is_told(desk: Desk) -> None:
    first = desk.open(at(23, 9))
    mails = desk.new_mail()
    assert len(mails) == 2  # the acknowledgement and the assignment
    assigned = [m for m in mails if "assigned to" in m.text()]
    assert [m.rcpt_tos for m in assigned] == [[JANE]]
    assert "Alice Smith" in assigned[0].text() and "Alice Smith" in assigned[0].html()
    assert assigned[0].header("Auto-Submitted") == "auto-generated"
    assert assigned[0].mail_from == "<>"
    second = desk.open(at(23, 9, 5), subject="Projector in the hall")
    assert "Bob Jones" in only([m for m in desk.new_mail() if "assigned to" in m.text()]).text()
    third = desk.open(at(23, 9, 10), subject="Keyboard missing keys")
    assert "Alice Smith" in only([m for m in desk.new_mail() if "assigned" in m.text()]).text()
    assert [desk.h.ticket_json(r)["assignee"] for r in (first, second, third)] == [
        ALICE, BOB, ALICE
    ]
    assert desk.kinds(first) == ["acknowledgement", "assigned"]
    history = desk.h.ticket_json(first)["history"]
    assert any(e["kind"] == "assigned" and ALICE in e["detail"] for e in history)
    assert desk.tick(at(23, 9, 10)) == []


def test_waiting_on_customer_reminds_twice_then_closes(desk: Desk) -> None:
    ref = desk.open(at(23, 9))
    desk.new_mail()
    desk.update(ref, at(23, 10), "--status", "Waiting on Customer")
    assert desk.tick(at(24, 9, 59)) == []
    first = only(desk.tick(at(24, 10)))  # 24 h
    assert first.rcpt_tos == [JANE]
    assert ref in first.header("Subject")
    assert "still waiting for your reply" in first.text()
    assert "reminder 1" in first.text() and "reminder 1" in first.html()
    assert "Fri 27 Nov 2026 10:00" in first.text()  # when it will close (96 h)
    assert desk.tick(at(26, 9, 59)) == []
    second = only(desk.tick(at(26, 10)))  # 72 h
    assert "reminder 2" in second.text()
    assert desk.status(ref) == "waiting_on_customer"
    closed = only(desk.tick(at(27, 10)))  # 96 h
    assert "we have closed it" in closed.text() and "closed it" in closed.html()
    assert desk.status(ref) == "closed"
    assert desk.kinds(ref) == ["acknowledgement", "assigned", "reminder", "reminder",
                               "auto_closed"]
    assert desk.tick(at(30, 10)) == []


def test_a_late_sweep_sends_only_the_latest_reminder(desk: Desk) -> None:
    ref = desk.open(at(23, 9))
    desk.new_mail()
    desk.update(ref, at(23, 10), "--status", "waiting_on_customer")
    late = only(desk.tick(at(26, 11)))  # the daemon was down for both reminders
    assert "reminder 2" in late.text()
    assert desk.kinds(ref).count("reminder") == 1


def test_reminders_in_business_hours_when_configured(desk: Desk) -> None:
    desk.h.write_config(CLOCK_TOML.replace("[schedule]", '[schedule]\nreminder_hours = "business"'))
    ref = desk.open(at(23, 9))
    desk.new_mail()
    desk.update(ref, at(23, 10), "--status", "waiting_on_customer")
    # 24 business hours at 9.5 h a day: Mon 7 h + Tue 9.5 + Wed 7.5 → Wed 15:00
    assert desk.tick(at(25, 14, 59)) == []
    assert "reminder 1" in only(desk.tick(at(25, 15))).text()


def test_resolved_closes_after_72_hours(desk: Desk) -> None:
    ref = desk.open(at(23, 9))
    desk.new_mail()
    desk.update(ref, at(23, 10), "--status", "RESOLVED")
    desk.new_mail()  # whatever the desk says on resolution (technician replies are issue 4's)
    assert desk.tick(at(26, 9, 59)) == []
    closed = only(desk.tick(at(26, 10)))
    assert closed.rcpt_tos == [JANE]
    assert "consider it fixed" in closed.text() and "reply to this email" in closed.html()
    data = desk.h.ticket_json(ref)
    assert data["status"] == "closed"
    assert data["sla"]["resolved_at"] == at(23, 10).isoformat()
    assert "closed" in desk.kinds(ref)
    # the mail promises what a reply does (closed_reply = "new_linked" by default)
    text = " ".join(closed.text().split())
    assert "we will open a new ticket for it, linked to this one" in text
    assert "reopen" not in text
    desk.reply(ref, at(26, 11), "It is jammed again.")
    assert desk.status(ref) == "closed"
    assert desk.h.ticket_json(desk.h.tickets()[-1].reference)["related"] == [ref]


def test_closed_mail_says_a_reply_reopens_where_it_does(desk: Desk) -> None:
    desk.h.write_config(CLOCK_TOML.replace("[schedule]", '[schedule]\nclosed_reply = "reopen"'))
    ref = desk.open(at(23, 9))
    desk.update(ref, at(23, 10), "--status", "resolved")
    desk.new_mail()
    closed = only(desk.tick(at(26, 10)))
    assert "reply to this email to reopen it" in closed.text()
    assert "to reopen it" in closed.html() and "new ticket" not in closed.html()
    desk.reply(ref, at(26, 11), "It is jammed again.")
    assert desk.status(ref) == "open" and len(desk.h.tickets()) == 1


def test_awaiting_a_date_comes_back_on_that_date(desk: Desk) -> None:
    ref = desk.open(at(23, 9))
    desk.new_mail()
    desk.update(ref, at(23, 10), "--status", "awaiting action on specific date",
                "--due", "2026-11-26T08:00", "--assign", STAFF)
    told = only(desk.new_mail())  # the requester hears who has the ticket now
    assert told.rcpt_tos == [JANE] and STAFF in told.text()
    assert desk.tick(at(26, 7, 59)) == []
    back = only([m for m in desk.tick(at(26, 8)) if STAFF in m.rcpt_tos])
    assert "back in your queue" in back.text() and "the date set has come" in back.text()
    assert "Awaiting Action on Specific Date" in back.html()
    assert back.header("Auto-Submitted") == "auto-generated"
    assert desk.status(ref) == "open"


def test_site_visit_comes_back_on_the_company_rota_day(desk: Desk) -> None:
    ref = desk.open(at(23, 9))  # St Mary's: rota day Wednesday
    desk.new_mail()
    told = desk.h.cli("tickets", "update", ref, "--status", "waiting for site visit",
                      "--now", at(23, 10).isoformat())
    assert "next: resume at Wed 25 Nov 2026 07:30 GMT" in told.out  # the technician sees when
    assert desk.tick(at(25, 7, 29)) == []
    back = only([m for m in desk.tick(at(25, 7, 30)) if ALICE in m.rcpt_tos])
    assert "site visit day has come" in back.text()
    assert desk.status(ref) == "open"


def test_sla_warning_then_breach_once_each_with_escalation(desk: Desk) -> None:
    # triage: "whole school" → Urgent (30 min response, 1 h resolution)
    ref = desk.open(at(23, 9), subject="Whole school cannot log in")
    desk.new_mail()
    data = desk.h.ticket_json(ref)
    assert data["priority"] == "urgent" and data["triage"] == ["whole school"]
    assert data["sla"]["response_due"] == at(23, 9, 30).isoformat()
    assert desk.tick(at(23, 9, 19)) == []
    warning = only(desk.tick(at(23, 9, 20)))
    assert warning.rcpt_tos == [ALICE]
    assert "SLA warning" in warning.header("Subject") and ref in warning.header("Subject")
    assert "response target" in warning.text() and "Mon 23 Nov 2026 09:30" in warning.text()
    breach = only(desk.tick(at(23, 9, 30)))
    assert sorted(breach.rcpt_tos) == sorted([ALICE, BOSS])
    assert "SLA breached" in breach.header("Subject") and "missed" in breach.html()
    assert desk.h.ticket_json(ref)["sla"]["breached"] is True
    resolution = desk.tick(at(23, 10))  # the resolution target: warning is folded into breach
    assert [m.header("Subject").split(":")[0] for m in resolution] == [f"[{ref}] SLA breached"]
    sla_history = [h["detail"] for h in desk.h.ticket_json(ref)["history"] if h["kind"] == "sla"]
    assert sla_history == ["response target warning", "response target breach",
                           "resolution target warning (no mail: the breach says it)",
                           "resolution target breach"]
    assert desk.tick(at(23, 12)) == []
    # the mail to staff is kept as an internal copy, never in the requester's thread
    internal = [m for m in desk.h.ticket_json(ref)["messages"] if m["internal"]]
    assert len(internal) == 3


def test_waiting_pauses_the_sla_clock_and_moves_due_times(desk: Desk) -> None:
    ref = desk.open(at(23, 9), subject="Whole school cannot log in")
    desk.new_mail()
    desk.update(ref, at(23, 9, 10), "--status", "waiting_on_third_party")
    assert desk.tick(at(23, 9, 40)) == []  # paused: no warning, no breach
    shown = desk.h.cli("tickets", "show", ref, "--now", at(23, 9, 40).isoformat()).out
    assert "business time used 0h10m, clock paused, within target" in shown
    # while paused, the targets fall due their remaining 20 / 50 minutes after now
    assert "response due   Mon 23 Nov 2026 10:00 GMT" in shown
    assert "resolution due Mon 23 Nov 2026 10:30 GMT" in shown
    desk.update(ref, at(23, 9, 40), "--status", "actively working on")
    sla = desk.h.ticket_json(ref, now=at(23, 9, 45))["sla"]
    assert sla["response_due"] == at(23, 10).isoformat()  # moved by the 30 min paused
    assert sla["resolution_due"] == at(23, 10, 30).isoformat()
    assert sla["business_seconds_used"] == 900  # 10 min before the pause, 5 since
    assert sla["breached"] is False and sla["clock_started_at"] == at(23, 9, 40).isoformat()
    assert "SLA warning" in only(desk.tick(at(23, 9, 50))).header("Subject")


def test_stale_ticket_reminds_the_assignee(desk: Desk) -> None:
    ref = desk.open(at(23, 9))
    desk.new_mail()
    desk.update(ref, at(23, 9, 5), "--priority", "low")  # 1 week response: no SLA mail first
    assert desk.tick(at(25, 9, 4)) == []  # 2 business days: Wed 09:05
    stale = only(desk.tick(at(25, 9, 5)))
    assert stale.rcpt_tos == [ALICE]
    assert "no update since" in stale.text() and "Mon 23 Nov 2026 09:05" in stale.html()
    assert desk.kinds(ref).count("stale") == 1


def test_queue_lists_open_work_by_priority_then_age(desk: Desk) -> None:
    low = desk.open(at(23, 9))
    urgent = desk.open(at(23, 9, 5), subject="Ransomware on the office PC")
    medium = desk.open(at(23, 9, 10), subject="Mouse broken")
    done = desk.open(at(23, 9, 15), subject="Done already")
    desk.update(low, at(23, 9, 20), "--priority", "Low")
    desk.update(done, at(23, 9, 20), "--status", "closed")
    rows = desk.h.cli("tickets", "queue", "--json").json()
    assert [r["reference"] for r in rows] == [urgent, medium, low]
    assert rows[0]["priority"] == "urgent" and rows[0]["response_due"]
    text = desk.h.cli("tickets", "queue").out
    assert text.index(urgent) < text.index(medium) < text.index(low) and done not in text


def test_update_rejects_bad_input_clearly(desk: Desk) -> None:
    ref = desk.open(at(23, 9))
    for args, message in (
        (("--status", "nonsense"), "unknown status 'nonsense'; known: open,"),
        (("--priority", "asap"), "unknown priority 'asap'"),
        (("--assign", "someone@else.example"), "is not a member of staff"),
        (("--due", "next week"), "is not a date"),
        ((), "nothing to change"),
    ):
        result = desk.h.cli("tickets", "update", ref, *args)
        assert result.code != 0 and message in result.err, (args, result.err)
        assert "Traceback" not in result.err
    assert desk.h.cli("tickets", "update", "INC9999999", "--note", "x").code != 0


def test_update_note_and_show_json(desk: Desk) -> None:
    ref = desk.open(at(23, 9))
    desk.update(ref, at(23, 9, 30), "--note", "called the caretaker", "--as", STAFF)
    data = desk.h.ticket_json(ref)
    note = [m for m in data["messages"] if m["internal"] and m["from"] == STAFF]
    assert note and note[0]["body"] == "called the caretaker"
    assert set(data["sla"]) >= {"response_due", "resolution_due", "responded_at",
                                "business_seconds_used", "breached"}
    assert data["sla"]["response_due"] == at(24, 9).isoformat()  # Medium: 1 business day
    assert data["sla"]["resolution_due"] == at(26, 9).isoformat()  # 3 business days
    # a label as the seed policy prints it, typographic dash and all
    moved = desk.update(ref, at(23, 9, 31), "--status", "Escalated \u2013 needs action")
    assert moved["status"] == "escalated_needs_action"


def test_a_customer_reply_stops_the_reminders(desk: Desk) -> None:
    ref = desk.open(at(23, 9))
    desk.new_mail()
    desk.update(ref, at(23, 10), "--status", "waiting_on_customer")
    reply = mail(subject=f"Re: [{ref}] Printer in room 12 is jammed", body="It is room 12B.",
                 message_id="<reply1@school.example>", date=at(23, 12))
    store_raw(desk.h.engine, reply, source="test", now=at(23, 12), envelope_from=JANE)
    desk.h.tick(at(23, 12))
    desk.new_mail()
    assert desk.status(ref) == "open"
    assert desk.tick(at(24, 10)) == []
    later = desk.tick(at(27, 10))  # the SLA clock runs again: staff hear of it, Jane does not
    assert later and all(JANE not in m.rcpt_tos for m in later)
    assert "reminder" not in desk.kinds(ref) and desk.status(ref) == "open"


def test_triage_records_every_rule_that_fired(desk: Desk) -> None:
    ref = desk.open(at(23, 9), subject="Safeguarding concern",
                    body="A safeguarding issue seen during the event, affecting the whole class.")
    data = desk.h.ticket_json(ref)
    assert data["triage"] == ["safeguarding", "whole class", "event"]
    assert data["priority"] == "urgent" and data["confidential"] is True
    [triage] = [h for h in data["history"] if h["kind"] == "triage"]
    assert "safeguarding (priority urgent, confidential True)" in triage["detail"]
    assert "event (priority high)" in triage["detail"]
    assert any(h["kind"] == "priority" and "triage: safeguarding" in h["detail"]
               for h in data["history"])


def test_a_company_profile_sets_its_own_targets(desk: Desk) -> None:
    desk.h.write_config(CLOCK_TOML.replace('rota_days = ["wed"]',
                                           'rota_days = ["wed"]\nsla_profile = "concero"'))
    ref = desk.open(at(23, 9))  # Medium under Concero: 24 / 80 working hours
    sla = desk.h.ticket_json(ref)["sla"]
    assert sla["response_due"] == at(25, 14).isoformat()  # Mon 8 h + Tue 9.5 h + Wed 6.5 h
    assert sla["resolution_due"] == datetime(2026, 12, 3, 13, 0, tzinfo=UTC).isoformat()


def test_out_of_hours_tickets_go_to_whoever_is_on_duty_next(desk: Desk) -> None:
    desk.h.write_config(
        CLOCK_TOML.replace('name = "Bob Jones"', 'name = "Bob Jones"\ndays = ["tue"]')
        .replace('name = "Alice Smith"', 'name = "Alice Smith"\ndays = ["mon"]')
    )
    ref = desk.open(at(23, 20))  # Monday night: next opening Tue 07:30; only Bob works Tuesdays
    assert desk.h.ticket_json(ref)["assignee"] == BOB
    ref = desk.open(at(23, 10))  # Monday 10:00: only Alice is on duty
    assert desk.h.ticket_json(ref)["assignee"] == ALICE


def test_nobody_is_on_duty_on_a_public_holiday(desk: Desk) -> None:
    desk.h.write_config(
        CLOCK_TOML.replace('name = "Bob Jones"', 'name = "Bob Jones"\ndays = ["tue"]')
        .replace('name = "Alice Smith"', 'name = "Alice Smith"\ndays = ["mon"]\n'
                 'hours = ["08:00-16:00"]')
        + "\n[business_hours]\nholidays = [2026-11-30]\n"
    )
    ref = desk.open(at(30, 10))  # Alice's Monday, but a holiday: Bob has it on Tuesday
    assert desk.h.ticket_json(ref)["assignee"] == BOB


def sla_mail(messages: list[Received]) -> list[Received]:
    return [m for m in messages if "SLA" in m.header("Subject")]


def test_a_raised_priority_warns_again_for_its_new_target(desk: Desk) -> None:
    desk.h.write_config(CLOCK_TOML.replace('sla_warning_lead = "10m"', 'sla_warning_lead = "45m"'))
    ref = desk.open(at(23, 9))
    desk.update(ref, at(23, 9), "--priority", "high")  # response due 10:00, resolution 11:00
    desk.new_mail()
    first = only(sla_mail(desk.tick(at(23, 9, 15))))
    assert "response target" in first.text() and "Mon 23 Nov 2026 10:00" in first.text()
    desk.update(ref, at(23, 9, 20), "--priority", "urgent")  # response due 09:30 now
    desk.new_mail()
    again = only([m for m in sla_mail(desk.tick(at(23, 9, 20))) if "response" in m.text()])
    assert "SLA warning" in again.header("Subject")
    assert "Mon 23 Nov 2026 09:30" in again.text()
    breach = only(sla_mail(desk.tick(at(23, 9, 30))))
    assert "SLA breached" in breach.header("Subject") and "response" in breach.text()
    assert desk.kinds(ref).count("sla_warning") == 3  # response twice, resolution once


def test_a_reopened_ticket_warns_and_breaches_on_its_resolution_target_again(
    desk: Desk,
) -> None:
    ref = desk.open(at(23, 9), subject="Whole school cannot log in")  # urgent: 30 min / 1 h
    desk.new_mail()
    desk.tick(at(23, 9, 20))
    desk.tick(at(23, 9, 30))  # the response target's warning and breach
    warned = only(sla_mail(desk.tick(at(23, 9, 50))))
    assert "resolution target" in warned.text() and "Mon 23 Nov 2026 10:00" in warned.text()
    desk.update(ref, at(23, 9, 55), "--status", "resolved")  # 55 business minutes used
    desk.update(ref, at(23, 10, 30), "--status", "open")  # 5 minutes left: due 10:35
    desk.new_mail()
    assert desk.h.ticket_json(ref)["sla"]["resolution_due"] == at(23, 10, 35).isoformat()
    again = only(sla_mail(desk.tick(at(23, 10, 30))))
    assert "SLA warning" in again.header("Subject")
    assert "resolution target" in again.text() and "Mon 23 Nov 2026 10:35" in again.text()
    assert sla_mail(desk.tick(at(23, 10, 34))) == []
    breach = only(sla_mail(desk.tick(at(23, 10, 35))))
    assert "SLA breached" in breach.header("Subject") and "resolution" in breach.text()
    assert sla_mail(desk.tick(at(23, 12))) == []


def test_automatic_mail_to_staff_does_not_put_off_the_stale_reminder(desk: Desk) -> None:
    ref = desk.open(at(23, 9))  # medium: response due Tue 09:00; stale after 2 business days
    desk.new_mail()
    assert "SLA warning" in only(desk.tick(at(24, 8, 50))).header("Subject")
    assert "SLA breached" in only(desk.tick(at(24, 9))).header("Subject")
    assert desk.h.ticket_json(ref)["updated_at"] == at(23, 9).isoformat()
    assert desk.tick(at(25, 8, 59)) == []
    stale = only(desk.tick(at(25, 9)))
    assert stale.rcpt_tos == [ALICE] and "Mon 23 Nov 2026 09:00" in stale.text()


def test_show_and_queue_read_the_sla_at_the_instant_asked(desk: Desk) -> None:
    # Medium, logged Fri 27 Nov 16:30: response due Mon 16:30 (30 min Fri + 9 h Mon)
    ref = desk.open(at(27, 16, 30))
    sla = desk.h.ticket_json(ref, now=at(30, 9))["sla"]
    assert sla["business_seconds_used"] == 2 * 3600  # Fri 16:30–17:00, Mon 07:30–09:00
    assert sla["breached"] is False and sla["as_of"] == at(30, 9).isoformat()
    # at the due time the target is missed, whether or not a sweep has run yet
    assert desk.h.ticket_json(ref, now=at(30, 16, 30))["sla"]["breached"] is True
    queue = desk.h.cli("tickets", "queue", "--now", at(30, 16, 30).isoformat()).out
    [row] = [line for line in queue.splitlines() if ref in line]
    assert "Mon 30 Nov 2026 16:30 GMT" in row and "BREACHED" in row
    # paused on Mon at 10:00 with 6.5 business hours left: due 6.5 h after whenever it resumes
    other = desk.open(at(27, 16, 30), subject="Scanner offline")
    desk.update(other, at(30, 10), "--status", "waiting on customer")
    sla = desk.h.ticket_json(other, now=at(30, 10))["sla"]
    assert sla["response_due"] == at(30, 16, 30).isoformat() and sla["running"] is False
    tuesday = desk.h.ticket_json(other, now=datetime(2026, 12, 1, 10, tzinfo=UTC))["sla"]
    assert tuesday["response_due"] == datetime(2026, 12, 1, 16, 30, tzinfo=UTC).isoformat()
    assert tuesday["business_seconds_used"] == 3 * 3600 and tuesday["breached"] is False


EDUCATION_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / (
    "education-digital-services.toml"
)


def test_education_digital_services_policy_runs_from_its_example(desk: Desk) -> None:
    desk.h.write_config(f'[[technicians]]\naddress = "{ALICE}"\nname = "Alice Smith"\n')
    desk.h.config_path.write_text(
        EDUCATION_EXAMPLE.read_text(encoding="utf-8") + desk.h.config_path.read_text("utf-8"),
        encoding="utf-8",
    )
    assert desk.h.cli("check-config").code == 0
    ref = desk.open(at(23, 9))
    desk.new_mail()
    assert desk.status(ref) == "new"
    desk.update(ref, at(23, 9, 30), "--status", "In Progress")
    # deferred by agreement until a date and time: the clock stops, the ticket comes back then
    deferred = desk.update(ref, at(23, 10), "--due", "2026-11-26T10:00")
    assert deferred["status_label"] == "On Hold (Customer Deferral)"
    assert desk.h.ticket_json(ref, now=at(24, 10))["sla"]["running"] is False
    assert desk.tick(at(26, 9, 59)) == []
    back = only(desk.tick(at(26, 10)))
    assert back.rcpt_tos == [ALICE] and "On Hold (Customer Deferral)" in back.text()
    assert desk.status(ref) == "in_progress"
    # awaiting the customer's update: no reminders, no closure, until the customer writes
    desk.update(ref, at(26, 11), "--status", "On Hold (Awaiting Customer Update)")
    assert desk.tick(at(30, 11)) == []
    desk.reply(ref, at(30, 12), "The error says 'licence expired'.")
    desk.new_mail()
    assert desk.status(ref) == "in_progress"
    # Resolved stays 24 hours, then Closed
    desk.update(ref, at(30, 13), "--status", "resolved")
    desk.new_mail()
    assert desk.tick(datetime(2026, 12, 1, 12, 59, tzinfo=UTC)) == []
    closed = only(desk.tick(datetime(2026, 12, 1, 13, tzinfo=UTC)))
    assert closed.rcpt_tos == [JANE] and "consider it fixed" in closed.text()
    assert desk.status(ref) == "closed"


def test_serve_runs_the_sweep_every_minute(desk: Desk) -> None:
    ref = desk.open(at(23, 9))
    desk.new_mail()
    desk.update(ref, at(23, 10), "--status", "waiting_on_customer")
    assert Daemon(desk.h.config, desk.h.engine).sweep_seconds == 60
    # the first reminder is due; a sweep every 0.2 s rather than wait for the first minute
    with desk.h.daemon(clock=lambda: at(24, 10), sweep_seconds=0.2):
        [reminder] = wait_until(desk.new_mail, what="the reminder from the daemon's sweep")
    assert reminder.rcpt_tos == [JANE] and "reminder 1" in reminder.text()
    assert desk.kinds(ref).count("reminder") == 1
