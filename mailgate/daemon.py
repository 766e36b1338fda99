"""`mailgate serve`: the SMTP door, the pipeline worker, the outbox sender and the scheduler."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from mailgate import metrics
from mailgate.batches import process_pending
from mailgate.clock import utcnow
from mailgate.config import Config
from mailgate.errors import one_line
from mailgate.health import PIPELINE, Health
from mailgate.http_server import HttpServer
from mailgate.intake.imap import Follower
from mailgate.intake.smtp import IntakeHandler, make_controller
from mailgate.metrics import DatabaseCollector
from mailgate.retention import describe, run_purge
from mailgate.sweep import deliver_all, sweep

log = logging.getLogger("mailgate.daemon")

PIPELINE_BATCH = 100


class Daemon:
    def __init__(
        self, config: Config, engine: Engine, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.config, self.engine, self.clock = config, engine, clock
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.controller = None
        self.worker: threading.Thread | None = None
        self.followers = [
            Follower(config, mailbox, engine, clock=clock, on_stored=self.wake.set)
            for mailbox in config.imap
        ]
        self.scheduler = BackgroundScheduler(timezone=UTC)
        self.smtp_port: int | None = None
        self.health = Health(config, engine, clock)
        self.http: HttpServer | None = None

    def start(self) -> None:
        if self.config.http.listen:  # first: a taken port stops us before anything runs
            self.http = self._http_server()
        if self.config.smtp_in.enabled:
            handler = IntakeHandler(
                self.engine, self.config.accepted_recipients, on_stored=lambda _id: self.wake.set()
            )
            self.controller = make_controller(handler, self.config.smtp_in)
            self.controller.start()
            self.smtp_port = self.controller.server.sockets[0].getsockname()[1]
            log.info("SMTP listening on %s:%s", self.config.smtp_in.host, self.smtp_port)
        self.worker = threading.Thread(target=self._work, name="pipeline", daemon=True)
        self.worker.start()
        if self.http is not None:
            self.http.start()
            log.info("metrics on http://%s:%s/metrics, health on /healthz",
                     self.config.http.address[0], self.http.port)
        for follower in self.followers:
            follower.start()
        # APScheduler only triggers; due times live in our own tables (see NOTES.md).
        self.scheduler.add_job(
            self._sweep, "interval", minutes=1, id="sweep", max_instances=1, coalesce=True
        )
        if self.config.retention.enabled:  # at start, then once a day
            self.scheduler.add_job(self._purge, "interval", days=1, id="purge", max_instances=1,
                                   coalesce=True, next_run_time=datetime.now(UTC))
        self.scheduler.start()
        self.wake.set()  # pick up whatever was stored while we were down

    def _work(self) -> None:
        # at start, mail an earlier run left queued (released when it was stopped) goes out at
        # once rather than at the first sweep
        undelivered = True
        while not self.stopping.is_set():
            self.wake.wait(timeout=30)
            self.wake.clear()
            if self.stopping.is_set():
                break
            try:
                # a burst (an IMAP backlog, a storm) goes on at once until nothing is left
                while process_pending(
                    self.engine, self.config, self.clock(), limit=PIPELINE_BATCH
                ) or undelivered:
                    undelivered = False
                    self.health.delivered(deliver_all(self.engine, self.config, self.clock(),
                                                      self.stopping.is_set))
                    if self.stopping.is_set():
                        break
            except Exception as exc:
                self.health.failed(PIPELINE, one_line(exc))
                log.exception("pipeline pass failed; will try again")
            else:
                self.health.ok(PIPELINE)

    def _sweep(self) -> None:
        try:
            report = sweep(self.engine, self.config, self.clock(), self.stopping.is_set)
            self.health.delivered(report.delivery)
            if report.processed or report.due or report.delivery.sent:
                log.info("sweep: %s", report)
        except Exception:
            log.exception("sweep failed; will try again")

    def _http_server(self) -> HttpServer:
        collector = DatabaseCollector(self.engine, self.health.mailboxes, self.clock)
        host, port = self.config.http.address
        return HttpServer(host, port, metrics.registry_for(collector), self._healthz)

    def _healthz(self) -> tuple[bool, dict[str, object]]:
        return self.health.check(worker_alive=self.worker is not None and self.worker.is_alive())

    def _purge(self) -> None:
        try:
            report = run_purge(self.engine, self.config, self.clock())
            if not report.empty:
                log.info("purge: %s", "; ".join(describe(report)))
        except Exception:
            log.exception("purge failed; will try again tomorrow")

    def stop(self) -> None:
        if self.http is not None:
            self.http.stop()
            self.http = None
        self.stopping.set()
        self.wake.set()
        for follower in self.followers:
            follower.stopping.set()
        for follower in self.followers:
            follower.stop()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None  # stopping twice (a signal during shutdown) is harmless
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self.worker is not None:
            self.worker.join(timeout=30)
