"""Transport security of the SMTP listener: its certificate, its relay accounts, who may connect.

Kept apart from mailgate.intake.smtp so that the config can be checked without loading aiosmtpd
(`ingest`, run once per message, starts without the listener's packages)."""

from __future__ import annotations

import hmac
import ipaddress
import os
import ssl
from collections.abc import Mapping, Sequence
from pathlib import Path

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _no_passphrase() -> bytes:
    # without a callback OpenSSL would ask on the terminal for an encrypted key's passphrase
    raise ValueError("the key is encrypted; mailgate needs it without a passphrase")


def server_context(certificate: Path, key: Path) -> ssl.SSLContext:
    """What STARTTLS offers; OSError, ssl.SSLError or ValueError when the files will not do."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key, password=_no_passphrase)
    return context


def certificate_problem(path: Path) -> str:
    """Why `path` is not a readable PEM certificate ('' when it is)."""
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if "-----BEGIN CERTIFICATE-----" not in text:
        return f"{path} is not a PEM certificate (-----BEGIN CERTIFICATE-----)"
    return ""


def key_problem(certificate: Path, key: Path) -> str:
    """Why `key` cannot serve `certificate` ('' when it can)."""
    try:
        key.read_bytes()
    except OSError as exc:
        return f"cannot read {key}: {exc.strerror or exc}"
    try:
        server_context(certificate, key)
    except (ssl.SSLError, ValueError, OSError) as exc:
        return (f"{key} is not the private key of {certificate} (or not a PEM key without a "
                f"passphrase): {exc}")
    return ""


def networks(entries: Sequence[str]) -> tuple[Network, ...]:
    """`allow_from` as networks; ValueError naming the entry that is not one."""
    parsed = []
    for entry in entries:
        try:
            parsed.append(ipaddress.ip_network(entry.strip()))
        except ValueError as exc:
            raise ValueError(f"not an IP address or network: {entry!r} ({exc})") from None
    return tuple(parsed)


def client_allowed(host: str, allowed: Sequence[Network]) -> bool:
    """Whether a client at `host` may talk to the listener; an empty list lets everyone in."""
    if not allowed:
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])  # fe80::1%eth0: drop the zone
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # a dual-stack socket sees IPv4 clients as ::ffff:a.b.c.d
    return any(address in network for network in allowed)


class RelayAccounts:
    """SMTP AUTH accounts for relays: user name → password, read from the environment once."""

    def __init__(self, password_env: Mapping[str, str]) -> None:
        self.passwords = {
            user: os.environ.get(variable, "").encode() for user, variable in password_env.items()
        }

    def check(self, user: bytes, password: bytes) -> bool:
        expected = self.passwords.get(user.decode("utf-8", "replace"))
        # a constant-time comparison, and a real one even for an unknown user
        return hmac.compare_digest(expected or b"\0", password) and bool(expected)
