"""One SMTP conversation with the relay: connect (TLS, login) and hand it one outbox row,
classifying the answer. What to do with the outcome is `notify.sender`'s business."""

from __future__ import annotations

import smtplib
import ssl
from email.parser import BytesHeaderParser

from notify.settings import SmtpOut
from tickets.models import Outbox


def _envelope_sender(row: Outbox, desk_address: str) -> str:
    headers = BytesHeaderParser().parsebytes(row.raw)
    auto = (headers.get("Auto-Submitted") or "no").strip().lower()
    # RFC 3834 §3.3: automatic responses go out with a null return path, so that a bounce of
    # our acknowledgement cannot start a loop.
    return "" if auto != "no" else desk_address


class _WatchedSmtp(smtplib.SMTP):
    """Knows whether the last thing it wrote was the end of a message (RFC 5321's
    <CRLF>.<CRLF>). A connection lost, or a timeout, after that and before the server's answer
    leaves the mail perhaps delivered (RFC 1047): sending it again could make a duplicate."""

    data_ended = False

    def send(self, s: bytes | str) -> None:
        super().send(s)
        self.data_ended = isinstance(s, bytes) and s.endswith(b"\r\n.\r\n")


class _WatchedSmtpSsl(_WatchedSmtp, smtplib.SMTP_SSL):
    pass


class NoStartTls(smtplib.SMTPException):
    """STARTTLS was required and the server does not offer it."""


def tls_context(smtp: SmtpOut) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=smtp.ca_file or None)
    if not smtp.verify_certificates:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def connect(smtp: SmtpOut) -> smtplib.SMTP:
    """A connection ready for MAIL: encrypted unless security = "none", logged in when a
    username is set. The config refuses a username with "none", so AUTH never goes in clear
    (but to a relay on loopback that `plain_auth_on_loopback` names)."""
    port = smtp.effective_port
    if smtp.security == "tls":
        return _login(_WatchedSmtpSsl(
            smtp.host, port, timeout=smtp.timeout_seconds, context=tls_context(smtp)
        ), smtp)
    connection = _WatchedSmtp(smtp.host, port, timeout=smtp.timeout_seconds)
    try:
        if smtp.security == "starttls":
            connection.ehlo()
            if not connection.has_extn("starttls"):
                raise NoStartTls()
            connection.starttls(context=tls_context(smtp))
            connection.ehlo()
        return _login(connection, smtp)
    except BaseException:
        connection.close()
        raise


def _login(connection: smtplib.SMTP, smtp: SmtpOut) -> smtplib.SMTP:
    if smtp.username:
        encrypted = isinstance(connection.sock, ssl.SSLSocket)
        if not encrypted and not smtp.auth_in_clear:
            raise NoStartTls()  # unreachable through the config; the last guard for a password
        try:
            connection.login(smtp.username, smtp.password())
        except BaseException:
            connection.close()
            raise
    return connection


def send_one(connection: smtplib.SMTP, row: Outbox, desk_address: str) -> tuple[str, str]:
    """sent, retry, bounced (the server refused it for good), uncertain (it may have been
    delivered: never sent again automatically) or failed, and why."""
    sender, recipients = _envelope_sender(row, desk_address), list(row.recipients)
    if isinstance(connection, _WatchedSmtp):
        connection.data_ended = False
    try:
        options: list[str] = []
        if not all(address.isascii() for address in (sender, *recipients)):
            # RFC 6531: a non-ASCII address needs a relay that speaks SMTPUTF8
            connection.ehlo_or_helo_if_needed()
            if not connection.has_extn("smtputf8"):
                return "failed", "the relay does not offer SMTPUTF8 for a non-ASCII address"
            options = ["SMTPUTF8"]
        refused = connection.sendmail(sender, recipients, row.raw, mail_options=options)
    except smtplib.SMTPRecipientsRefused as exc:
        # smtplib raises this when every recipient was refused, whatever the codes: refused
        # for good only when every refusal is permanent (5xx); a 4xx (or 421) is "not now"
        codes = [code for code, _ in exc.recipients.values()]
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        return ("bounced" if permanent else "retry"), _refusals(exc.recipients) \
            or "all recipients refused"
    except smtplib.SMTPResponseException as exc:
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        kind = "bounced" if 500 <= exc.smtp_code < 600 else "retry"
        return kind, f"{exc.smtp_code} {text}"
    except (OSError, smtplib.SMTPException) as exc:
        if getattr(connection, "data_ended", False):
            return "uncertain", (
                f"the connection was lost after the whole mail was sent and before the server "
                f"answered ({type(exc).__name__}: {exc}): it may have been delivered, so it is "
                f"not sent again automatically — `mailgate outbox retry {row.id}` resends it")
        return "retry", f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # one bad row must not hold up the rows claimed with it
        return "failed", f"{type(exc).__name__}: {exc}"
    if refused:
        # Accepted for some: the row is sent (its Message-ID went out; the row model has one
        # state per mail, so resending to the rest alone would need a row of their own).
        # Who was refused, and why, stays in last_error and the log.
        return "sent", f"some recipients refused: {_refusals(refused)}"
    return "sent", ""


def _refusals(refused: dict[str, tuple[int, bytes | str]]) -> str:
    return "; ".join(
        f"{address}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        for address, (code, text) in refused.items()
    )
