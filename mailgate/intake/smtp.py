"""The SMTP door (aiosmtpd): 250 only after the raw message is committed (group commit:
mailgate.intake.group_commit). Never an open relay."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy import Engine

from mailgate.clock import utcnow
from mailgate.intake.group_commit import GroupCommit
from mailgate.intake.store import Arrival, StoreError

log = logging.getLogger("mailgate.smtp")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def recipient_accepted(address: str, accept: Sequence[str]) -> bool:
    """An accepted address, its plus-addressed form (support+INC…@), or any address at an
    accepted domain."""
    local, _, domain = address.lower().rpartition("@")
    if not local:
        return False
    base = f"{local.split('+', 1)[0]}@{domain}"
    for entry in accept:
        entry = entry.lower()
        if "@" in entry and entry in (address.lower(), base):
            return True
        if "@" not in entry and entry.lstrip("@") == domain:
            return True
    return False


class IntakeHandler:
    def __init__(
        self,
        engine: Engine,
        accept: Sequence[str],
        on_stored: Callable[[int], None] = lambda _id: None,
    ) -> None:
        self.engine = engine
        self.accept = tuple(accept)
        self.on_stored = on_stored
        self.writer = GroupCommit(engine)

    async def handle_MAIL(
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if _CONTROL.search(address):
            return "553 5.1.7 control characters in the sender address"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if _CONTROL.search(address):
            return "553 5.1.3 control characters in the recipient address"
        if not recipient_accepted(address, self.accept):
            log.info("refused recipient %s from %s", address, session.peer)
            return f"550 5.7.1 <{address}>: relay access denied, we do not serve this address"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(
        self, server: SMTP, session: SmtpSession, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            stored = await self.writer.store(Arrival(
                raw, utcnow(), envelope.mail_from or "", list(envelope.rcpt_tos)
            ))
        except StoreError as exc:
            log.error("could not store a message from %s: %s", envelope.mail_from, exc)
            return "451 4.3.0 could not store the message; please try again later"
        if not stored.duplicate:
            self.on_stored(stored.id)
        return f"250 2.0.0 OK: stored as {stored.id}"


class _LongLinesSMTP(SMTP):
    """aiosmtpd refuses a line over 1,000 octets (RFC 5321 §4.5.3.1.6) with a permanent 500,
    which bounces a customer's mail for the way a script or a careless client wrote it (bare LF
    line ends make the whole message one line). RFC 5321 §4.5.3.1 asks servers to avoid such
    limits where they can: the message size limit bounds what we hold. Only CRLF.CRLF ends
    the data, as before."""

    def __init__(self, *args: object, line_length_limit: int, **kwargs: object) -> None:
        self.line_length_limit = line_length_limit  # read by SMTP.__init__ for its reader
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _LongLinesSMTP(
            self.handler, line_length_limit=self.SMTP_kwargs["data_size_limit"] + 2,
            **self.SMTP_kwargs,
        )


def make_controller(
    handler: IntakeHandler, host: str, port: int, max_message_bytes: int
) -> Controller:
    return _Controller(
        handler,
        hostname=host,
        port=port,
        data_size_limit=max_message_bytes,
        # RFC 6531: customers with international addresses can write to us
        enable_SMTPUTF8=True,
        server_hostname="mailgate",
        ready_timeout=10,
    )
