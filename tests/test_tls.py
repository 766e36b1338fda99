"""Issue 11, transport security: the listener's STARTTLS, relay AUTH and client allowlist, and
outgoing mail over implicit TLS or STARTTLS that never sends a password in clear. Real TLS over
loopback with certificates the test makes (trustme), smtplib and swaks as the clients."""

from __future__ import annotations

import logging
import shutil
import smtplib
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlmodel import select

from mailgate.config import ConfigError, load_config
from tests.mail import mail
from tests.support.harness import DESK, Harness, crlf
from tests.support.tls import Certificates, TlsRelay
from tests.test_delivery import ingest
from tickets.models import Outbox

RELAY_PASSWORD = "correct horse battery staple"
# The test relays (tests/support/tls.py) require AUTH over implicit TLS, which aiosmtpd cannot
# tell from plain text, and one offers AUTH in clear on purpose: its warning is about them.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning"
)


@pytest.fixture
def certificates(tmp_path: Path) -> Certificates:
    return Certificates.make(tmp_path / "tls")


def listener(harness: Harness, lines: str, smtp_out: str = "") -> None:
    """Add `lines` to the test config's [smtp_in] (and `smtp_out` to its [smtp_out])."""
    harness.write_config(smtp_out)
    text = harness.config_path.read_text(encoding="utf-8")
    harness.config_path.write_text(text.replace("[smtp_in]\n", f"[smtp_in]\n{lines}\n", 1))


SECURED = """
tls_certificate = "tls/cert.pem"
tls_key = "tls/key.pem"
require_tls = true
auth_password_env = { relay = "MAILGATE_TEST_RELAY_PASSWORD" }
require_auth = true
"""


