"""Counting for the fault scenarios (issue 12): what was acknowledged against what was stored,
what reached the SMTP sink and how often, what is stuck; and `mailgate serve` as a real child
process that a test can signal.

Each scenario prints one line of counts (`Counts.line()`), shown by `pytest -rA` or `-s`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlmodel import select

from tests.support.harness import DESK, REPO, Harness, crlf, wait_until
from tests.support.sink import Received, SmtpSink
from tickets.models import InboundMessage, Outbox

# inbound states a message ends in once the pipeline is done with it
SETTLED = ("done", "held", "screened", "quarantined")


@dataclass
class Counts:
    """One scenario's figures; `line()` is what it prints."""

    sent: int = 0  # messages offered to mailgate
    acknowledged: int = 0  # answered 250 / exit 0 / moved or flagged
    stored: int = 0  # inbound rows
    tickets: int = 0  # distinct tickets the stored messages are in
    quarantined: int = 0
    waiting: int = 0  # inbound rows still 'received' (not yet through the pipeline)
    acknowledgements: int = 0  # acknowledgement mails that reached the sink
    delivered: int = 0  # every mail that reached the sink
    duplicates: int = 0  # sink mails whose Message-ID arrived before
    sending: int = 0  # outbox rows left 'sending'
    extra: dict[str, object] = field(default_factory=dict)

    def line(self) -> str:
        words = [
            f"sent {self.sent}", f"acknowledged {self.acknowledged}", f"stored {self.stored}",
            f"tickets {self.tickets}", f"quarantined {self.quarantined}",
            f"waiting {self.waiting}", f"acknowledgements {self.acknowledgements}",
            f"delivered {self.delivered}", f"duplicates {self.duplicates}",
            f"stuck sending {self.sending}",
        ]
        words += [f"{key} {value}" for key, value in self.extra.items()]
        return ", ".join(words)


def sink_message_ids(harness: Harness) -> list[str]:
    """The Message-ID of every mail the sink received, in order, repeats included."""
    with harness.sink.lock:
        return [m.header("Message-ID").strip("<> ") for m in harness.sink.messages]


def duplicates(harness: Harness) -> dict[str, int]:
    """Message-IDs the sink received more than once, and how often."""
    return {mid: n for mid, n in Counter(sink_message_ids(harness)).items() if n > 1}


def count(harness: Harness, *, sent: int = 0, acknowledged: int = 0) -> Counts:
    """The database and the sink as they stand."""
    with harness.session() as session:
        inbound = session.exec(select(InboundMessage.ticket_id, InboundMessage.state)).all()
        outbox = session.exec(select(Outbox.message_id, Outbox.kind, Outbox.state)).all()
    kind_of = {message_id: kind for message_id, kind, _ in outbox}
    delivered = sink_message_ids(harness)
    return Counts(
        sent=sent,
        acknowledged=acknowledged,
        stored=len(inbound),
        tickets=len({ticket for ticket, _ in inbound if ticket is not None}),
        quarantined=sum(state == "quarantined" for _, state in inbound),
        waiting=sum(state == "received" for _, state in inbound),
        acknowledgements=sum(kind_of.get(mid) == "acknowledgement" for mid in delivered),
        delivered=len(delivered),
        duplicates=sum(n - 1 for n in Counter(delivered).values()),
        sending=sum(state == "sending" for *_, state in outbox),
    )


def stored_message_ids(harness: Harness) -> set[str]:
    with harness.session() as session:
        return {mid for mid in session.exec(select(InboundMessage.message_id)).all() if mid}


def wait_settled(harness: Harness, expected: int, timeout: float = 60.0) -> None:
    """Until `expected` inbound rows exist and none waits for the pipeline."""
    wait_until(
        lambda: (c := count(harness)).stored >= expected and c.waiting == 0,
        timeout=timeout, what=f"{expected} stored messages through the pipeline",
    )


def wait_outbox_drained(harness: Harness, timeout: float = 60.0) -> None:
    """Until no outbox row is pending or sending and the sink has every sent row."""
    def drained() -> bool:
        with harness.session() as session:
            rows = session.exec(select(Outbox.state)).all()
        sent = sum(state == "sent" for state in rows)
        return all(s not in ("pending", "sending") for s in rows) and \
            len(sink_message_ids(harness)) >= sent
    wait_until(drained, timeout=timeout, what="the outbox drained to the sink")


# --- SMTP clients ------------------------------------------------------------------------------

@dataclass
class Burst:
    """What a burst of SMTP clients saw: the Message-IDs answered 250, and the others' errors."""

    accepted: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def send_burst(
    port: int, mails: Sequence[tuple[str, bytes]], clients: int, burst: Burst,
    stop: threading.Event | None = None, mail_from: str = "customer@example.org",
) -> list[threading.Thread]:
    """Start `clients` threads sharing `mails` (Message-ID, raw), one SMTP connection per mail
    as a relay would; each records its answer in `burst`. Returns the started threads."""
    queue = list(reversed(mails))
    take = threading.Lock()

    def client() -> None:
        while not (stop and stop.is_set()):
            with take:
                if not queue:
                    return
                message_id, raw = queue.pop()
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
                    smtp.sendmail(mail_from, [DESK], crlf(raw))
            except (OSError, smtplib.SMTPException) as exc:
                with burst.lock:
                    burst.refused.append((message_id, f"{type(exc).__name__}: {exc}"))
            else:
                with burst.lock:
                    burst.accepted.append(message_id)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    return threads


