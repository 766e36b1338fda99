"""One pass of everything time-driven: stored mail, due tickets, the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from mailgate import observe
from mailgate.batches import process_pending
from mailgate.config import Config
from mailgate.due import run_due_tickets
from mailgate.pending import expire_pending
from mailgate.pipeline import notifier_for
from notify.sender import DeliveryReport, deliver_pending


@dataclass(frozen=True, slots=True)
class SweepReport:
    processed: int
    due: int
    delivery: DeliveryReport


def due_tickets(engine: Engine, config: Config, now: datetime) -> int:
    """Apply the actions of tickets whose `next_action_at` has come (see `mailgate.due`)."""
    return run_due_tickets(engine, config, now)


def sweep(
    engine: Engine, config: Config, now: datetime, stopping: Callable[[], bool] | None = None
) -> SweepReport:
    processed = process_pending(engine, config, now)
    due = due_tickets(engine, config, now)
    expire_pending(engine, config, now)  # held requests nobody answered (issue 3)
    delivery = deliver_all(engine, config, now, stopping)
    return SweepReport(processed=processed, due=due, delivery=delivery)


def deliver_all(
    engine: Engine, config: Config, now: datetime, stopping: Callable[[], bool] | None = None
) -> DeliveryReport:
    """Send what is due until a pass sends nothing; `stopping`: see `deliver_pending`."""
    total = DeliveryReport()
    while not (stopping and stopping()):
        report = deliver_pending(engine, config.smtp_out, config.desk.address, now,
                                 notifier=notifier_for(config), stopping=stopping)
        total = DeliveryReport(
            sent=total.sent + report.sent,
            retrying=total.retrying + report.retrying,
            failed=total.failed + report.failed,
            relay_error=report.relay_error,
        )
        if report == DeliveryReport() or report.sent == 0:
            break
    observe.delivered(total)
    return total
