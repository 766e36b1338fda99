"""The IMAP door: follow one mailbox as a careful mail client does, and never lose or repeat mail.

Per pass: select the folder, compare UIDVALIDITY with the database, `UID SEARCH UID last+1:*`
(by UID, not by \\Seen: a message another client has read is still new to us), fetch
`BODY.PEEK[]` in batches, store each raw message and commit, record the last stored UID, and only
then move the batch to `processed_folder` or flag it \\Seen. A crash between the commit and the
move leaves (acked_uid, last_uid] to acknowledge on the next pass; nothing is fetched twice, and
anything refetched (after a UIDVALIDITY change) is absorbed by the inbound store's dedup.

A message that cannot be taken (over `max_message_bytes`, or one the server fails on or withholds)
is left untouched in the folder and quarantined with its header and the reason, so that it
neither blocks the mailbox nor disappears from anyone's view.

This module connects, selects and follows (IDLE or polling, in a thread of the daemon, one daemon
per mailbox by a lock); the pass itself, fetch to acknowledge, is `mailgate.intake.imap_drain`.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Callable
from datetime import datetime

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError
from sqlalchemy import Engine

from mailgate.clock import utcnow
from mailgate.config import Config, ImapMailbox
from mailgate.errors import one_line
from mailgate.intake import imap_state
from mailgate.intake.imap_auth import AuthFailure, authenticate, server_text
from mailgate.intake.imap_drain import MAX_STRIKES, Drainer, PassReport
from mailgate.intake.imap_idle import idle_until_news, news_arrived
from mailgate.intake.imap_lock import MailboxLock
from mailgate.intake.store import StoreError

__all__ = ["MAX_STRIKES", "FolderError", "Follower", "PassReport", "classify"]

log = logging.getLogger("mailgate.imap")

SOCKET_TIMEOUT = 60.0
# RFC 2177 §3: a server may log out a client idle for 30 minutes; re-issue IDLE well before.
IDLE_RENEW_SECONDS = 25 * 60
BACKOFF_START, BACKOFF_MAX = 1.0, 300.0
LOCK_RETRY_SECONDS = 15.0


class FolderError(Exception):
    """The configured folder is not there, or the processed folder cannot be created."""


def classify(exc: BaseException) -> str:
    """The MailboxState status for a failure."""
    if isinstance(exc, AuthFailure):
        return "auth_failed"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "tls_failed"
    if isinstance(exc, FolderError):
        return "bad_folder"
    if isinstance(exc, OSError | IMAPClientError | EOFError):
        return "unreachable"
    return "error"


def ssl_context(mailbox: ImapMailbox) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not mailbox.verify_certificates:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def folder_list(client: IMAPClient, most: int = 12) -> str:
    names = sorted(name for _flags, _delimiter, name in client.list_folders())
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


class Follower(Drainer):
    """One `[[imap]]` mailbox: `run_once()` is one pass; `start()` follows until `stop()`."""

    def __init__(
        self,
        config: Config,
        mailbox: ImapMailbox,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utcnow,
        on_stored: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(mailbox, engine, clock, on_stored)
        self.config = config
        self.lock = MailboxLock(engine, mailbox.name)
        self.thread: threading.Thread | None = None
        self._standing_by = False

    # --- one connection ---------------------------------------------------------------------
    def connect(self) -> IMAPClient:
        """Connect, secure, authenticate and select the folder."""
        box = self.mailbox
        context = ssl_context(box)
        client = IMAPClient(
            box.host, box.effective_port, ssl=box.security == "tls", ssl_context=context,
            timeout=SOCKET_TIMEOUT,
        )
        try:
            if box.security == "starttls":
                client.starttls(context)
            authenticate(client, box)
            self.select(client)
        except BaseException:
            self.disconnect(client)
            raise
        return client

    def select(self, client: IMAPClient) -> None:
        box = self.mailbox
        try:
            info = client.select_folder(box.folder)
        except IMAPClientAbortError:
            raise
        except IMAPClientError as exc:
            if client.folder_exists(box.folder):
                raise
            raise FolderError(
                f'[[imap]] {self.name}: folder = "{box.folder}" does not exist for {box.username} '
                f"on {box.host} (folders there: {folder_list(client)})"
            ) from exc
        self.uidvalidity = int(info[b"UIDVALIDITY"])
        if imap_state.check_uidvalidity(self.engine, self.name, self.uidvalidity):
            self.forget_failures()
        if box.after == "move" and not client.folder_exists(box.processed_folder):
            try:
                client.create_folder(box.processed_folder)
            except IMAPClientAbortError:
                raise
            except IMAPClientError as exc:
                if client.folder_exists(box.processed_folder):
                    return  # created meanwhile by another connection ([ALREADYEXISTS])
                raise FolderError(
                    f'[[imap]] {self.name}: processed_folder = "{box.processed_folder}" does not '
                    f"exist for {box.username} on {box.host} and could not be created: "
                    f"{server_text(exc)}"
                ) from exc
            log.info("mailbox %s: created folder %s", self.name, box.processed_folder)

    @staticmethod
    def disconnect(client: IMAPClient) -> None:
        try:
            client.logout()
        except Exception:
            with contextlib.suppress(Exception):  # the connection is already gone
                client.shutdown()

    # --- one pass, for tests, benches and `--once` use ---------------------------------------
    def run_once(self) -> PassReport:
        """Connect, drain, disconnect. Failures are recorded (and alerted) and raised."""
        try:
            client = self.connect()
        except Exception as exc:
            self.record_failure(exc)
            raise
        try:
            return self.drain(client)
        except Exception as exc:
            self.record_failure(exc)
            raise
        finally:
            self.disconnect(client)

    def record_failure(self, exc: BaseException) -> None:
        status = classify(exc)
        if status == "error" and not isinstance(exc, StoreError):
            log.exception("mailbox %s: unexpected failure", self.name)
        imap_state.record_failure(
            self.engine, self.config, self.mailbox, status, one_line(exc),
            self.clock(),
        )

    # --- following, in a thread of the daemon -------------------------------------------------
    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, name=f"imap:{self.name}", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=timeout)

    def run(self) -> None:
        """Follow until stopped. Never dies: each failure is recorded, then retried with backoff."""
        backoff = BACKOFF_START
        try:
            while not self.stopping.is_set():
                connected_at = time.monotonic()
                try:
                    self.follow_once()
                    continue
                except Exception as exc:
                    try:
                        self.record_failure(exc)
                    except Exception:
                        log.exception("mailbox %s: failed, and could not record why", self.name)
                if time.monotonic() - connected_at > BACKOFF_MAX:
                    backoff = BACKOFF_START  # it worked for a while: this is a new problem
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
        finally:
            with contextlib.suppress(Exception):
                self.lock.release()

    def follow_once(self) -> None:
        """Take the lock (or stand by), connect and follow until stopped or the lock is lost."""
        if not self.lock.acquire():
            if not self._standing_by:
                log.info("mailbox %s: another daemon follows it; standing by", self.name)
                self._standing_by = True
            self.stopping.wait(LOCK_RETRY_SECONDS)
            return
        self._standing_by = False
        client = self.connect()
        try:
            self.follow(client)
        finally:
            self.disconnect(client)

    def follow(self, client: IMAPClient) -> None:
        """Drain, then wait for news (IDLE or polling), until stopped or the lock is lost."""
        use_idle = self.mailbox.idle and client.has_capability("IDLE")
        log.info("mailbox %s: following %s on %s (%s)", self.name, self.mailbox.folder,
                 self.mailbox.host, "IDLE" if use_idle else f"polling every "
                 f"{self.mailbox.poll_seconds:g} s")
        while not self.stopping.is_set():
            self.drain(client)
            if news_arrived(client):
                continue  # announced during our last commands: IDLE would not repeat it
            if use_idle:
                self.wait_idle(client)
            else:
                self.stopping.wait(self.mailbox.poll_seconds)
            if not self.lock.acquire():
                log.warning("mailbox %s: lock lost to another daemon; standing by", self.name)
                return

    def wait_idle(self, client: IMAPClient) -> None:
        """IDLE until the folder changes, the server goes away, we stop, or it is time to renew.

        Renewed at least every `poll_seconds` (and RFC 2177's 29 minutes); the search after it
        bounds how long a push the server never sent goes unnoticed.
        """
        idle_until_news(client, self.stopping, min(IDLE_RENEW_SECONDS, self.mailbox.poll_seconds))