def refuses_connections(port: int) -> bool:
    """True when nothing listens on `port`, or what listens answers 421 (closing)."""
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=1) as smtp:
            code, _ = smtp.noop()
            return code == 421
    except smtplib.SMTPConnectError as exc:
        return exc.smtp_code == 421
    except (OSError, smtplib.SMTPServerDisconnected):
        return True


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


# --- `mailgate serve` as a child process ----------------------------------------------------

@dataclass
class ServeProcess:
    process: subprocess.Popen[bytes]
    log: Path

    refusing_after: float | None = None  # seconds from SIGTERM to the listener refusing

    def terminate(self, timeout: float, port: int | None = None) -> tuple[int, float]:
        """SIGTERM, then wait: (exit status, seconds it took). Killed if over `timeout`.
        With `port`, also how soon the SMTP listener refuses new connections
        (`refusing_after`), looked at while the process finishes its work."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        while port is not None and self.process.poll() is None:
            if refuses_connections(port):
                self.refusing_after = time.monotonic() - started
                break
            if time.monotonic() - started > timeout:
                break
        try:
            code = self.process.wait(timeout=max(timeout - (time.monotonic() - started), 0.1))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(
                f"serve did not exit within {timeout} s of SIGTERM; its log:\n{self.stderr()}"
            ) from None
        return code, time.monotonic() - started

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serve_process(harness: Harness, name: str = "serve") -> Iterator[ServeProcess]:
    """`mailgate serve` on the harness's config in a child process, as systemd runs it;
    yields once its SMTP listener answers, and kills it at the end if it still runs."""
    log = harness.dir / f"{name}.log"
    with log.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "mailgate", "--log-format", "text", "--config",
             str(harness.config_path), "serve"],
            stdout=subprocess.DEVNULL, stderr=err, cwd=REPO, env=dict(os.environ),
        )
    child = ServeProcess(process, log)
    try:
        wait_until(lambda: process.poll() is not None or listening(harness.smtp_in_port),
                   timeout=60, what="serve to listen")
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}:\n{child.stderr()}")
        yield child
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# --- an outgoing SMTP server that misbehaves ----------------------------------------------

class _OddHandler:
    """aiosmtpd handler for `OddRelay`: each fault applies to the next mails, then it behaves."""

    def __init__(self, relay: OddRelay) -> None:
        self.relay = relay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address.lower() in self.relay.unknown:
            return f"550 5.1.1 <{address}>: recipient address rejected: user unknown"
        if self.relay.take("defer_rcpt"):
            return f"450 4.2.1 <{address}>: mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # type: ignore[no-untyped-def]
        if self.relay.take("slow_mail"):
            await asyncio.sleep(self.relay.slow_seconds)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.relay.take("defer"):
            return "451 4.3.0 queue full, try again later"
        self.relay.keep(envelope)
        if self.relay.take("drop"):
            server.transport.abort()  # gone before the answer: the mail is here all the same
            return "250 OK"  # never reaches the client
        if self.relay.take("slow_data"):
            await asyncio.sleep(self.relay.slow_seconds)
        if self.relay.take("hold_data"):
            await asyncio.get_running_loop().run_in_executor(
                None, self.relay.released.acquire, True, 60)
        return "250 OK"


class OddRelay(SmtpSink):
    """The harness's SMTP sink with faults to order: `unknown` addresses refused with 550 at
    RCPT; and for the next N mails (`arm("defer", N)`…) a 451 after the data, the connection
    dropped after the data is received (and kept) but before the answer, or an answer slower
    than `slow_seconds` to MAIL ("slow_mail") or to the end of the data ("slow_data"). For the
    next N recipients, "defer_rcpt" answers 450 at RCPT. "hold_data" keeps the answer to the end
    of a mail's data (`faults["hold_data"]` counts them) until the test calls
    `released.release()` (one held mail each)."""

    def __init__(self, port: int, slow_seconds: float = 3.0) -> None:
        super().__init__(port)
        self.controller = Controller(
            _OddHandler(self), hostname="127.0.0.1", port=port, enable_SMTPUTF8=True
        )
        self.unknown: set[str] = set()
        self.slow_seconds = slow_seconds
        self.armed: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()  # how many times each fault happened
        self.released = threading.Semaphore(0)

    def arm(self, fault: str, times: int = 1) -> None:
        with self.lock:
            self.armed[fault] += times

    def take(self, fault: str) -> bool:
        with self.lock:
            if self.armed[fault] <= 0:
                return False
            self.armed[fault] -= 1
            self.faults[fault] += 1
            return True

    def keep(self, envelope: Any) -> None:
        with self.lock:
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )


@contextmanager
def odd_relay(harness: Harness, slow_seconds: float = 3.0) -> Iterator[OddRelay]:
    """An `OddRelay` in place of the harness's sink, on its port (the config's [smtp_out])."""
    harness.sink.stop()
    relay = OddRelay(harness.sink.port, slow_seconds)
    relay.start()
    plain, harness.sink = harness.sink, relay
    try:
        yield relay
    finally:
        relay.released.release(100)  # a held answer must not keep the relay from stopping
        relay.stop()
        harness.sink = plain
