"""`mailgate pending list`: requests held until their sender supplies the missing details."""

from __future__ import annotations

import argparse
from typing import Any

from sqlmodel import Session

from mailgate.commands.base import open_config, open_database, print_json
from mailgate.views import iso, table
from tickets.models import PendingRequest, Ticket
from tickets.pending import listing


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("pending", help="requests waiting for missing details")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser("list", help="held requests, oldest first")
    show.add_argument("--state", choices=("waiting", "completed", "expired"))
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=list_pending)


def pending_json(session: Session, row: PendingRequest) -> dict[str, Any]:
    ticket = session.get(Ticket, row.ticket_id) if row.ticket_id else None
    return {
        "id": row.id,
        "state": row.state,
        "email": row.email,
        "subject": row.subject,
        "missing": list(row.missing),
        "supplied": dict(row.supplied),
        "created_at": iso(row.created_at),
        "expires_at": iso(row.expires_at),
        "inbound_id": row.inbound_id,
        "info_request_message_id": row.message_id,
        "ticket": ticket.reference if ticket else None,
    }


def list_pending(args: argparse.Namespace) -> int:
    config = open_config(args)
    with Session(open_database(config)) as session:
        rows = [pending_json(session, r) for r in listing(session, args.state)]
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ("id", "state", "email", "missing", "expires_at", "ticket", "subject")))
    return 0
