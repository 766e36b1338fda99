"""The IMAP door: follow one mailbox as a careful mail client does, and never lose or repeat mail.

Per pass: select the folder, compare UIDVALIDITY with the database, `UID SEARCH UID last+1:*`
(by UID, not by \\Seen: a message another client has read is still new to us), fetch
`BODY.PEEK[]` in batches, store each raw message and commit, record the last stored UID, and only
then move the batch to `processed_folder` or flag it \\Seen. A crash between the commit and the
move leaves (acked_uid, last_uid] to acknowledge on the next pass; nothing is fetched twice, and
anything refetched (after a UIDVALIDITY change) is absorbed by the inbound store's dedup.

A message that cannot be taken (over `max_message_bytes`, or one the server fails on or withholds)
is left untouched in the folder and quarantined here with its header and the reason, so that it
neither blocks the mailbox nor disappears from anyone's view.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from imapclient import DELETED, SEEN, IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError
from sqlalchemy import Engine

from mailgate.clock import utcnow
from mailgate.config import Config, ImapMailbox
from mailgate.errors import one_line
from mailgate.intake import imap_fetch, imap_state
from mailgate.intake.imap_auth import AuthFailure, authenticate, server_text
from mailgate.intake.imap_idle import idle_until_news, news_arrived
from mailgate.intake.imap_lock import MailboxLock
from mailgate.intake.store import StoreError, store_left, store_many

log = logging.getLogger("mailgate.imap")

SOCKET_TIMEOUT = 60.0
# RFC 2177 §3: a server may log out a client idle for 30 minutes; re-issue IDLE well before.
IDLE_RENEW_SECONDS = 25 * 60
BACKOFF_START, BACKOFF_MAX = 1.0, 300.0
LOCK_RETRY_SECONDS = 15.0
# A message whose fetch failed this many times on its own is left in the folder (quarantined).
MAX_STRIKES = 3
BATCH_BYTES = 64 * 1024 * 1024  # at most this much mail held in memory and committed at once


class FolderError(Exception):
    """The configured folder is not there, or the processed folder cannot be created."""


@dataclass
class PassReport:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    acked: int = 0
    left: int = 0  # left in the folder and quarantined (too large, or the server withheld it)

    def describe(self, mailbox: ImapMailbox) -> str:
        done = (f"moved to {mailbox.processed_folder}" if mailbox.after == "move"
                else "flagged \\Seen")
        text = (f"{self.stored} new, {self.duplicates} already stored, {self.acked} {done}")
        if self.left:
            text += f", {self.left} left in {mailbox.folder} (see mailgate quarantine list)"
        return text


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


class Follower:
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
        self.config, self.mailbox, self.engine = config, mailbox, engine
        self.clock, self.on_stored = clock, on_stored
        self.name = mailbox.name
        self.source = f"imap:{mailbox.name}"
        self.lock = MailboxLock(engine, mailbox.name)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self._standing_by = False
        self.uidvalidity: int | None = None
        # fetch failures, kept across reconnects (see `batches` and `fetching`)
        self.suspects: set[int] = set()
        self.strikes: dict[int, int] = {}
        self.last_fetch_error: dict[int, str] = {}

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
            self.suspects.clear()  # the old UIDs mean nothing now
            self.strikes.clear()
            self.last_fetch_error.clear()
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

    # --- fetch, store, acknowledge ----------------------------------------------------------
    def drain(self, client: IMAPClient) -> PassReport:
        """Store everything new in the selected folder, then acknowledge it, batch by batch."""
        report = PassReport()
        state = imap_state.load(self.engine, self.name)
        if state.acked_uid < state.last_uid:
            # stored by an earlier pass that stopped before moving or flagging it
            leftover = self.search(client, state.acked_uid, state.last_uid)
            if leftover:
                log.info("mailbox %s: acknowledging %d message(s) stored earlier",
                         self.name, len(leftover))
                self.acknowledge(client, leftover)
                report.acked += len(leftover)
            imap_state.set_acked(self.engine, self.name, state.last_uid)
        while not self.stopping.is_set():
            news_arrived(client)  # forget announcements that this search covers
            last_uid = imap_state.load(self.engine, self.name).last_uid
            uids = self.search(client, last_uid)
            if not uids:
                break
            for batch in self.batches(uids):
                self.take_batch(client, batch, report)
        imap_state.record_ok(self.engine, self.mailbox, self.clock())
        if report.fetched or report.acked or report.left:
            log.info("mailbox %s: %s", self.name, report.describe(self.mailbox))
        return report

    @staticmethod
    def search(client: IMAPClient, after: int, upto: int | None = None) -> list[int]:
        """UIDs in (after, upto] (or above `after`), ascending."""
        found = client.search(["UID", f"{after + 1}:{upto if upto is not None else '*'}"])
        # RFC 3501 §6.4.8: "n:*" always includes the highest UID, even when it is below n.
        return sorted(u for u in found if u > after and (upto is None or u <= upto))

    def batches(self, uids: Sequence[int]) -> Iterator[list[int]]:
        """`batch_size` UIDs at a time; a UID whose batch failed to fetch goes on its own, so that
        one message the server cannot return does not hold up the others."""
        batch: list[int] = []
        for uid in uids:
            if uid in self.suspects:
                if batch:
                    yield batch
                    batch = []
                yield [uid]
                continue
            batch.append(uid)
            if len(batch) == self.mailbox.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def take_batch(self, client: IMAPClient, batch: list[int], report: PassReport) -> None:
        with self.fetching(batch):
            # a message given up on is not asked about again, not even its size
            size_of = {} if self.given_up(batch) else imap_fetch.sizes(client, batch)
        for group in imap_fetch.by_bytes(batch, size_of, BATCH_BYTES):
            with self.fetching(group):
                items = self.take(client, group, size_of)
            self.keep(client, items, report)
            imap_state.set_passed(self.engine, self.name, group[-1])  # the rest: expunged
            self.suspects.difference_update(group)

    @contextlib.contextmanager
    def fetching(self, uids: list[int]) -> Iterator[None]:
        """Count a failure against the message when it was fetched alone (see `batches`)."""
        try:
            yield
        except Exception as exc:
            if len(uids) == 1:
                self.strikes[uids[0]] = self.strikes.get(uids[0], 0) + 1
                self.last_fetch_error[uids[0]] = one_line(exc)
            else:
                self.suspects.update(uids)
            raise

    def take(
        self, client: IMAPClient, uids: list[int], size_of: dict[int, int]
    ) -> list[imap_fetch.Taken | imap_fetch.Left]:
        if self.given_up(uids):
            uid = uids[0]
            return [imap_fetch.Left(
                uid, b"", size_of.get(uid, 0),
                f"the server failed {self.strikes[uid]} times to return it "
                f"({self.last_fetch_error.get(uid, 'no answer')})",
            )]
        return imap_fetch.take(client, uids, size_of, self.mailbox.max_message_bytes)

    def given_up(self, uids: list[int]) -> bool:
        return len(uids) == 1 and self.strikes.get(uids[0], 0) >= MAX_STRIKES

    def keep(
        self, client: IMAPClient, items: list[imap_fetch.Taken | imap_fetch.Left],
        report: PassReport,
    ) -> None:
        """Commit what was taken and quarantine what was left, then acknowledge what was taken.

        Acknowledged run by run between the left ones, so that what the database says is stored
        but not yet acknowledged never includes a message we leave in the folder.
        """
        taken = [item for item in items if isinstance(item, imap_fetch.Taken)]
        results = store_many(
            self.engine, [item.raw for item in taken], source=self.source, now=self.clock()
        ) if taken else []
        new = sum(1 for result in results if not result.duplicate)
        report.fetched += len(results)
        report.stored += new
        report.duplicates += len(results) - new
        if new:
            self.on_stored()
        run: list[int] = []
        for item in items:
            if isinstance(item, imap_fetch.Taken):
                run.append(item.uid)
                continue
            self.acknowledge_stored(client, run, report)
            run = []
            self.leave(item)
            report.left += 1
        self.acknowledge_stored(client, run, report)

    def acknowledge_stored(self, client: IMAPClient, uids: list[int], report: PassReport) -> None:
        if not uids:
            return
        imap_state.set_stored(self.engine, self.name, uids[-1])
        self.acknowledge(client, uids)
        imap_state.set_acked(self.engine, self.name, uids[-1])
        report.acked += len(uids)

    def leave(self, item: imap_fetch.Left) -> None:
        """Quarantine what we have of a message we leave in the folder, and pass it."""
        box = self.mailbox
        where = (f"left in {box.folder} on {box.host} as UID {item.uid} "
                 f"(UIDVALIDITY {self.uidvalidity})")
        kept = "only its header is kept here" if item.header else "nothing of it is kept here"
        reason = f"{item.why}; {where}; {kept}"
        store_left(  # logged as quarantined (mailgate.observe)
            self.engine, item.header, source=self.source, now=self.clock(), size=item.size,
            reason=reason, fallback_key=f"{self.source}:{self.uidvalidity}:{item.uid}",
        )
        imap_state.set_passed(self.engine, self.name, item.uid)

    def acknowledge(self, client: IMAPClient, uids: list[int]) -> None:
        """Move to the processed folder, or flag \\Seen; only for mail already committed."""
        if self.mailbox.after == "flag":
            client.add_flags(uids, [SEEN], silent=True)
            return
        target = self.mailbox.processed_folder
        if client.has_capability("MOVE"):
            client.move(uids, target)  # RFC 6851
            return
        client.copy(uids, target)
        client.add_flags(uids, [DELETED], silent=True)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)  # RFC 4315: expunge only these
        else:
            client.expunge()

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
