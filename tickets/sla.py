"""The SLA clock: response and resolution due times on the business clock.

One clock per ticket counts business seconds while the ticket's status has its timer on
(`clock_started_at` is set while it runs; `business_seconds_used` holds what earlier runs used).
A target's budget is its duration in business seconds, measured from the ticket's creation
("1 business day" depends on the hours of the day it covers). While the clock runs, a target is
due when the budget is used up: `clock_started_at` + (budget − used before this run) on the
business clock. So a pause moves the due times by exactly the business time it lasted.
While paused, due times show when the target would fall due if the clock restarted now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from tickets.desk import DeskPolicy
from tickets.models import Company, Ticket
from tickets.policy import Duration, Status

TARGETS = ("response", "resolution")


@dataclass(frozen=True, slots=True)
class Budgets:
    """Business seconds allowed for each target; None: the priority has no such target."""

    response: int | None
    resolution: int | None


def profile_for(session: Session, policy: DeskPolicy, ticket: Ticket) -> str | None:
    """The ticket's company's SLA profile, else None (the desk's `sla_profile`)."""
    if ticket.company_id is not None:
        company = session.get(Company, ticket.company_id)
        if company is not None and company.sla_profile:
            return _known(policy, company.sla_profile)
    for configured in policy.companies:
        if configured.name == ticket.company_name and configured.sla_profile:
            return _known(policy, configured.sla_profile)
    return None


def _known(policy: DeskPolicy, profile: str) -> str | None:
    # A company row may name a profile since removed from config: fall back to the desk's own.
    return profile if profile in policy.profile_names() else None


def budgets(policy: DeskPolicy, profile: str | None, ticket: Ticket) -> Budgets:
    # A priority since removed from config counts as the default one, rather than stop the
    # ticket from changing at all.
    known = policy.priority(ticket.priority) is not None
    targets = policy.targets(profile, ticket.priority if known else policy.default_priority)
    calendar = policy.calendar()
    start = ticket.created_at

    def seconds(target: Duration | None) -> int | None:
        return None if target is None else target.business_seconds(start, calendar)

    return Budgets(response=seconds(targets.response), resolution=seconds(targets.resolution))


def used(ticket: Ticket, policy: DeskPolicy, now: datetime) -> int:
    """Business seconds the clock has run up to `now`."""
    total = ticket.business_seconds_used
    if ticket.clock_started_at is not None:
        total += policy.calendar().business_seconds_between(ticket.clock_started_at, now)
    return total


def start(ticket: Ticket, policy: DeskPolicy, profile: str | None, now: datetime) -> None:
    """A new ticket: the clock starts if its first status runs the timer."""
    ticket.business_seconds_used = 0
    status = policy.status(ticket.status)
    ticket.clock_started_at = now if status is not None and status.timer else None
    recompute(ticket, policy, profile, now)


def recompute(ticket: Ticket, policy: DeskPolicy, profile: str | None, now: datetime) -> None:
    """Set the due times from the budgets of the ticket's priority (after a priority change,
    a pause or a restart). A target already met keeps its due time."""
    calendar = policy.calendar()
    budget = budgets(policy, profile, ticket)
    run_from = ticket.clock_started_at or now
    spent = ticket.business_seconds_used

    def due(seconds: int | None, current: datetime | None) -> datetime | None:
        if seconds is None:
            return None
        if seconds >= spent:
            return calendar.add_business_seconds(run_from, seconds - spent)
        return current or run_from  # used up before this run began: already due

    if ticket.responded_at is None:
        ticket.response_due_at = due(budget.response, ticket.response_due_at)
    if ticket.resolved_at is None:
        ticket.resolution_due_at = due(budget.resolution, ticket.resolution_due_at)


def status_changed(
    ticket: Ticket, policy: DeskPolicy, profile: str | None, new: Status, now: datetime
) -> None:
    """Pause or restart the clock for the new status; entering the resolved status resolves."""
    if ticket.clock_started_at is not None and not new.timer:
        ticket.business_seconds_used = used(ticket, policy, now)
        ticket.clock_started_at = None
    elif ticket.clock_started_at is None and new.timer:
        ticket.clock_started_at = now
    if new.category == "resolved":
        ticket.resolved_at = now
        if ticket.resolution_due_at is not None and now > ticket.resolution_due_at:
            ticket.sla_breached = True
    elif new.category != "closed":
        ticket.resolved_at = None  # reopened: the resolution target runs again
    ticket.closed_at = now if new.category == "closed" else None
    recompute(ticket, policy, profile, now)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The SLA as it stands at one instant, for people and scripts to read."""

    response_due: datetime | None
    resolution_due: datetime | None
    business_seconds_used: int
    breached: bool


def snapshot(
    ticket: Ticket, policy: DeskPolicy, profile: str | None, now: datetime
) -> Snapshot:
    """Due times, business time used and breach at `now`, without changing the ticket.

    While the clock runs the stored due times hold. While a waiting status pauses it, a target
    not met yet is due its remaining budget after `now` (when it would fall due if the clock
    restarted now). A resolved or closed ticket keeps the due times it had. Breached: a target
    was missed, whether or not the sweep has announced it yet.
    """
    spent = used(ticket, policy, now)
    budget = budgets(policy, profile, ticket)
    status = policy.status(ticket.status)
    finished = status is not None and status.category in ("resolved", "closed")
    calendar = policy.calendar()
    breached = ticket.sla_breached

    def due(seconds: int | None, stored: datetime | None, met: datetime | None) -> datetime | None:
        nonlocal breached
        if seconds is None or met is not None:
            return stored
        if spent >= seconds:
            breached = True
            return stored
        if ticket.clock_started_at is not None or finished:
            return stored
        return calendar.add_business_seconds(now, seconds - spent)

    return Snapshot(
        response_due=due(budget.response, ticket.response_due_at, ticket.responded_at),
        resolution_due=due(budget.resolution, ticket.resolution_due_at, ticket.resolved_at),
        business_seconds_used=spent,
        breached=breached,
    )


def responded(ticket: Ticket, now: datetime) -> None:
    """The first public reply to the requester."""
    ticket.responded_at = now
    if ticket.response_due_at is not None and now > ticket.response_due_at:
        ticket.sla_breached = True
