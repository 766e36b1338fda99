"""`mailgate quarantine list|retry`: mail the pipeline could not place, with the reason."""

from __future__ import annotations

import argparse

from sqlmodel import Session, select

from mailgate.clock import utcnow
from mailgate.commands.base import (
    CommandError,
    open_config,
    open_database,
    print_json,
    require_secret,
)
from mailgate.commands.ingest_cmd import EX_TEMPFAIL
from mailgate.pipeline import DEFERRED, UNAVAILABLE, process
from mailgate.views import inbound_json, table
from tickets.models import InboundMessage


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("quarantine", help="messages held with a reason")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="quarantined messages")
    listing.add_argument("--all", action="store_true", help="also screened messages")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_quarantine)
    again = actions.add_parser("retry", help="run a quarantined message through the pipeline")
    again.add_argument("id", type=int)
    again.set_defaults(handler=retry_message)


def list_quarantine(args: argparse.Namespace) -> int:
    config = open_config(args)
    states = ("quarantined", "screened") if args.all else ("quarantined",)
    with Session(open_database(config)) as session:
        rows = session.exec(
            select(InboundMessage).where(InboundMessage.state.in_(states))  # type: ignore[attr-defined]
            .order_by(InboundMessage.id)  # type: ignore[arg-type]
        ).all()
        data = [inbound_json(row, None) for row in rows]
    if args.json:
        print_json(data)
    else:
        print(table(data, ("id", "received_at", "state", "from", "reason")))
    return 0


def retry_message(args: argparse.Namespace) -> int:
    config = open_config(args)
    require_secret(config)  # the pipeline may write mail
    engine = open_database(config)
    with Session(engine) as session:
        row = session.get(InboundMessage, args.id)
        if row is None or row.state not in ("quarantined", "screened"):
            raise CommandError(f"message {args.id} is not in quarantine")
        if not row.raw or len(row.raw) != row.size:
            # a door kept only its header (IMAP: too large, or the server would not give it)
            raise CommandError(
                f"message {args.id} is not stored whole ({len(row.raw):,} of {row.size:,} bytes), "
                f"so it cannot be run again: {row.reason}"
            )
        row.state, row.reason, row.attempts = "received", "", 0
        session.commit()
    state = process(engine, config, args.id, utcnow())
    if state in (DEFERRED, UNAVAILABLE):
        print(f"message {args.id}: deferred (the database refused it; the daemon tries again)")
        return EX_TEMPFAIL
    print(f"message {args.id}: {state}")
    return 0 if state != "quarantined" else 1
