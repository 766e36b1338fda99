"""Certificates made by the test (trustme) and an SMTP relay with TLS that records what it saw."""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.sink import Received


@dataclass(frozen=True)
class Certificates:
    """A private CA, and a certificate it issued for 127.0.0.1 and localhost, as PEM files."""

    ca: trustme.CA
    ca_file: Path
    certificate: Path
    key: Path

    @classmethod
    def make(cls, folder: Path) -> Certificates:
        folder.mkdir(parents=True, exist_ok=True)
        ca = trustme.CA()
        issued = ca.issue_cert("127.0.0.1", "localhost")
        certificates = cls(ca, folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
        ca.cert_pem.write_to_path(str(certificates.ca_file))
        for blob in issued.cert_chain_pems:
            blob.write_to_path(str(certificates.certificate), append=True)
        issued.private_key_pem.write_to_path(str(certificates.key))
        return certificates

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


@dataclass
class Seen:
    """What a relay saw: each AUTH attempt (user, over TLS?) and each message (over TLS?)."""

    auth: list[tuple[str, bool]] = field(default_factory=list)
    messages: list[tuple[Received, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _encrypted(server: object) -> bool:
    transport = getattr(server, "transport", None)
    return transport is not None and transport.get_extra_info("ssl_object") is not None


class _Recorder:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.seen.lock:
            self.seen.messages.append((
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content),
                _encrypted(server),
            ))
        return "250 OK"


class TlsRelay:
    """An aiosmtpd relay on loopback: implicit TLS ("tls"), STARTTLS required ("starttls"), or
    plain text that offers AUTH in clear ("none"), the bait a careless client would take.
    Logins as `user` with `password` succeed."""

    def __init__(
        self, port: int, mode: Literal["tls", "starttls", "none"], certificates: Certificates,
        user: str, password: str,
    ) -> None:
        self.seen = Seen()
        self.user, self.password = user.encode(), password.encode()
        options: dict[str, object] = {}
        if mode == "tls":
            # implicit TLS: aiosmtpd sees no STARTTLS, so it must be told AUTH is safe here
            options = {"ssl_context": certificates.server_context(), "auth_require_tls": False}
        elif mode == "starttls":
            options = {"tls_context": certificates.server_context(), "require_starttls": True}
        else:
            options = {"auth_require_tls": False}
        self.controller = Controller(
            _Recorder(self.seen), hostname="127.0.0.1", port=port, authenticator=self._login,
            auth_required=True, **options,  # type: ignore[arg-type]
        )

    def _login(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        with self.seen.lock:
            self.seen.auth.append((auth_data.login.decode(), _encrypted(server)))
        return AuthResult(success=(auth_data.login, auth_data.password)
                          == (self.user, self.password))

    def __enter__(self) -> TlsRelay:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
