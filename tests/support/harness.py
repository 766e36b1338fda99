"""A mailgate installation for one test: config file, database, CLI, daemon, SMTP client."""

from __future__ import annotations

import contextlib
import io
import json
import smtplib
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from mailgate.cli import main
from mailgate.config import Config, load_config
from mailgate.daemon import Daemon
from mailgate.db import make_engine
from tests.support.sink import SmtpSink
from tickets.models import InboundMessage, Ticket

REPO = Path(__file__).resolve().parents[2]
DESK = "support@desk.example"
STAFF = "tech@desk.example"

_cli_lock = threading.Lock()


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def crlf(raw: bytes) -> bytes:
    """smtplib sends bytes as given: normalise bare LF so lines arrive as lines (NOTES.md)."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def wait_until(predicate: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    """Poll a condition until it holds; fail loudly with `what` if it never does."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(0.02)


class Harness:
    def __init__(self, tmp_path: Path, db_url: str, sink: SmtpSink, smtp_in_port: int) -> None:
        self.dir = tmp_path
        self.db_url = db_url
        self.sink = sink
        self.smtp_in_port = smtp_in_port
        self.extra = ""
        self.config_path = tmp_path / "config.toml"
        self.write_config()
        self._engine: Engine | None = None
        self._daemon: Daemon | None = None

    def write_config(self, extra: str = "") -> None:
        self.extra = extra
        self.config_path.write_text(
            f"""
[desk]
name = "Example IT Desk"
address = "{DESK}"
timezone = "Europe/London"
staff = ["{STAFF}"]
templates = "{REPO / 'templates'}"

[database]
url = "{self.db_url}"

[smtp_in]
host = "127.0.0.1"
port = {self.smtp_in_port}
accept = ["{DESK}", "helpdesk.example"]

[smtp_out]
host = "127.0.0.1"
port = {self.sink.port}
timeout_seconds = 5
{extra}

# The desk serves this school: its staff are resolved from their return address, so their
# mail becomes a ticket at once even when it lacks a detail (issue 3, seed policy).
[[companies]]
name = "Example School"
domains = ["school.example"]
""",
            encoding="utf-8",
        )

    @property
    def config(self) -> Config:
        return load_config(str(self.config_path))

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.db_url)
        return self._engine

    def session(self) -> Session:
        return Session(self.engine)

    # --- the command line -------------------------------------------------------------------
    def cli(self, *args: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        with _cli_lock, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(["--config", str(self.config_path), *args])
            except SystemExit as exc:  # argparse usage errors
                code = int(exc.code or 0)
        return Result(code, out.getvalue(), err.getvalue())

    def run_process(
        self, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """The real `mailgate` entry point in a child process, as an MTA would run it."""
        return subprocess.run(
            [sys.executable, "-m", "mailgate", "--config", str(self.config_path), *args],
            input=stdin,
            capture_output=True,
            timeout=120,
            cwd=REPO,
            env=env,
        )

    def tick(self, now: datetime | str) -> Result:
        stamp = now if isinstance(now, str) else now.isoformat()
        result = self.cli("tick", "--now", stamp)
        assert result.code == 0, result.err
        return result

    def ticket_json(self, reference: str, now: datetime | None = None) -> dict[str, Any]:
        """`tickets show --json`; `now`: the instant its SLA figures are taken at."""
        at = ("--now", now.isoformat()) if now else ()
        result = self.cli("tickets", "show", reference, "--json", *at)
        assert result.code == 0, result.err
        return result.json()

    def tickets(self) -> list[Ticket]:
        with self.session() as session:
            return list(session.exec(select(Ticket).order_by(Ticket.id)).all())  # type: ignore[arg-type]

    def inbound(self) -> list[InboundMessage]:
        with self.session() as session:
            return list(session.exec(select(InboundMessage).order_by(InboundMessage.id)).all())  # type: ignore[arg-type]

    # --- the daemon -------------------------------------------------------------------------
    @contextlib.contextmanager
    def daemon(
        self, clock: Callable[[], datetime] | None = None, sweep_seconds: float | None = None
    ) -> Iterator[Daemon]:
        """`mailgate serve` in this process; `clock`: the instant it believes it is;
        `sweep_seconds`: how often it sweeps (a minute, as configured, unless given)."""
        options: dict[str, Any] = {"clock": clock} if clock else {}
        if sweep_seconds is not None:
            options["sweep_seconds"] = sweep_seconds
        daemon = Daemon(self.config, self.engine, **options)
        daemon.start()
        self._daemon = daemon
        try:
            yield daemon
        finally:
            daemon.stop()
            self._daemon = None

    def send(
        self,
        raw: bytes,
        *,
        mail_from: str = "customer@example.org",
        to: list[str] | None = None,
    ) -> dict[str, tuple[int, bytes]]:
        with smtplib.SMTP("127.0.0.1", self.smtp_in_port, timeout=30) as client:
            return client.sendmail(mail_from, to or [DESK], crlf(raw))

    def wait_processed(self, count: int = 1) -> list[InboundMessage]:
        return wait_until(
            lambda: (rows := self.inbound()) and len([r for r in rows if r.state != "received"])
            >= count and rows,
            what=f"{count} processed message(s)",
        )

    def wait_sink(self, count: int = 1) -> list:
        return wait_until(
            lambda: len(self.sink.messages) >= count and list(self.sink.messages),
            what=f"{count} message(s) at the SMTP sink",
        )

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
