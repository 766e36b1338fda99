"""`mailgate outbox list|retry`: what we send, and what could not be sent."""

from __future__ import annotations

import argparse
import sys

from sqlmodel import Session, select

from mailgate.clock import utcnow
from mailgate.commands.base import CommandError, open_config, open_database, print_json
from mailgate.pipeline import SUPPRESSED
from mailgate.views import outbox_json, table
from notify.sender import retry
from tickets.models import Outbox, Ticket


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("outbox", help="outgoing mail and its delivery state")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="outgoing mail, newest first")
    listing.add_argument("--state", choices=("pending", "sending", "sent", "failed", "suppressed"))
    listing.add_argument("--limit", type=int, default=200)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_outbox)
    show = actions.add_parser("show", help="one outgoing mail whole: its state, then the "
                              "message as it is (or was) sent, headers and body")
    show.add_argument("id", type=int)
    show.set_defaults(handler=show_outbox)
    again = actions.add_parser("retry", help="send a failed mail again")
    again.add_argument("id", type=int)
    again.set_defaults(handler=retry_outbox)


def list_outbox(args: argparse.Namespace) -> int:
    config = open_config(args)
    with Session(open_database(config)) as session:
        query = (
            select(Outbox, Ticket.reference)
            .join(Ticket, Ticket.id == Outbox.ticket_id, isouter=True)  # type: ignore[arg-type]
            .order_by(Outbox.id.desc())  # type: ignore[union-attr]
            .limit(args.limit)
        )
        if args.state:
            query = query.where(Outbox.state == args.state)
        rows = [outbox_json(row, reference) for row, reference in session.exec(query).all()]
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ("id", "kind", "to", "ticket", "state", "subject", "last_error")))
    return 0


def show_outbox(args: argparse.Namespace) -> int:
    config = open_config(args)
    with Session(open_database(config)) as session:
        row = session.get(Outbox, args.id)
        if row is None:
            raise CommandError(f"outbox row {args.id} does not exist")
        reference = session.get(Ticket, row.ticket_id).reference if row.ticket_id else None  # type: ignore[union-attr]
        about = outbox_json(row, reference)
        raw = row.raw
    for key in ("id", "kind", "ticket", "state", "attempts", "last_error", "created_at",
                "sent_at"):
        if about[key] not in (None, ""):
            print(f"{key + ':':<12}{about[key]}")
    print(f"{'to:':<12}{', '.join(about['to'])}")
    print()
    if not raw:  # purged under [retention], or erased on request: the history says which
        print("(the mail itself is no longer kept)")
    sys.stdout.write(raw.decode("utf-8", "replace").replace("\r\n", "\n"))
    return 0


def retry_outbox(args: argparse.Namespace) -> int:
    config = open_config(args)
    engine = open_database(config)
    if retry(engine, args.id, utcnow()):
        print(f"outbox row {args.id} will be sent on the next delivery pass")
        return 0
    with Session(engine) as session:
        row = session.get(Outbox, args.id)
        if row is None:
            raise CommandError(f"outbox row {args.id} does not exist")
        state, sent_at = row.state, row.sent_at
    if state == "pending":
        print(f"outbox row {args.id} is already waiting to be sent: nothing to retry")
        return 0
    if state == "sending":
        raise CommandError(f"outbox row {args.id} is being sent right now")
    if state == SUPPRESSED:
        raise CommandError(f"outbox row {args.id} was written by `mailgate import` for mail "
                           "from the past and is kept unsent: nothing to retry")
    raise CommandError(f"outbox row {args.id} was sent at {sent_at:%Y-%m-%d %H:%M} UTC: nothing "
                       "to retry")
