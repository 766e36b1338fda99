"""A real SMTP sink (aiosmtpd) that records every message it is given."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]

    def header(self, name: str) -> str:
        value = self.message[name]
        return str(value) if value is not None else ""

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


class _Collector:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.sink.refuse_with:
            return self.sink.refuse_with
        with self.sink.lock:
            self.sink.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 OK"


class SmtpSink:
    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self.refuse_with = ""  # e.g. "451 try later" to simulate a failing relay
        self.running = False
        self.controller = Controller(
            _Collector(self), hostname="127.0.0.1", port=port, enable_SMTPUTF8=True
        )

    def start(self) -> None:
        self.controller.start()
        self.running = True

    def stop(self) -> None:
        """Stop listening (a relay that is down); `restart` listens again on the same port."""
        if self.running:
            self.controller.stop()
            self.running = False

    def restart(self, *, smtputf8: bool) -> None:
        """The same port, now with or without SMTPUTF8 (RFC 6531) on offer."""
        self.stop()
        self.controller = Controller(
            _Collector(self), hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8
        )
        self.start()

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if address.lower() in (r.lower() for r in m.rcpt_tos)]
