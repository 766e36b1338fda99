"""`mailgate import PATH`: load an old mbox file or Maildir folder (see mailgate.backfill)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from tqdm import tqdm

from mailgate.backfill import Backfill, OldMail, Summary, source_for
from mailgate.clock import utcnow
from mailgate.commands.base import (
    CommandError,
    open_config,
    open_database,
    print_json,
    require_secret,
)
from mailgate.intake.store import StoreError
from mailgate.mailboxes import Entry, NotAMailbox, OldMailbox, Unreadable
from mailgate.sweep import deliver_all

EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_UNAVAILABLE, EX_TEMPFAIL = 64, 65, 66, 69, 75
BATCH = 200  # messages stored and processed together (a batch is what Ctrl-C waits for)
BATCH_BYTES = 32 * 1024 * 1024


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="load an old mbox file or Maildir folder: tickets and threads in Date order, "
             "as if the mail had arrived then; sends no mail unless --notify",
    )
    parser.add_argument("path", metavar="PATH", help="an mbox file or a Maildir folder")
    parser.add_argument(
        "--notify", action="store_true",
        help="send the mail the messages cause on arrival (acknowledgements, requests for "
             "details); never the reminders and SLA mail of times past",
    )
    parser.add_argument("--batch", type=int, default=BATCH, metavar="N",
                        help=f"messages stored and processed together (default {BATCH})")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(handler=run)


@dataclass
class _Progress:
    total: int = 0
    done: int = 0
    up_to: datetime | None = None
    times: Counter[str] = field(default_factory=Counter)  # where each message's time came from
    first: datetime | None = None
    last: datetime | None = None


def run(args: argparse.Namespace) -> int:
    if args.batch < 1:
        raise CommandError("--batch must be at least 1", EX_USAGE)
    config = open_config(args)
    require_secret(config)  # the imported tickets' mail (sent or not) carries signed addresses
    engine = open_database(config)
    path = Path(args.path)
    try:
        box = OldMailbox(path)
    except Unreadable as exc:
        raise CommandError(str(exc), EX_NOINPUT) from None
    except NotAMailbox as exc:
        raise CommandError(str(exc), EX_DATAERR) from None
    backfill = Backfill(engine, config, source_for(str(path.resolve())), notify=args.notify)
    progress = _Progress(total=len(box.keys))
    if sys.stderr.isatty() and not args.verbose:
        # the progress bar says it; a line per message would scroll it away (-v keeps them)
        logging.getLogger("mailgate.pipeline").setLevel(logging.WARNING)
    with _stop_on_interrupt() as stop:
        try:
            finished = _feed(box, backfill, progress, args.batch, stop)
        except StoreError as exc:
            raise CommandError(f"the database cannot store the mail: {exc}; run the same "
                               "command again to go on", EX_UNAVAILABLE) from None
        finally:
            box.close()
            # What was imported is brought up to now, quietly, even when stopped: a daemon
            # started before the next run must find nothing of it overdue.
            backfill.catch_up(utcnow())
    sent = deliver_all(engine, config, utcnow()).sent if args.notify else 0
    _report(args, box, backfill.summary, progress, sent)
    if not finished:
        print(f"mailgate: interrupted after {progress.done} of {progress.total} messages"
              + (f" (up to {progress.up_to:%Y-%m-%d %H:%M} UTC)" if progress.up_to else "")
              + f"; run `mailgate import {args.path}` again to go on: what is stored is "
              "skipped", file=sys.stderr)
        return EX_TEMPFAIL
    return 0


def _feed(box: OldMailbox, backfill: Backfill, progress: _Progress, size: int,
          stop: dict[str, bool]) -> bool:
    """Read the times, sort, import batch by batch; False when stopped by Ctrl-C."""
    quiet = not sys.stderr.isatty()  # the bars are for a person at a terminal
    entries: list[Entry] = []
    for entry in tqdm(box.entries(utcnow()), total=progress.total, desc="reading dates",
                      unit="mail", file=sys.stderr, disable=quiet, leave=False):
        if stop["requested"]:
            return False
        entries.append(entry)
        progress.times[entry.taken_from] += 1
    entries.sort(key=lambda e: (e.at, e.position))
    if entries:
        progress.first, progress.last = entries[0].at, entries[-1].at
    with tqdm(total=progress.total, desc="importing", unit="mail", file=sys.stderr,
              disable=quiet) as bar:
        for batch in _batches(box, backfill, entries, size):
            if stop["requested"]:
                return False
            backfill.run_batch([mail for _, mail in batch])
            progress.done += len(batch)
            progress.up_to = batch[-1][0].at
            bar.update(len(batch))
    return True


def _batches(box: OldMailbox, backfill: Backfill, entries: list[Entry],
             size: int) -> Iterator[list[tuple[Entry, OldMail]]]:
    """Consecutive entries with their bytes, at most `size` messages or BATCH_BYTES a batch;
    a message that cannot be read is counted and left out."""
    batch: list[tuple[Entry, OldMail]] = []
    total = 0
    for entry in entries:
        name = box.name_of(entry.key) if box.kind == "maildir" else ""
        try:
            raw = box.raw(entry.key)
        except OSError as exc:
            backfill.summary.unreadable.append(
                f"{name or box.name_of(entry.key)}: {exc.strerror or exc}")
            continue
        batch.append((entry, OldMail(name or f"message {entry.position + 1}", raw, entry.at)))
        total += len(raw)
        if len(batch) >= size or total >= BATCH_BYTES:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch


@contextmanager
def _stop_on_interrupt() -> Iterator[dict[str, bool]]:
    """The first Ctrl-C asks for a stop after the batch in hand; a second one stops at once."""
    stop = {"requested": False}

    def request(signum: int, frame: FrameType | None) -> None:
        stop["requested"] = True
        print("\nmailgate: stopping after this batch (Ctrl-C again to stop at once)",
              file=sys.stderr)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    try:
        previous: Any = signal.signal(signal.SIGINT, request)
    except ValueError:  # not the main thread (run from a test's thread): Ctrl-C as usual
        yield stop
        return
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _report(args: argparse.Namespace, box: OldMailbox, summary: Summary,
            progress: _Progress, sent: int) -> None:
    data = {
        "path": str(args.path),
        "kind": box.kind,
        "messages": progress.total,
        "imported_up_to": progress.up_to.isoformat() if progress.up_to else None,
        "tickets_created": summary.created,
        "follow_ups": summary.follow_ups,
        "held_for_details": summary.held,
        "screened": summary.screened,
        "copies_on_a_ticket": summary.copies,
        "already_imported": summary.already_stored,
        "repeated_in_mailbox": summary.repeated,
        "quarantined": dict(summary.quarantined.most_common()),
        "not_readable": summary.unreadable,
        "left_for_next_run": summary.left,
        "times_from": dict(progress.times),
        "mail_sent": sent,
    }
    if args.json:
        print_json(data)
        return
    span = (f", {progress.first:%Y-%m-%d} to {progress.last:%Y-%m-%d}"
            if progress.first and progress.last else "")
    lines = [
        f"{args.path}: {box.kind}, {progress.total} message(s){span}",
        f"  tickets created       {summary.created}",
        f"  follow-ups threaded   {summary.follow_ups}",
        f"  held for details      {summary.held}",
        f"  screened              {summary.screened}  (auto-replies, bounces: kept, no ticket)",
        f"  copies on a ticket    {summary.copies}",
        f"  duplicates skipped    {summary.already_stored + summary.repeated}  (already "
        f"imported {summary.already_stored}, repeated in the mailbox {summary.repeated})",
        f"  quarantined           {sum(summary.quarantined.values())}",
        *(f"    {count:4}  {reason}" for reason, count in summary.quarantined.most_common()),
    ]
    if summary.unreadable:
        lines.append(f"  not readable          {len(summary.unreadable)}")
        lines += [f"          {what}" for what in summary.unreadable]
    if summary.left:
        lines.append(f"  left for the next run {summary.left}  (the database deferred them)")
    lines.append("  times from            " + ", ".join(
        f"{source} {count}" for source, count in progress.times.most_common()))
    lines.append(f"  mail sent             {sent}" if args.notify else
                 "  mail sent             none (--notify sends what arrival causes)")
    print("\n".join(lines))
