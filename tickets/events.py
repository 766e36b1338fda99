"""What happened to a ticket, as the rules report it; `notify` turns events into mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # ticket_created, customer_replied, status_changed, ...
    ticket_id: int | None
    key: str  # unique per occurrence: the outbox never sends twice for one key
    notify: bool = True  # False: record only (automated mail, rate-limited sender)
    data: dict[str, Any] = field(default_factory=dict)
