"""`mailgate status`: is every mailbox being read, and is anything stuck in a queue?"""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from mailgate.commands.base import open_config, open_database, print_json
from mailgate.config import Config
from mailgate.views import iso, table
from tickets.models import InboundMessage, MailboxState, Outbox

FAILING = ("auth_failed", "tls_failed", "bad_folder", "unreachable", "error")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status", help="mailbox health and queue counts (exit 1 when a mailbox is failing)"
    )
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=run)


def _counts(session: Session, column: Any, states: tuple[str, ...]) -> dict[str, int]:
    found = dict(
        session.exec(
            select(column, func.count()).where(column.in_(states)).group_by(column)
        ).all()
    )
    return {state: int(found.get(state, 0)) for state in states}


def status_json(session: Session, config: Config) -> dict[str, Any]:
    mailboxes = []
    for mailbox in config.imap:
        state = session.get(MailboxState, mailbox.name)
        mailboxes.append({
            "name": mailbox.name,
            "host": mailbox.host,
            "folder": mailbox.folder,
            "status": state.status if state else "new",
            "failing": bool(state and state.status in FAILING),
            "last_error": state.last_error if state and state.status in FAILING else "",
            "failing_since": iso(state.failing_since) if state else None,
            "last_ok_at": iso(state.last_ok_at) if state else None,
            "alert_sent_at": iso(state.alert_sent_at) if state else None,
            "uidvalidity": state.uidvalidity if state else None,
            "last_uid": state.last_uid if state else 0,
        })
    return {
        "mailboxes": mailboxes,
        "queues": {
            "inbound": _counts(
                session, InboundMessage.state, ("received", "held", "quarantined")
            ),
            "outbox": _counts(session, Outbox.state, ("pending", "sending", "failed")),
        },
    }


def run(args: argparse.Namespace) -> int:
    config = open_config(args)
    with Session(open_database(config)) as session:
        data = status_json(session, config)
    failing = [m for m in data["mailboxes"] if m["failing"]]
    if args.json:
        print_json(data)
        return 1 if failing else 0
    print("mailboxes")
    if data["mailboxes"]:
        print(table(data["mailboxes"],
                    ("name", "status", "last_ok_at", "failing_since", "last_uid")))
    else:
        print("(no [[imap]] mailboxes configured)")
    for mailbox in failing:
        print(f"\n{mailbox['name']} FAILING since {mailbox['failing_since']}:\n"
              f"  {mailbox['last_error']}")
    inbound, outbox = data["queues"]["inbound"], data["queues"]["outbox"]
    print("\nqueues")
    print(f"  inbound  received {inbound['received']}, held for details {inbound['held']}, "
          f"quarantined {inbound['quarantined']}")
    print(f"  outbox   pending {outbox['pending']}, sending {outbox['sending']}, "
          f"failed {outbox['failed']}")
    return 1 if failing else 0
