"""`mailgate ingest [FILE…]`: pipe mode for an MTA. Exit 0 once stored, 75 if it could not."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, func, select

from mailgate.batches import process_states
from mailgate.clock import utcnow
from mailgate.commands.base import missing_secret, open_config, open_database
from mailgate.errors import one_line
from mailgate.intake.store import Stored, StoreError, store_many, store_raw
from mailgate.parsers import Waiting
from mailgate.pipeline import SKIPPED, notifier_for
from notify.sender import deliver_pending, newest_id
from tickets.models import Outbox

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from mailgate.config import Config

LEFT = "left for the daemon"
EX_DATAERR = 65  # sysexits.h: a permanent refusal; the MTA bounces the message to its sender
EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the message and tries again later
# How long `ingest` spends sending the mail its messages caused before leaving it to the daemon
DELIVERY_SECONDS = 30
# Files are stored in batches, each in one transaction (one commit, one sync to disk).
STORE_BATCH = 100
STORE_BATCH_BYTES = 32 * 1024 * 1024
# The bytes of the messages just stored are handed to the pipeline rather than read back, up to
# this much in all; past it the pipeline reads them from the store as the daemon does.
KEEP_RAW_BYTES = 64 * 1024 * 1024


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest", help="store and process raw mail from files or standard input (MTA pipe)"
    )
    parser.add_argument("files", nargs="*", help="raw RFC 5322 files (default: standard input)")
    parser.add_argument("--source", default="ingest", help="recorded as the message's source")
    parser.add_argument(
        "--sender",
        default=None,
        help="envelope sender as the MTA gives it (Postfix: ${sender}); empty means a bounce",
    )
    parser.add_argument("--recipient", action="append", default=[], help="envelope recipient")
    parser.add_argument(
        "--no-send", action="store_true",
        help="leave the mail the messages cause (acknowledgements…) to the daemon to send",
    )
    # Whatever stops us storing (bad config, database down) must defer, not bounce, the mail.
    parser.set_defaults(
        handler=run, config_error_exit=EX_TEMPFAIL, database_error_exit=EX_TEMPFAIL
    )


def run(args: argparse.Namespace) -> int:
    config = open_config(args)
    engine = open_database(config)
    sources = [Path(f) for f in args.files] or [None]
    stored_ids: list[int] = []
    kept = _Kept()
    batch: list[_Read] = []
    refused = False
    limit = config.intake.max_message_bytes
    for source in sources:
        name = str(source) if source else "standard input"
        try:
            raw = _read_at_most(source, limit)
        except OSError as exc:
            if not _store(engine, args, batch, stored_ids, kept):
                return EX_TEMPFAIL
            print(f"mailgate: cannot read {name}: {exc}", file=sys.stderr)
            return EX_TEMPFAIL
        if raw is None:  # like the SMTP door's 552: the sender hears no, nothing is kept
            print(f"mailgate: {name} is larger than [intake] max_message_bytes ({limit:,} "
                  "bytes); refused", file=sys.stderr)
            refused = True
            continue
        batch.append(_Read(name, raw if raw.strip() else None, utcnow()))
        full = len(batch) >= STORE_BATCH or sum(
            len(r.raw) for r in batch if r.raw) >= STORE_BATCH_BYTES
        if full and not _store(engine, args, batch, stored_ids, kept):
            return EX_TEMPFAIL
    if not _store(engine, args, batch, stored_ids, kept):
        return EX_TEMPFAIL
    if not stored_ids:
        return EX_DATAERR if refused else 0
    done = _process(engine, config, args, stored_ids, kept)
    return EX_DATAERR if refused else done


def _read_at_most(source: Path | None, limit: int) -> bytes | None:
    """The message, or None when it is larger than `limit`, read no further than that: a 1 GB
    mail costs no memory. Standard input is drained, so the MTA's write to us does not fail."""
    if source is None:
        raw = sys.stdin.buffer.read(limit + 1)
        if len(raw) <= limit:
            return raw
        while sys.stdin.buffer.read(1024 * 1024):
            pass
        return None
    with source.open("rb") as stream:
        raw = stream.read(limit + 1)
    return raw if len(raw) <= limit else None


