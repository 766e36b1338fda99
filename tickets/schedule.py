"""When a ticket next needs the scheduler's attention, and for what.

Every change to a ticket goes through `tickets.lifecycle`, which calls `refresh` so that the
sweep is one indexed query on `next_action_at`.
"""

from __future__ import annotations

from datetime import datetime

from tickets.desk import DeskPolicy
from tickets.models import Ticket


def refresh(ticket: Ticket, policy: DeskPolicy, now: datetime) -> None:
    """Set `next_action_at` / `next_action` from the ticket's state (nothing is scheduled yet)."""
    ticket.next_action_at = None
    ticket.next_action = ""
