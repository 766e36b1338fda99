"""A private Dovecot on loopback: config, passwd-file and Maildirs under a temp dir.

Nothing outside that dir is touched. Dovecot refuses mail access as root, so mail is owned by
`nobody` (NOTES.md); the dir is made world-traversable for that reason.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
instance_name = mailgate-test-{port}
protocols = imap
listen = 127.0.0.1
{ssl}
{capability}
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
default_login_user = nobody
default_internal_user = nobody
default_internal_group = nogroup
mail_location = maildir:{dir}/mail/%u
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  # one file per user: a file that changes within a second may not be read again
  args = scheme=PLAIN username_format=%u {dir}/passwd.d/%u
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={dir}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
  # no auth penalty (up to 15 s after repeated failures): the tests fail logins on purpose
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
}}
"""


class DovecotError(RuntimeError):
    pass


class Dovecot:
    def __init__(self, port: int, tls_port: int = 0, capability: str = "") -> None:
        """IMAP on `port`; with `tls_port`, also IMAPS there and STARTTLS on `port`, with a
        self-signed certificate for localhost. `capability` replaces what the server announces
        after login (a server without MOVE or IDLE, say)."""
        if not Path(DOVECOT).exists():
            raise DovecotError(
                "dovecot is not installed: apt-get install dovecot-imapd (scripts/test does it)"
            )
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="mailgate-dovecot-"))
        self.dir.chmod(0o755)
        nobody = pwd.getpwnam("nobody")
        self.uid, self.gid = nobody.pw_uid, nobody.pw_gid
        for sub in ("mail", "home"):
            (self.dir / sub).mkdir()
            os.chown(self.dir / sub, self.uid, self.gid)
        self.passwd = self.dir / "passwd.d"
        self.passwd.mkdir()
        self.config = self.dir / "dovecot.conf"
        self.tls_port = tls_port
        ssl = "ssl = no"
        if tls_port:
            self._certificate()
            ssl = f"ssl = yes\nssl_cert = <{self.dir}/cert.pem\nssl_key = <{self.dir}/key.pem"
        self.config.write_text(CONFIG.format(
            dir=self.dir, port=port, tls_port=tls_port, ssl=ssl,
            capability=f"imap_capability = {capability}" if capability else "",
        ))
        self.process: subprocess.Popen[bytes] | None = None
        self._users = 0

    def _certificate(self) -> None:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", str(self.dir / "key.pem"), "-out", str(self.dir / "cert.pem")],
            check=True, capture_output=True,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() ends the imap children too
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DovecotError(f"dovecot exited: {self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise DovecotError(f"dovecot did not answer on port {self.port}: {self.log_tail()}")

    def stop(self) -> None:
        """Kill the server and every imap process: clients see their connections drop.

        The master's children outlive it (they keep serving their connections), so the whole
        process group goes, abruptly, as in a crash.
        """
        if self.process is None:
            return
        group = self.process.pid  # a session leader: its pid is the group id
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process.wait()
        self.process = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        raise DovecotError(f"dovecot processes of group {group} did not exit")

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        path = self.dir / "dovecot.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def add_user(self, password: str = "secret") -> str:
        """A fresh user with an empty INBOX; returns the username."""
        self._users += 1
        username = f"user{self._users}"
        (self.passwd / username).write_text(f"{username}:{{PLAIN}}{password}::::::\n")
        return username

    def client(self, username: str, password: str = "secret") -> IMAPClient:
        """Another mail client on the same mailbox (a person's Outlook, say)."""
        client = IMAPClient("127.0.0.1", self.port, ssl=False, timeout=30)
        client.login(username, password)
        return client