def _process(
    engine: Engine, config: Config, args: argparse.Namespace, stored_ids: list[int], kept: _Kept
) -> int:
    if problem := missing_secret(config):
        # stored, so the MTA hears yes; the mail it would cause must carry signed addresses
        for inbound_id in stored_ids:
            print(f"message {inbound_id}: stored, left for the daemon: {problem}",
                  file=sys.stderr)
        return 0
    # Stored is what the MTA needs to hear; the pipeline quarantines rather than refuses.
    before = newest_id(engine)
    unique = list(dict.fromkeys(stored_ids))  # a file given twice is processed once
    waiting = [Waiting(inbound_id, kept.pop(inbound_id), kept.sizes.get(inbound_id, 0))
               for inbound_id in unique]
    try:
        states = process_states(engine, config, waiting, utcnow())
    except Exception as exc:  # stored all the same: the daemon's worker picks them up
        states = {item.id: f"{LEFT} ({one_line(exc)})" for item in waiting}
    told: set[int] = set()
    for inbound_id in stored_ids:
        # the same file again: skipped; not in `states`: the database could not take an
        # earlier one now, so it waits, stored, for the daemon
        state = SKIPPED if inbound_id in told else states.get(inbound_id, LEFT)
        told.add(inbound_id)
        print(f"message {inbound_id}: {state}", file=sys.stderr)
    if not args.no_send:
        _deliver_what_it_caused(engine, config, before)
    return 0


def _deliver_what_it_caused(engine: Engine, config: Config, after_id: int) -> None:
    """Pipe mode answers customers with no daemon running: send the mail these messages
    caused, for at most DELIVERY_SECONDS; what fails or is left stays in the outbox, and the
    daemon's (or `tick`'s) delivery retries it with its backoff."""
    deadline = time.monotonic() + DELIVERY_SECONDS
    sent = left = 0
    try:
        while time.monotonic() < deadline:
            # a few at a time: the deadline is checked often, and a process the MTA kills
            # mid-send leaves few rows 'sending'
            report = deliver_pending(engine, config.smtp_out, config.desk.address, utcnow(),
                                     limit=5, after_id=after_id, notifier=notifier_for(config))
            sent += report.sent
            if report.sent == 0:  # nothing due now, or the server refuses us: stop trying
                break
        left = _still_pending(engine, after_id)
    except Exception as exc:  # stored and processed all the same: the daemon sends it
        print(f"mailgate: outgoing mail left for the daemon: {one_line(exc)}", file=sys.stderr)
        return
    if sent or left:
        print(f"sent {sent} mail(s)" + (f"; {left} left for the daemon to send" if left else ""),
              file=sys.stderr)


def _still_pending(engine: Engine, after_id: int) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Outbox).where(
            Outbox.id > after_id, Outbox.state == "pending")).one())


class _Kept:
    """The bytes of the messages we stored (not a duplicate's: its own are), by id, up to
    KEEP_RAW_BYTES in all, and the sizes of all."""

    def __init__(self) -> None:
        self.raws: dict[int, bytes] = {}
        self.sizes: dict[int, int] = {}
        self.size = 0

    def add(self, inbound_id: int, raw: bytes) -> None:
        self.sizes[inbound_id] = len(raw)
        if self.size + len(raw) <= KEEP_RAW_BYTES:
            self.raws[inbound_id] = raw
            self.size += len(raw)

    def pop(self, inbound_id: int) -> bytes | None:
        return self.raws.pop(inbound_id, None)


@dataclass(frozen=True, slots=True)
class _Read:
    name: str
    raw: bytes | None  # None: the file was empty
    at: datetime


def _store(
    engine: Engine, args: argparse.Namespace, batch: list[_Read], stored_ids: list[int],
    kept: _Kept,
) -> bool:
    """Store the files read so far, in one transaction when there are several (the MTA hears
    nothing before all are stored); False, having said why, if one could not be stored (those
    before it are)."""
    mails = [r.raw for r in batch if r.raw is not None]
    sender = _envelope_sender(args.sender)
    batched: list[Stored] = []
    if len(mails) > 1:
        try:
            batched = store_many(
                engine, mails, source=args.source, now=batch[0].at,
                envelope_from=sender, envelope_to=args.recipient,
                received=[r.at for r in batch if r.raw is not None],
            )
        except StoreError:
            batched = []  # one at a time below: those before are stored, the failing one named
    results = iter(batched)
    for read in batch:
        if read.raw is None:
            print(f"mailgate: {read.name} is empty; nothing stored", file=sys.stderr)
            continue
        stored = next(results, None)
        if stored is None:
            try:
                stored = store_raw(
                    engine, read.raw, source=args.source, now=read.at,
                    envelope_from=sender, envelope_to=args.recipient,
                )
            except StoreError as exc:
                print(f"mailgate: could not store {read.name}: {exc}", file=sys.stderr)
                batch.clear()
                return False
        if stored.duplicate:
            print(f"{read.name}: already stored as message {stored.id}", file=sys.stderr)
        else:
            kept.add(stored.id, read.raw)
        stored_ids.append(stored.id)
    batch.clear()
    return True


def _envelope_sender(given: str | None) -> str:
    """'' when the MTA did not say; '<>' for the null sender of bounces (RFC 5321 §4.5.5)."""
    if given is None:
        return ""
    return given.strip() or "<>"
