"""Every Prometheus metric `serve` exposes (README "Logs, metrics and health").

Counters and the latency histogram count what this process did: several daemons may share a
database, and Prometheus adds up their series. Queue depths and mailbox states are the
database's, read when Prometheus scrapes (`DatabaseCollector`), with a few indexed counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from tickets.models import InboundMessage, MailboxState, Outbox, PendingRequest

# registry=None: a daemon puts them in a registry of its own (`registry_for`), so that a test
# running several daemons in one process registers nothing twice
RECEIVED = Counter(
    "mailgate_messages_received", "Messages stored, by the door they came through "
    "(smtp, imap, pipe)", ["door"], registry=None,
)
PROCESSED = Counter(
    "mailgate_messages_processed", "Messages through the pipeline, by final state (done, "
    "held, screened, quarantined) and outcome (new_ticket, follow_up, …)",
    ["state", "outcome"], registry=None,
)
QUARANTINED = Counter(
    "mailgate_messages_quarantined", "Messages quarantined, by kind of reason",
    ["reason"], registry=None,
)
OUTBOX = Counter(
    "mailgate_outbox_mail", "Outgoing mail handed to the SMTP server (sent), given another "
    "try later (retried) or given up (failed)", ["result"], registry=None,
)
LATENCY = Histogram(
    "mailgate_pipeline_latency_seconds", "From a message stored to it processed",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
    registry=None,
)
SLA_BREACHES = Counter(
    "mailgate_sla_breaches", "SLA targets (response, resolution) the sweep found breached",
    ["target"], registry=None,
)
OWN: Sequence[Collector] = (RECEIVED, PROCESSED, QUARANTINED, OUTBOX, LATENCY, SLA_BREACHES)
# series that exist from the start, at 0, so that rate() and alerts see the first one
for _door in ("smtp", "imap", "pipe"):
    RECEIVED.labels(_door)
for _result in ("sent", "retried", "failed"):
    OUTBOX.labels(_result)
for _target in ("response", "resolution"):
    SLA_BREACHES.labels(_target)


class DatabaseCollector:
    """Gauges read from the database at scrape time: what waits, and each mailbox's state."""

    def __init__(self, engine: Engine, mailboxes: Sequence[str],
                 clock: Callable[[], datetime]) -> None:
        self.engine, self.mailboxes, self.clock = engine, tuple(mailboxes), clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("mailgate_database_up",
                               "1 when the database answered this scrape")
        try:
            gauges = self._read()
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from gauges

    def _read(self) -> list[Metric]:
        with Session(self.engine) as session:
            waiting = _count(session, InboundMessage, InboundMessage.state == "received")
            quarantined = _count(session, InboundMessage, InboundMessage.state == "quarantined")
            outbox = dict(session.exec(
                select(Outbox.state, func.count())
                .where(col(Outbox.state).in_(("pending", "sending", "failed")))
                .group_by(Outbox.state)
            ).all())
            held = _count(session, PendingRequest, PendingRequest.state == "waiting")
            states = {
                state.name: state for state in session.exec(
                    select(MailboxState).where(col(MailboxState.name).in_(self.mailboxes))
                ).all()
            } if self.mailboxes else {}
        metrics: list[Metric] = [
            GaugeMetricFamily("mailgate_inbound_waiting",
                              "Messages stored and not yet processed", value=waiting),
            GaugeMetricFamily("mailgate_inbound_quarantined",
                              "Messages in quarantine (mailgate quarantine list)",
                              value=quarantined),
            GaugeMetricFamily("mailgate_pending_requests_waiting",
                              "Requests held until their sender gives the missing details",
                              value=held),
        ]
        rows = GaugeMetricFamily("mailgate_outbox_rows", "Outgoing mail waiting to be sent "
                                 "(pending), being sent (sending) or given up (failed)",
                                 labels=["state"])
        for state in ("pending", "sending", "failed"):
            rows.add_metric([state], outbox.get(state, 0))
        metrics.append(rows)
        metrics.extend(self._mailboxes(states))
        return metrics

    def _mailboxes(self, states: dict[str, MailboxState]) -> list[Metric]:
        up = GaugeMetricFamily(
            "mailgate_mailbox_up", "1 while an IMAP mailbox is read without error; `status` "
            "says how it stands (ok, new, auth_failed, unreachable, …)",
            labels=["mailbox", "status"],
        )
        failing = GaugeMetricFamily(
            "mailgate_mailbox_failing_seconds", "How long an IMAP mailbox has been failing "
            "(0 when it works)", labels=["mailbox"],
        )
        now = self.clock()
        for name in self.mailboxes:
            state = states.get(name)
            status = state.status if state is not None else "new"
            since = state.failing_since if state is not None else None
            up.add_metric([name, status], 0 if since is not None else 1)
            failing.add_metric([name], _seconds_since(since, now))
        return [up, failing]


def _count(session: Session, table: type, condition: object) -> int:
    return int(session.exec(select(func.count()).select_from(table).where(condition)).one())


def _seconds_since(since: datetime | None, now: datetime) -> float:
    if since is None:
        return 0.0
    return max((now - since).total_seconds(), 0.0)


def registry_for(*collectors: Collector) -> CollectorRegistry:
    """A registry with mailgate's own metrics, the process's (CPU, memory, open files) and
    these collectors."""
    from prometheus_client import GC_COLLECTOR, PLATFORM_COLLECTOR, PROCESS_COLLECTOR

    registry = CollectorRegistry()
    for collector in (*OWN, PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR, *collectors):
        registry.register(collector)
    return registry
