"""What the daemon tells about a message or a mail: each happening is logged once, as an event
with its fields (mailgate.logs), and counted (mailgate.metrics).

Fields: `event` (received, processed, quarantined, sla_breach; notify.sender logs sent,
retrying, bounced, failed), `inbound_id`, `message_id`, `reference`, `door`, `state`,
`outcome`, `reason`. Never a body, a subject or an address of the person who wrote.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from mailgate import metrics
from notify.sender import DeliveryReport

log = logging.getLogger("mailgate.events")

# The kind of a quarantine reason, for the metric's label (a reason itself names ids and
# sizes): the opening words of each reason mailgate writes.
REASON_KINDS = (
    ("too large", "too_large"),
    ("the server answered the fetch without it", "not_fetched"),
    ("pipeline error", "pipeline_error"),
    ("the database refused it", "database_refused"),
    ("the mail has no usable From address", "no_sender"),
    ("no rule placed this message", "unplaced"),
    ("duplicate of message", "impostor"),
    ("rate limited", "rate_limited"),  # tickets/pipeline/rate_limit.py
)


@dataclass(frozen=True, slots=True)
class Processed:
    """One message through the pipeline: where it ended and why."""

    inbound_id: int
    message_id: str
    received_at: datetime
    state: str  # done | held | screened | quarantined
    reason: str
    outcome: str = ""  # new_ticket | follow_up | technician_reply | new_linked | held | …
    reference: str = ""  # the ticket it made or joined
    pending_id: int | None = None  # the held request it made or answered


def door_of(source: str) -> str:
    """smtp, imap or pipe (`mailgate ingest`); another source as it is named."""
    kind = source.split(":", 1)[0]
    return "pipe" if kind == "ingest" else kind


def reason_kind(reason: str) -> str:
    for opening, kind in REASON_KINDS:
        if reason.startswith(opening):
            return kind
    return "other"


def received(source: str, inbound_id: int, message_id: str, size: int) -> None:
    door = door_of(source)
    metrics.RECEIVED.labels(door).inc()
    log.info("message %s received through %s", inbound_id, source, extra={
        "event": "received", "door": door, "source": source, "inbound_id": inbound_id,
        "message_id": message_id, "size": size,
    })


def processed(result: Processed, now: datetime) -> None:
    metrics.PROCESSED.labels(result.state, result.outcome or "none").inc()
    metrics.LATENCY.observe(max((now - result.received_at).total_seconds(), 0.0))
    fields = {
        "inbound_id": result.inbound_id, "message_id": result.message_id,
        "state": result.state, "outcome": result.outcome, "reason": result.reason,
        "reference": result.reference, "pending_id": result.pending_id,
    }
    if result.state == "quarantined":
        kind = reason_kind(result.reason)
        metrics.QUARANTINED.labels(kind).inc()
        log.warning("message %s quarantined: %s", result.inbound_id, result.reason,
                    extra={"event": "quarantined", "reason_kind": kind, **fields})
        return
    log.info("message %s: %s %s", result.inbound_id, result.state, result.reason,
             extra={"event": "processed", **fields})


def left_in_mailbox(source: str, inbound_id: int, message_id: str, reason: str) -> None:
    """A message a door could not take whole: stored as its header, quarantined at once."""
    door = door_of(source)
    kind = reason_kind(reason)
    metrics.RECEIVED.labels(door).inc()
    metrics.QUARANTINED.labels(kind).inc()
    log.warning("message %s quarantined: %s", inbound_id, reason, extra={
        "event": "quarantined", "door": door, "source": source, "inbound_id": inbound_id,
        "message_id": message_id, "state": "quarantined", "reason": reason,
        "reason_kind": kind,
    })


def quarantined_on_arrival(source: str, inbound_id: int, message_id: str, reason: str) -> None:
    """A message stored straight into quarantine (another mail's Message-ID and body from
    another sender: mailgate.intake.impostor)."""
    left_in_mailbox(source, inbound_id, message_id, reason)


def sla_breached(ticket_id: int | None, reference: str, target: str) -> None:
    metrics.SLA_BREACHES.labels(target).inc()
    log.info("ticket %s: %s target breached", reference, target, extra={
        "event": "sla_breach", "ticket_id": ticket_id, "reference": reference,
        "target": target,
    })


def delivered(report: DeliveryReport) -> None:
    """Count a delivery pass (notify.sender logs each mail)."""
    for result, count in (("sent", report.sent), ("retried", report.retrying),
                          ("failed", report.failed)):
        if count:
            metrics.OUTBOX.labels(result).inc(count)
