"""One pass over the selected folder of an IMAP mailbox: fetch what is new, store it, commit,
then acknowledge it (move to `processed_folder` or flag \\Seen); quarantine what cannot be taken.

The order is what makes the door lose and repeat nothing: the last stored UID is committed
before the batch is acknowledged, so that a crash in between leaves (acked_uid, last_uid] to
acknowledge on the next pass. `mailgate.intake.imap.Follower` connects, selects and calls `drain`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from imapclient import DELETED, SEEN, IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError
from sqlalchemy import Engine

from mailgate.config import ImapMailbox
from mailgate.errors import one_line
from mailgate.intake import imap_fetch, imap_state
from mailgate.intake.imap_idle import news_arrived
from mailgate.intake.store import store_left, store_many

log = logging.getLogger("mailgate.imap")

# A message whose fetch failed this many times on its own is left in the folder (quarantined).
MAX_STRIKES = 3
BATCH_BYTES = 64 * 1024 * 1024  # at most this much mail held in memory and committed at once


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




class Drainer:
    """Drains the selected folder of one `[[imap]]` mailbox. The fetch failures it counts are
    kept across reconnects (see `batches` and `fetching`), until UIDVALIDITY changes."""

    def __init__(
        self,
        mailbox: ImapMailbox,
        engine: Engine,
        clock: Callable[[], datetime],
        on_stored: Callable[[], None],
    ) -> None:
        self.mailbox, self.engine = mailbox, engine
        self.clock, self.on_stored = clock, on_stored
        self.name = mailbox.name
        self.source = f"imap:{mailbox.name}"
        self.stopping = threading.Event()
        self.uidvalidity: int | None = None
        self.suspects: set[int] = set()
        self.strikes: dict[int, int] = {}
        self.last_fetch_error: dict[int, str] = {}

    def forget_failures(self) -> None:
        """The folder's UIDs changed meaning (a new UIDVALIDITY): failures counted are void."""
        self.suspects.clear()
        self.strikes.clear()
        self.last_fetch_error.clear()

    def drain(self, client: IMAPClient) -> PassReport:
        """Store everything new in the selected folder, then acknowledge it, batch by batch."""
        report = PassReport()
        state = imap_state.load(self.engine, self.name)
        if state.acked_uid < state.last_uid:
            # stored by an earlier pass that stopped before moving or flagging it
            leftover = self.search(client, state.acked_uid, state.last_uid)
            if leftover and self.mailbox.after == "flag":
                # the server may have flagged them before the connection dropped: only what
                # is still unseen needs it (a move, by contrast, leaves nothing here to find)
                leftover = self.unseen(client, leftover)
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

    @staticmethod
    def unseen(client: IMAPClient, uids: list[int]) -> list[int]:
        found = set(client.search(["UID", ",".join(map(str, uids)), "UNSEEN"]))
        return [uid for uid in uids if uid in found]

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
        try:
            self.move(client, uids, target)
        except IMAPClientAbortError:
            raise
        except IMAPClientError as exc:
            # RFC 3501 §7.1 TRYCREATE: the folder was deleted under us (another client did it
            # since we selected); make it again, as at select, and move once more
            if "TRYCREATE" not in str(exc).upper():
                raise
            log.warning("mailbox %s: %s was deleted; creating it again", self.name, target)
            with contextlib.suppress(IMAPClientError):  # created meanwhile by someone else
                client.create_folder(target)
            self.move(client, uids, target)

    @staticmethod
    def move(client: IMAPClient, uids: list[int], target: str) -> None:
        if client.has_capability("MOVE"):
            client.move(uids, target)  # RFC 6851
            return
        client.copy(uids, target)
        client.add_flags(uids, [DELETED], silent=True)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)  # RFC 4315: expunge only these
        else:
            client.expunge()