@pytest.fixture
def secured(
    harness: Harness, certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> Harness:
    """A listener that takes mail only over STARTTLS from the relay account (paths relative to
    the config file, as a user writes them)."""
    monkeypatch.setenv("MAILGATE_TEST_RELAY_PASSWORD", RELAY_PASSWORD)
    listener(harness, SECURED)
    return harness


def test_a_relay_sends_over_starttls_with_auth_and_the_mail_becomes_a_ticket(
    secured: Harness, certificates: Certificates
) -> None:
    with secured.daemon(), smtplib.SMTP("127.0.0.1", secured.smtp_in_port, timeout=30) as client:
        client.ehlo()
        assert client.has_extn("starttls")
        assert not client.has_extn("auth")  # no password offered in clear
        client.starttls(context=certificates.client_context())  # verified against our CA
        client.ehlo()
        assert set(client.esmtp_features["auth"].split()) == {"LOGIN", "PLAIN"}
        assert client.login("relay", RELAY_PASSWORD)[0] == 235
        assert client.sendmail("jane@school.example", [DESK], crlf(mail())) == {}
        secured.wait_processed(1)
    [ticket] = secured.tickets()
    assert ticket.subject == "Printer in room 12 is jammed"


def test_a_wrong_password_is_refused_and_mail_without_auth_gets_530(
    secured: Harness, certificates: Certificates
) -> None:
    with secured.daemon(), smtplib.SMTP("127.0.0.1", secured.smtp_in_port, timeout=30) as client:
        client.ehlo()
        code, text = client.docmd("AUTH", "PLAIN AHJlbGF5AHNlY3JldA==")  # before STARTTLS
        assert (code, text) == (530, b"Must issue a STARTTLS command first")
        client.starttls(context=certificates.client_context())
        client.ehlo()
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            client.login("relay", "not the password")
        assert refused.value.smtp_code == 535
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login("nobody", RELAY_PASSWORD)
        code, text = client.mail("jane@school.example")
        assert (code, text) == (530, b"5.7.0 Authentication required")
    assert secured.inbound() == []


def test_require_tls_refuses_mail_before_starttls(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
) -> None:
    listener(harness, 'tls_certificate = "tls/cert.pem"\ntls_key = "tls/key.pem"\n'
                      "require_tls = true")
    with harness.daemon(), smtplib.SMTP("127.0.0.1", harness.smtp_in_port, timeout=30) as client:
        client.ehlo()
        assert client.mail("jane@school.example")[0] == 530
        client.starttls(context=certificates.client_context())
        client.ehlo()
        # no AUTH configured: none offered, and mail over TLS is taken as before
        assert not client.has_extn("auth")
        assert client.sendmail("jane@school.example", [DESK], crlf(mail())) == {}
        harness.wait_processed(1)
    assert len(harness.tickets()) == 1


def test_the_default_listener_stays_plain_text_and_open(harness: Harness) -> None:
    """What a Postfix relaying to 127.0.0.1:2525 relies on: no STARTTLS demanded, no AUTH."""
    with harness.daemon(), smtplib.SMTP("127.0.0.1", harness.smtp_in_port, timeout=30) as client:
        client.ehlo()
        assert not client.has_extn("starttls") and not client.has_extn("auth")
        assert client.sendmail("jane@school.example", [DESK], crlf(mail())) == {}
        harness.wait_processed(1)


def test_a_client_outside_allow_from_is_refused_at_connect_and_logged(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    listener(harness, 'allow_from = ["10.0.0.0/8", "2001:db8::/32"]')
    with harness.daemon(), caplog.at_level(logging.WARNING, logger="mailgate.smtp"):
        with pytest.raises(smtplib.SMTPConnectError) as refused:
            smtplib.SMTP("127.0.0.1", harness.smtp_in_port, timeout=30)
        assert refused.value.smtp_code == 554
        assert "refused a connection from 127.0.0.1: not in smtp_in.allow_from" in caplog.text
    assert harness.inbound() == []
    listener(harness, 'allow_from = ["10.0.0.0/8", "127.0.0.0/8"]')
    with harness.daemon():
        assert harness.send(mail()) == {}
        harness.wait_processed(1)


@pytest.mark.skipif(
    shutil.which("swaks") is None,
    reason="swaks is not installed (scripts/test installs it: apt-get install swaks)",
)
def test_swaks_sends_with_tls_and_auth_and_a_wrong_password_is_refused(
    secured: Harness, certificates: Certificates
) -> None:
    def swaks(password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(secured.smtp_in_port),
             "--tls", "--tls-verify", "--tls-ca-path", str(certificates.ca_file),
             "--auth", "PLAIN", "--auth-user", "relay", "--auth-password", password,
             "--from", "jane@school.example", "--to", DESK,
             "--header", "Subject: Projector in the hall flickers",
             "--body", "The projector in the main hall flickers during assembly."],
            capture_output=True, text=True, timeout=60,
        )

    with secured.daemon():
        refused = swaks("wrong")
        assert refused.returncode != 0
        assert "535 5.7.8 Authentication credentials invalid" in refused.stdout
        sent = swaks(RELAY_PASSWORD)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert "STARTTLS" in sent.stdout and "235 2.7.0 Authentication successful" in sent.stdout
        secured.wait_processed(1)
    [ticket] = secured.tickets()
    assert ticket.subject == "Projector in the hall flickers"


# --- the listener's config: each mistake fails at start, naming its key ----------------------

def _load(tmp_path: Path, smtp_in: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f"[smtp_in]\n{smtp_in}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(str(path))
    return str(error.value)


def test_listener_config_mistakes_name_the_key(
    tmp_path: Path, certificates: Certificates
) -> None:
    other = Certificates.make(tmp_path / "other")
    assert "smtp_in.tls_certificate: Value error, cannot read " in _load(
        tmp_path, 'tls_certificate = "tls/missing.pem"\ntls_key = "tls/key.pem"')
    assert "smtp_in.tls_certificate: Value error, " in _load(
        tmp_path, 'tls_certificate = "tls/key.pem"\ntls_key = "tls/key.pem"')
    mismatched = _load(tmp_path, 'tls_certificate = "tls/cert.pem"\ntls_key = "other/key.pem"')
    assert f"smtp_in.tls_key: Value error, {other.key} is not the private key of" in mismatched
    # a key with a passphrase: refused at start, not a prompt on the terminal
    key = serialization.load_pem_private_key(certificates.key.read_bytes(), password=None)
    (tmp_path / "tls" / "locked.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    ))
    assert "the key is encrypted; mailgate needs it without a passphrase" in _load(
        tmp_path, 'tls_certificate = "tls/cert.pem"\ntls_key = "tls/locked.pem"')
    assert "smtp_in.tls_key: Value error, set both tls_certificate and tls_key" in _load(
        tmp_path, 'tls_certificate = "tls/cert.pem"')
    assert "smtp_in.require_tls: Value error, STARTTLS needs tls_certificate" in _load(
        tmp_path, "require_tls = true")
    assert "smtp_in.auth_password_env: Value error, SMTP AUTH is offered only after STARTTLS" in (
        _load(tmp_path, 'auth_password_env = { relay = "X" }'))
    assert "smtp_in.require_auth: Value error, no relay account" in _load(
        tmp_path, "require_auth = true")
    assert "smtp_in.allow_from: Value error, not an IP address or network: '10.0.0.1/8'" in (
        _load(tmp_path, 'allow_from = ["127.0.0.1", "10.0.0.1/8"]'))
    assert "smtp_in.allow_from: Value error, not an IP address or network: 'localhost'" in (
        _load(tmp_path, 'allow_from = ["localhost"]'))


def test_an_unset_relay_password_stops_serve_and_fails_check_config(
    harness: Harness, certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAILGATE_TEST_RELAY_PASSWORD", raising=False)
    listener(harness, SECURED)
    checked = harness.cli("check-config")
    assert checked.code == 1
    assert ("ERROR      smtp_in.auth_password_env.relay: the environment variable "
            "MAILGATE_TEST_RELAY_PASSWORD is not set") in checked.out
    assert "STARTTLS required; AUTH required for relay" in checked.out
    served = harness.cli("serve")
    assert served.code == 78
    assert "smtp_in.auth_password_env.relay" in served.err


# --- outgoing mail ------------------------------------------------------------------------

def _relay_config(security: str, extra: str = 'ca_file = "tls/ca.pem"') -> str:
    return (f'security = "{security}"\n{extra}\nusername = "desk"\n'
            'password_env = "MAILGATE_TEST_SMTP_PASSWORD"\n')


def _outbox(harness: Harness) -> list[Outbox]:
    with harness.session() as session:
        return list(session.exec(select(Outbox).order_by(Outbox.id)).all())  # type: ignore[arg-type]


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_the_acknowledgement_goes_out_encrypted_and_logged_in(
    harness: Harness, certificates: Certificates, monkeypatch: pytest.MonkeyPatch,
    security: str,
) -> None:
    monkeypatch.setenv("MAILGATE_TEST_SMTP_PASSWORD", "relay-secret")
    harness.write_config(_relay_config(security))
    now = ingest(harness, "Jane <jane@school.example>")
    harness.sink.stop()  # the relay with TLS takes its port
    with TlsRelay(harness.sink.port, security, certificates, "desk", "relay-secret") as relay:  # type: ignore[arg-type]
        harness.tick(now)
    [row] = _outbox(harness)
    assert (row.state, row.last_error) == ("sent", "")
    assert relay.seen.auth == [("desk", True)]  # one login, over TLS
    [(received, encrypted)] = relay.seen.messages
    assert encrypted and received.rcpt_tos == ["jane@school.example"]
    assert "INC0000001" in received.header("Subject")


def test_a_relay_without_starttls_gets_no_password_and_the_mail_is_deferred(
    harness: Harness, certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILGATE_TEST_SMTP_PASSWORD", "relay-secret")
    harness.write_config(_relay_config("starttls"))
    now = ingest(harness, "Jane <jane@school.example>")
    harness.sink.stop()
    # it offers AUTH PLAIN in clear and no STARTTLS: the bait
    with TlsRelay(harness.sink.port, "none", certificates, "desk", "relay-secret") as relay:
        harness.tick(now)
    assert relay.seen.auth == [] and relay.seen.messages == []
    [row] = _outbox(harness)
    assert row.state == "pending" and row.attempts == 1  # deferred, retried later
    assert row.last_error == (
        f"127.0.0.1:{harness.sink.port} does not offer STARTTLS, which smtp_out.security = "
        '"starttls" requires; nothing was sent in clear')


def test_a_relay_on_loopback_may_take_the_login_in_clear_when_the_config_says_so(
    harness: Harness, certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: AUTH without TLS only to a relay on this machine, and only when named so."""
    monkeypatch.setenv("MAILGATE_TEST_SMTP_PASSWORD", "relay-secret")
    harness.write_config(_relay_config("none", extra="plain_auth_on_loopback = true"))
    now = ingest(harness, "Jane <jane@school.example>")
    harness.sink.stop()
    with TlsRelay(harness.sink.port, "none", certificates, "desk", "relay-secret") as relay:
        harness.tick(now)
    assert [row.state for row in _outbox(harness)] == ["sent"]
    assert relay.seen.auth == [("desk", False)]  # one login, in clear, on loopback


def test_an_untrusted_certificate_defers_unless_verification_is_off(
    harness: Harness, certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILGATE_TEST_SMTP_PASSWORD", "relay-secret")
    harness.write_config(_relay_config("tls", extra=""))  # the system's CAs do not know ours
    now = ingest(harness, "Jane <jane@school.example>")
    harness.sink.stop()
    with TlsRelay(harness.sink.port, "tls", certificates, "desk", "relay-secret") as relay:
        harness.tick(now)
        [row] = _outbox(harness)
        assert row.state == "pending" and "CERTIFICATE_VERIFY_FAILED" in row.last_error
        assert relay.seen.auth == []
        harness.write_config(_relay_config("tls", extra="verify_certificates = false"))
        harness.tick(now + timedelta(minutes=1))
    assert _outbox(harness)[0].state == "sent"
    assert relay.seen.auth == [("desk", True)]


@pytest.mark.parametrize(
    ("smtp_out", "expected"),
    [
        ('username = "desk"\npassword_env = "P"',
         'smtp_out.username: Value error, a password is never sent in clear: set security = '
         '"starttls" or "tls"'),
        ('host = "mail.example.org"\nplain_auth_on_loopback = true',
         "smtp_out.plain_auth_on_loopback: Value error, only for a server on this machine"),
        ('starttls = true\nsecurity = "tls"',
         "smtp_out.security: Value error, contradicts starttls = true (the older spelling)"),
        ('security = "ssl"', "smtp_out.security: Input should be 'none', 'starttls' or 'tls'"),
        ('security = "tls"\nca_file = "nowhere.pem"',
         "smtp_out.ca_file: Value error, cannot load the CA certificates in "),
    ],
)
def test_outgoing_config_mistakes_name_the_key(
    tmp_path: Path, smtp_out: str, expected: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[smtp_out]\n{smtp_out}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(str(path))
    assert expected in str(error.value)


def test_the_older_starttls_key_still_means_starttls_and_465_is_the_tls_port(
    tmp_path: Path
) -> None:
    """starttls = true, the key before `security`, keeps working; ca_file is found next to the
    config file."""
    path = tmp_path / "config.toml"
    path.write_text('[smtp_out]\nstarttls = true\nusername = "desk"\n', encoding="utf-8")
    assert load_config(str(path)).smtp_out.security == "starttls"
    Certificates.make(tmp_path / "tls")
    path.write_text('[smtp_out]\nsecurity = "tls"\nca_file = "tls/ca.pem"\n', encoding="utf-8")
    smtp_out = load_config(str(path)).smtp_out
    assert smtp_out.effective_port == 465
    assert smtp_out.ca_file == str(tmp_path / "tls" / "ca.pem")  # relative to the config file

