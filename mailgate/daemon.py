"""`mailgate serve`: the SMTP door, the pipeline worker, the outbox sender and the scheduler."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

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
SWEEP_SECONDS = 60.0
PURGE_SECONDS = 24 * 3600.0


class Daemon:
    def __init__(
        self,
        config: Config,
        engine: Engine,
        clock: Callable[[], datetime] = utcnow,
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self.config, self.engine, self.clock = config, engine, clock
        self.sweep_seconds = sweep_seconds
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.controller = None
        self.worker: threading.Thread | None = None
        self.followers = [
            Follower(config, mailbox, engine, clock=clock, on_stored=self.wake.set)
            for mailbox in config.imap
        ]
        self.timers: list[threading.Thread] = []
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
        self._every("sweep", self.sweep_seconds, self._sweep)
        if self.config.retention.enabled:
            self._every("purge", PURGE_SECONDS, self._purge, at_start=True)
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

    def _every(
        self, name: str, seconds: float, job: Callable[[], None], *, at_start: bool = False
    ) -> None:
        """Run `job` every `seconds` of monotonic time (and at once with `at_start`) in a thread
        of its own until stopped; due times themselves live in our own tables.

        Timed by hand rather than by APScheduler (3.x), which times its jobs by the wall clock:
        with the system clock stepped back an hour (NTP) it ran no sweep for that hour (no SLA
        mail, no delivery retries), and stepped forward it dropped a run as missed. A wait on
        an Event counts monotonic time, which a step of the wall clock does not move.
        """
        def run() -> None:
            if at_start:
                job()
            while not self.stopping.wait(seconds):
                job()

        timer = threading.Thread(target=run, name=name, daemon=True)
        timer.start()
        self.timers.append(timer)

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
        for timer in self.timers:
            timer.join(timeout=30)
        self.timers = []
        if self.worker is not None:
            self.worker.join(timeout=30)
