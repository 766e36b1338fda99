"""A Dovecot account as the IMAP tests see it: configure mailgate to follow it, and act on it as
another mail client would."""

from __future__ import annotations

import pytest
from imapclient import IMAPClient

from mailgate.config import ImapMailbox
from mailgate.intake.imap import Follower
from tests.mail import mail
from tests.support.dovecot import Dovecot
from tests.support.harness import Harness, crlf
from tickets.models import MailboxState

PASSWORD_ENV = "MAILGATE_TEST_IMAP_PASSWORD"
ADMIN = "admin@desk.example"


class Mailbox:
    """The test's view of one Dovecot account, as another mail client sees it."""

    def __init__(self, server: Dovecot, harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
        self.server, self.harness = server, harness
        self.user = server.add_user("secret")
        monkeypatch.setenv(PASSWORD_ENV, "secret")

    def configure(self, **keys: object) -> ImapMailbox:
        settings: dict[str, object] = {
            "name": "support", "host": "127.0.0.1", "port": self.server.port,
            "security": "none", "username": self.user, "password_env": PASSWORD_ENV,
            "poll_seconds": 60, **keys,
        }
        lines = [f"{key} = {toml_value(value)}" for key, value in settings.items()
                 if value is not None]
        self.harness.write_config(
            f'\n[admin]\naddress = "{ADMIN}"\n\n[[imap]]\n' + "\n".join(lines) + "\n"
        )
        [mailbox] = self.harness.config.imap
        return mailbox

    def follower(self, cls: type[Follower] = Follower) -> Follower:
        config = self.harness.config
        return cls(config, config.imap[0], self.harness.engine)

    def client(self) -> IMAPClient:
        return self.server.client(self.user, "secret")

    def append(self, raw: bytes, folder: str = "INBOX", flags: tuple[bytes, ...] = ()) -> None:
        with self.client() as client:
            client.append(folder, crlf(raw), flags=flags)

    def messages(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        """UID → flags of what is in the folder now."""
        with self.client() as client:
            if not client.folder_exists(folder):
                return {}
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            if not uids:
                return {}
            return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()}


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def numbered(n: int) -> bytes:
    return mail(subject=f"Request {n}", message_id=f"<request-{n}@school.example>",
                body=f"Hello,\n\nrequest number {n}.\n\nJane")


def state_of(harness: Harness) -> MailboxState:
    with harness.session() as session:
        state = session.get(MailboxState, "support")
        assert state is not None
        return state


def status_of(harness: Harness) -> str:
    """The mailbox's status; "" before the follower first recorded one."""
    with harness.session() as session:
        state = session.get(MailboxState, "support")
        return state.status if state else ""


def subjects(harness: Harness) -> list[str]:
    return sorted(t.subject for t in harness.tickets())
