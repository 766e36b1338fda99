"""The SMTP door (aiosmtpd): 250 only after the raw message is committed (group commit:
mailgate.intake.group_commit). Never an open relay."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy import Engine

from mailgate.clock import utcnow
from mailgate.config import SmtpIn
from mailgate.intake.group_commit import GroupCommit
from mailgate.intake.store import Arrival, StoreError
from mailgate.tls import Network, RelayAccounts, client_allowed, server_context

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
        self.offers_auth = False  # set by make_controller when relay accounts are configured

    async def handle_EHLO(
        self, server: SMTP, session: SmtpSession, envelope: Envelope, hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        if self.offers_auth:
            return responses
        # aiosmtpd offers AUTH after STARTTLS even with no account to log in to
        return [line for line in responses if not line.startswith("250-AUTH")]

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


def _authenticator(accounts: RelayAccounts) -> Callable[..., AuthResult]:
    def authenticate(
        server: SMTP, session: SmtpSession, envelope: Envelope, mechanism: str,
        auth_data: object,
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and accounts.check(
            auth_data.login, auth_data.password
        ):
            log.info("relay %s logged in from %s", auth_data.login.decode(errors="replace"),
                     session.peer)
            return AuthResult(success=True, auth_data=auth_data)
        login = auth_data.login if isinstance(auth_data, LoginPassword) else b"?"
        log.warning("SMTP AUTH %s refused for %r from %s", mechanism,
                    login.decode(errors="replace"), session.peer)
        return AuthResult(success=False, handled=False)

    return authenticate


class _DrainingReader(asyncio.StreamReader):
    """aiosmtpd reads the rest of a line longer than its limit only to answer 500, but in DATA
    it keeps every piece of that line until the line ends: a gigabyte sent without a line
    break was held whole (issue 12). Its only calls to read() are these drains (and the PROXY
    protocol, which we do not enable), so the bytes are consumed here and nothing is kept."""

    async def read(self, n: int = -1) -> bytes:
        await super().read(n)
        return b""


class _DoorSMTP(SMTP):
    """aiosmtpd refuses a line over 1,000 octets (RFC 5321 §4.5.3.1.6) with a permanent 500,
    which bounces a customer's mail for the way a script or a careless client wrote it (bare LF
    line ends make the whole message one line). RFC 5321 §4.5.3.1 asks servers to avoid such
    limits where they can: the message size limit bounds what we hold. Only CRLF.CRLF ends
    the data, as before.

    It also turns away, before its greeting, a client outside `smtp_in.allow_from`."""

    def __init__(
        self, *args: object, line_length_limit: int, allowed: tuple[Network, ...],
        **kwargs: object,
    ) -> None:
        self.line_length_limit = line_length_limit  # read by SMTP.__init__ for its reader
        self.allowed = allowed
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def _cb_client_connected(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        reader.__class__ = _DrainingReader  # the reader aiosmtpd made in SMTP.__init__
        super()._cb_client_connected(reader, writer)

    async def _handle_client(self) -> None:
        peer = self.session.peer if self.session is not None else None
        host = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        if not client_allowed(host, self.allowed):
            log.warning("refused a connection from %s: not in smtp_in.allow_from", host)
            # RFC 5321 §3.1: 554 instead of the greeting; we do not wait for QUIT
            await self.push("554 5.7.1 no SMTP service here for your address")
            if self.transport is not None:
                self.transport.close()
            return
        await super()._handle_client()


class _Controller(Controller):
    def __init__(self, *args: object, allowed: tuple[Network, ...], **kwargs: object) -> None:
        self.allowed = allowed
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def factory(self) -> SMTP:
        return _DoorSMTP(
            self.handler, line_length_limit=self.SMTP_kwargs["data_size_limit"] + 2,
            allowed=self.allowed, **self.SMTP_kwargs,
        )


def make_controller(handler: IntakeHandler, settings: SmtpIn) -> Controller:
    """The listener of [smtp_in]: STARTTLS when a certificate is set, AUTH for the relay
    accounts only after it (aiosmtpd's auth_require_tls), the client allowlist."""
    security: dict[str, object] = {}
    if settings.tls_certificate:
        security["tls_context"] = server_context(
            Path(settings.tls_certificate), Path(settings.tls_key)
        )
        security["require_starttls"] = settings.require_tls
    if settings.auth_password_env:
        handler.offers_auth = True
        security["authenticator"] = _authenticator(RelayAccounts(settings.auth_password_env))
        security["auth_required"] = settings.require_auth
    return _Controller(
        handler,
        hostname=settings.host,
        port=settings.port,
        data_size_limit=settings.max_message_bytes,
        # RFC 6531: customers with international addresses can write to us
        enable_SMTPUTF8=True,
        server_hostname="mailgate",
        ready_timeout=10,
        auth_require_tls=True,  # never a password in clear
        allowed=settings.allowed_networks,
        **security,
    )
