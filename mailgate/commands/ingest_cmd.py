"""`mailgate ingest [FILE…]`: pipe mode for an MTA. Exit 0 once stored, 75 if it could not."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mailgate.clock import utcnow
from mailgate.commands.base import missing_secret, open_config, open_database
from mailgate.errors import one_line
from mailgate.intake.store import StoreError, store_raw
from mailgate.pipeline import process

EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the message and tries again later
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
    # Whatever stops us storing (bad config, database down) must defer, not bounce, the mail.
    parser.set_defaults(
        handler=run, config_error_exit=EX_TEMPFAIL, database_error_exit=EX_TEMPFAIL
    )


def run(args: argparse.Namespace) -> int:
    config = open_config(args)
    engine = open_database(config)
    sources = [Path(f) for f in args.files] or [None]
    stored_ids: list[int] = []
    kept: dict[int, bytes] = {}  # id -> the bytes we stored (not a duplicate's: its own are)
    kept_bytes = 0
    for source in sources:
        name = str(source) if source else "standard input"
        try:
            raw = source.read_bytes() if source else sys.stdin.buffer.read()
        except OSError as exc:
            print(f"mailgate: cannot read {name}: {exc}", file=sys.stderr)
            return EX_TEMPFAIL
        if not raw.strip():
            print(f"mailgate: {name} is empty; nothing stored", file=sys.stderr)
            continue
        try:
            stored = store_raw(
                engine, raw, source=args.source, now=utcnow(),
                envelope_from=_envelope_sender(args.sender), envelope_to=args.recipient,
            )
        except StoreError as exc:
            print(f"mailgate: could not store {name}: {exc}", file=sys.stderr)
            return EX_TEMPFAIL
        if stored.duplicate:
            print(f"{name}: already stored as message {stored.id}", file=sys.stderr)
        elif kept_bytes + len(raw) <= KEEP_RAW_BYTES:
            kept[stored.id] = raw
            kept_bytes += len(raw)
        stored_ids.append(stored.id)
    if problem := missing_secret(config):
        # stored, so the MTA hears yes; the mail it would cause must carry signed addresses
        for inbound_id in stored_ids:
            print(f"message {inbound_id}: stored, left for the daemon: {problem}",
                  file=sys.stderr)
        return 0
    # Stored is what the MTA needs to hear; the pipeline quarantines rather than refuses.
    for inbound_id in stored_ids:
        try:
            state = process(engine, config, inbound_id, utcnow(), kept.pop(inbound_id, None))
        except Exception as exc:  # stored all the same: the daemon's worker picks it up
            state = f"left for the daemon ({one_line(exc)})"
        print(f"message {inbound_id}: {state}", file=sys.stderr)
    return 0


def _envelope_sender(given: str | None) -> str:
    """'' when the MTA did not say; '<>' for the null sender of bounces (RFC 5321 §4.5.5)."""
    if given is None:
        return ""
    return given.strip() or "<>"
