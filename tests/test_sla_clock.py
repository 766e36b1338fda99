"""The SLA clock with pauses: due times move by exactly the business time paused.

Worked out by hand (Europe/London, default hours Mon–Fri 07:30–17:00; Urgent 30 min / 1 h,
High 1 h / 2 h, Medium 1 business day / 3 business days). Mon 23 Nov 2026 is GMT; the clocks
go forward on Sun 28 Mar 2027 (Mon 29 Mar is BST). Each case: priority, creation, then changes
(a status key, or "priority:<key>"), and the expected response due, resolution due and business
seconds used after the last change.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tickets import sla
from tickets.desk import DeskPolicy
from tickets.models import Ticket

LONDON = ZoneInfo("Europe/London")
POLICY = DeskPolicy()


def lon(m: int, d: int, hh: int, mm: int = 0, y: int = 2026) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


Change = tuple[datetime, str]
CASES: list[tuple[str, str, datetime, list[Change], datetime, datetime | None, int]] = [
    ("no pause: urgent at Mon 09:00", "urgent", lon(11, 23, 9), [],
     lon(11, 23, 9, 30), lon(11, 23, 10), 0),
    ("across the night: urgent at Mon 16:50 → 10 min Mon + 20 min Tue", "urgent",
     lon(11, 23, 16, 50), [], lon(11, 24, 7, 50), lon(11, 24, 8, 20), 0),
    ("paused 30 business min moves both targets 30 min", "urgent", lon(11, 23, 9),
     [(lon(11, 23, 9, 10), "waiting_on_customer"), (lon(11, 23, 9, 40), "open")],
     lon(11, 23, 10), lon(11, 23, 10, 30), 600),
    ("two pauses add up", "urgent", lon(11, 23, 9),
     [(lon(11, 23, 9, 5), "waiting_on_third_party"), (lon(11, 23, 9, 15), "open"),
      (lon(11, 23, 9, 20), "waiting_on_third_party"), (lon(11, 23, 9, 30), "open")],
     lon(11, 23, 9, 50), lon(11, 23, 10, 20), 600),
    ("paused overnight: only 16:50–17:00 and 07:30–08:00 count (40 min)", "urgent",
     lon(11, 23, 16, 40),
     [(lon(11, 23, 16, 50), "waiting_on_customer"), (lon(11, 24, 8), "pending_action")],
     lon(11, 24, 8, 20), lon(11, 24, 8, 50), 600),
    ("a pause wholly out of hours moves nothing", "urgent", lon(11, 23, 16, 45),
     [(lon(11, 23, 17), "waiting_on_customer"), (lon(11, 23, 22), "open")],
     lon(11, 24, 7, 45), lon(11, 24, 8, 15), 900),
    ("paused over the weekend", "high", lon(11, 27, 16, 30),
     [(lon(11, 27, 16, 45), "waiting_on_customer"), (lon(11, 30, 12), "open")],
     lon(11, 30, 12, 45), lon(11, 30, 13, 45), 900),
    ("business days: 1 day paused for 2 days", "medium", lon(11, 23, 10),
     [(lon(11, 23, 11), "waiting_for_site_visit"), (lon(11, 25, 11), "open")],
     lon(11, 26, 10), lon(11, 30, 10), 3600),
    ("paused across the clocks going forward", "urgent", lon(3, 26, 16, 50, 2027),
     [(lon(3, 26, 16, 55, 2027), "waiting_on_customer"), (lon(3, 29, 7, 30, 2027), "open")],
     lon(3, 29, 7, 55, 2027), lon(3, 29, 8, 25, 2027), 300),
    ("priority raised while paused: new budget less time used", "urgent", lon(11, 23, 9),
     [(lon(11, 23, 9, 10), "waiting_on_customer"), (lon(11, 23, 9, 20), "priority:high"),
      (lon(11, 23, 9, 40), "open")],
     lon(11, 23, 10, 30), lon(11, 23, 11, 30), 600),
    ("resolved then reopened: the resolution clock runs on from where it stopped", "urgent",
     lon(11, 23, 9), [(lon(11, 23, 9, 20), "resolved"), (lon(11, 23, 11), "open")],
     lon(11, 23, 11, 10), lon(11, 23, 11, 40), 1200),
    ("no resolution target (Low)", "low", lon(11, 23, 9), [],
     lon(11, 30, 9), None, 0),
]


@pytest.mark.parametrize(
    ("priority", "created", "changes", "response", "resolution", "used"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_pauses_move_due_times(
    priority: str,
    created: datetime,
    changes: list[Change],
    response: datetime,
    resolution: datetime | None,
    used: int,
) -> None:
    ticket = Ticket(reference="INC1", status="open", priority=priority, requester_id=1,
                    created_at=created, updated_at=created, status_changed_at=created)
    sla.start(ticket, POLICY, None, created)
    for when, change in changes:
        if change.startswith("priority:"):
            ticket.priority = change.partition(":")[2]
            sla.recompute(ticket, POLICY, None, when)
        else:
            status = POLICY.status(change)
            assert status is not None
            ticket.status = change
            sla.status_changed(ticket, POLICY, None, status, when)
    assert ticket.response_due_at == response
    assert ticket.resolution_due_at == resolution
    assert ticket.business_seconds_used == used


def test_resolving_late_marks_the_breach() -> None:
    created = lon(11, 23, 9)
    ticket = Ticket(reference="INC1", status="open", priority="urgent", requester_id=1,
                    created_at=created, updated_at=created, status_changed_at=created)
    sla.start(ticket, POLICY, None, created)
    sla.responded(ticket, lon(11, 23, 9, 29))
    assert not ticket.sla_breached
    resolved = POLICY.resolved_status
    sla.status_changed(ticket, POLICY, None, resolved, lon(11, 23, 10, 1))
    assert ticket.sla_breached and ticket.resolved_at == lon(11, 23, 10, 1)
    assert ticket.clock_started_at is None


# A desk with bank holidays and school-holiday hours (08:00–17:00) over Christmas 2026.
HOLIDAY_POLICY = DeskPolicy.model_validate({
    "business_hours": {
        "holidays": ["2026-12-25", "2026-12-28", "2027-01-01"],
        "alternate": [{
            "name": "school holidays",
            "weekly": {day: ["08:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
            "periods": [{"start": "2026-12-21", "end": "2027-01-01"}],
        }],
    },
})

CREATED_CASES: list[tuple[str, DeskPolicy, str, datetime, datetime, datetime | None]] = [
    ("urgent on Christmas Eve at 16:45: 15 min then Tue 29 Dec from 08:00 (holiday hours)",
     HOLIDAY_POLICY, "urgent", lon(12, 24, 16, 45), lon(12, 29, 8, 15), lon(12, 29, 8, 45)),
    ("medium on Christmas Day: one whole day of the desk, then three (Fri 1 Jan is a holiday)",
     HOLIDAY_POLICY, "medium", lon(12, 25, 10), lon(12, 29, 17), lon(1, 4, 8, y=2027)),
    ("high at night: counted from the 08:00 opening of the school holidays",
     HOLIDAY_POLICY, "high", lon(12, 22, 21), lon(12, 23, 9), lon(12, 23, 10)),
    ("the same in term time opens at 07:30",
     HOLIDAY_POLICY, "high", lon(12, 15, 21), lon(12, 16, 8, 30), lon(12, 16, 9, 30)),
    ("high on the Friday before the clocks go forward: 30 min GMT, 30 min BST",
     POLICY, "high", lon(3, 26, 16, 30, y=2027), lon(3, 29, 8, y=2027), lon(3, 29, 9, y=2027)),
    ("urgent on the Friday before the clocks go back: 15 min BST, 15 min GMT",
     POLICY, "urgent", lon(10, 23, 16, 45), lon(10, 26, 7, 45), lon(10, 26, 8, 15)),
    ("medium on a Saturday: one whole Monday", POLICY, "medium", lon(11, 28, 11),
     lon(11, 30, 17), lon(12, 2, 17)),
]


@pytest.mark.parametrize(
    ("policy", "priority", "created", "response", "resolution"),
    [pytest.param(*case[1:], id=case[0]) for case in CREATED_CASES],
)
def test_due_times_from_when_the_ticket_was_logged(
    policy: DeskPolicy,
    priority: str,
    created: datetime,
    response: datetime,
    resolution: datetime | None,
) -> None:
    ticket = Ticket(reference="INC1", status="open", priority=priority, requester_id=1,
                    created_at=created, updated_at=created, status_changed_at=created)
    sla.start(ticket, policy, None, created)
    assert ticket.response_due_at == response
    assert ticket.resolution_due_at == resolution


def test_snapshot_at_an_instant() -> None:
    created = lon(11, 23, 9)  # urgent: 30 min / 1 h
    ticket = Ticket(reference="INC1", status="open", priority="urgent", requester_id=1,
                    created_at=created, updated_at=created, status_changed_at=created)
    sla.start(ticket, POLICY, None, created)
    running = sla.snapshot(ticket, POLICY, None, lon(11, 23, 9, 20))
    assert (running.business_seconds_used, running.breached) == (1200, False)
    assert running.response_due == lon(11, 23, 9, 30)
    # paused at 09:20 with 10 min of response left: due 10 business minutes after the instant
    ticket.status = "waiting_on_customer"
    sla.status_changed(ticket, POLICY, None, POLICY.status("waiting_on_customer"),  # type: ignore[arg-type]
                       lon(11, 23, 9, 20))
    overnight = sla.snapshot(ticket, POLICY, None, lon(11, 23, 20))
    assert overnight.response_due == lon(11, 24, 7, 40)
    assert overnight.resolution_due == lon(11, 24, 8, 10)
    assert (overnight.business_seconds_used, overnight.breached) == (1200, False)
    # a priority since removed from config counts as the default (Medium: 1 business day)
    ticket.priority = "p9"
    assert sla.snapshot(ticket, POLICY, None, lon(11, 23, 20)).response_due == lon(11, 24, 16, 40)
    sla.status_changed(ticket, POLICY, None, POLICY.status("open"),  # type: ignore[arg-type]
                       lon(11, 24, 9))
    assert ticket.response_due_at == lon(11, 25, 8, 40)  # 9 h 10 min left: 8 h Tue, 1 h 10 Wed
