"""The IMAP door: follow one mailbox as a careful mail client does, and never lose or repeat mail.

Per pass: select the folder, compare UIDVALIDITY with the database, `UID SEARCH UID last+1:*`
(by UID, not by \\Seen: a message another client has read is still new to us), fetch
`BODY.PEEK[]` in batches, store each raw message and commit, record the last stored UID, and only
then move the batch to `processed_folder` or flag it \\Seen. A crash between the commit and the
move leaves (acked_uid, last_uid] to acknowledge on the next pass; nothing is fetched twice, and
anything refetched (after a UIDVALIDITY change) is absorbed by the inbound store's dedup.
"""

from __future__ import annotations

import contextlib
import logging
import math
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from imapclient import DELETED, SEEN, IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlalchemy import Engine

from mailgate.clock import utcnow
from mailgate.config import Config, ImapMailbox
from mailgate.intake import imap_state
from mailgate.intake.imap_auth import AuthFailure, authenticate
from mailgate.intake.imap_lock import MailboxLock
from mailgate.intake.store import StoreError, store_many

log = logging.getLogger("mailgate.imap")

SOCKET_TIMEOUT = 60.0
# RFC 2177 §3: a server may log out a client idle for 30 minutes; re-issue IDLE well before.
IDLE_RENEW_SECONDS = 25 * 60
IDLE_TICK = 0.5  # how often an idle follower looks at its stop flag
SETTLE_SECONDS = 1.0
BACKOFF_START, BACKOFF_MAX = 1.0, 300.0
LOCK_RETRY_SECONDS = 15.0


@dataclass
class PassReport:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    acked: int = 0


def chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def classify(exc: BaseException) -> str:
    """The MailboxState status for a failure."""
    if isinstance(exc, AuthFailure):
        return "auth_failed"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "tls_failed"
    if isinstance(exc, OSError | IMAPClientError | EOFError):
        return "unreachable"
    return "error"


def ssl_context(mailbox: ImapMailbox) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not mailbox.verify_certificates:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def news_arrived(client: IMAPClient) -> bool:
    """Whether the server announced new mail (EXISTS) in a response to one of our commands.

    imaplib files unsolicited responses in `untagged_responses` (imapclient reads them from there
    too); the server tells a client of each new message once, so one announced while we were busy
    would otherwise wait for the next change before IDLE saw it.
    """
    pending = client._imap.untagged_responses
    pending.pop("RECENT", None)  # comes with EXISTS for new mail; alone (after MOVE) it is not
    return bool(pending.pop("EXISTS", None))


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
        info = client.select_folder(self.mailbox.folder)
        imap_state.check_uidvalidity(self.engine, self.name, int(info[b"UIDVALIDITY"]))
        if self.mailbox.after == "move" and not client.folder_exists(
            self.mailbox.processed_folder
        ):
            client.create_folder(self.mailbox.processed_folder)
            log.info("mailbox %s: created folder %s", self.name, self.mailbox.processed_folder)

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
            for batch in chunks(uids, self.mailbox.batch_size):
                stored, duplicates = self.store_batch(client, batch)
                report.fetched += stored + duplicates
                report.stored += stored
                report.duplicates += duplicates
                imap_state.set_stored(self.engine, self.name, batch[-1])
                if stored:
                    self.on_stored()
                self.acknowledge(client, batch)
                imap_state.set_acked(self.engine, self.name, batch[-1])
                report.acked += len(batch)
        imap_state.record_ok(self.engine, self.mailbox, self.clock())
        if report.fetched:
            log.info("mailbox %s: %s", self.name, report)
        return report

    @staticmethod
    def search(client: IMAPClient, after: int, upto: int | None = None) -> list[int]:
        """UIDs in (after, upto] (or above `after`), ascending."""
        found = client.search(["UID", f"{after + 1}:{upto if upto is not None else '*'}"])
        # RFC 3501 §6.4.8: "n:*" always includes the highest UID, even when it is below n.
        return sorted(u for u in found if u > after and (upto is None or u <= upto))

    def store_batch(self, client: IMAPClient, uids: list[int]) -> tuple[int, int]:
        """Fetch with BODY.PEEK[] (leaves \\Seen alone) and commit the batch in one transaction."""
        fetched = client.fetch(uids, ["BODY.PEEK[]"])
        # a UID missing from the answer was expunged by another client since the search
        raws = [fetched[uid][b"BODY[]"] for uid in uids if b"BODY[]" in fetched.get(uid, {})]
        results = store_many(self.engine, raws, source=self.source, now=self.clock())
        duplicates = sum(1 for result in results if result.duplicate)
        return len(results) - duplicates, duplicates

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
            self.engine, self.config, self.mailbox, status, f"{type(exc).__name__}: {exc}",
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
            report = self.drain(client)
            if news_arrived(client):
                continue  # announced during our last commands: IDLE would not repeat it
            if use_idle:
                # Mail tends to come in bursts, and a push that races the start of IDLE can be
                # lost (see wait_idle): after taking mail, look again shortly before settling.
                self.wait_idle(client, SETTLE_SECONDS if report.fetched else None)
            else:
                self.stopping.wait(self.mailbox.poll_seconds)
            if not self.lock.acquire():
                log.warning("mailbox %s: lock lost to another daemon; standing by", self.name)
                return

    def wait_idle(self, client: IMAPClient, at_most: float | None = None) -> None:
        """IDLE until the folder changes, the server goes away, we stop, or it is time to renew.

        Renewed at least every `poll_seconds` (and RFC 2177's 29 minutes), so that the search
        after it bounds how long a lost push goes unnoticed: Dovecot 2.3 can miss an APPEND that
        commits while IDLE starts, and then says nothing until the next change.
        """
        client.idle()
        started = time.monotonic()
        renew_after = min(IDLE_RENEW_SECONDS, self.mailbox.poll_seconds, at_most or math.inf)
        try:
            while not self.stopping.is_set():
                if time.monotonic() - started > renew_after:
                    return
                tick = time.monotonic()
                responses = client.idle_check(timeout=IDLE_TICK)
                for response in responses:
                    if response[0] == b"BYE":
                        raise ConnectionError(f"server said BYE: {response!r}")
                    if len(response) > 1 and response[1] in (b"EXISTS", b"RECENT"):
                        return
                if not responses and time.monotonic() - tick < IDLE_TICK / 2:
                    # readable but no line: the server closed the connection (idle_done raises)
                    return
        finally:
            client.idle_done()
