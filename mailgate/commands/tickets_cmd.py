"""`mailgate tickets list|show`: the tickets, for people and for scripts (--json)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from mailgate.commands import work
from mailgate.commands.base import (
    find_ticket,
    open_config,
    open_database,
    parse_now,
    print_json,
)
from mailgate.views import local, table, ticket_json, ticket_summary
from parsing.details import ALL_DETAILS
from tickets.desk import DeskPolicy
from tickets.models import Ticket

LIST_COLUMNS = ("reference", "status_label", "priority", "requester", "subject", "updated_at")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tickets", help="list and show tickets")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="all tickets, newest first")
    listing.add_argument("--status", help="only tickets in this status (its key)")
    listing.add_argument("--limit", type=int, default=200)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_tickets)
    show = actions.add_parser("show", help="one ticket with its messages and history")
    show.add_argument("reference")
    show.add_argument("--full", action="store_true", help="messages with their quoted history")
    show.add_argument("--json", action="store_true")
    show.add_argument("--now", help="show the SLA as at this instant (ISO 8601 with offset)")
    show.set_defaults(handler=show_ticket)
    work.register_actions(actions)


def list_tickets(args: argparse.Namespace) -> int:
    config = open_config(args)
    with Session(open_database(config)) as session:
        query = select(Ticket).order_by(Ticket.id.desc()).limit(args.limit)  # type: ignore[union-attr]
        if args.status:
            query = query.where(Ticket.status == args.status)
        rows = [ticket_summary(session, t, config) for t in session.exec(query).all()]
    if args.json:
        print_json(rows)
    else:
        print(table([{**row, "updated_at": local(config, datetime.fromisoformat(row["updated_at"]))}
                     for row in rows], LIST_COLUMNS))
    return 0


def sla_lines(sla: dict[str, Any], policy: DeskPolicy) -> list[str]:
    """The SLA for people: due times in the desk's time zone, what was met, what was missed."""

    def when(key: str) -> str:
        return local(policy, sla[key])

    def target(due: str, met: str, verb: str) -> str:
        return f"{when(due)} ({verb} {when(met)})" if sla[met] else when(due)

    used = sla["business_seconds_used"]
    clock = "running" if sla["running"] else "paused"
    return [
        f"sla        response due   {target('response_due', 'responded_at', 'answered')}",
        f"           resolution due {target('resolution_due', 'resolved_at', 'resolved')}",
        f"           business time used {used // 3600}h{used % 3600 // 60:02d}m, clock {clock}, "
        + ("BREACHED" if sla["breached"] else "within target")
        + f" (as of {when('as_of')})",
    ]


def details_lines(data: dict[str, Any]) -> list[str]:
    """Per detail, the rule that read it and its evidence; UNCONFIRMED where the evidence was
    weak (the acknowledgement asked the customer to check it)."""
    read: dict[str, str] = data["details_read"]
    order = [d for d in ALL_DETAILS if d in read]
    width = max((len(d) for d in order), default=0)
    return [
        f"{detail:<{width}}  {read[detail]}"
        + ("  UNCONFIRMED" if detail in data["unconfirmed_details"] else "")
        for detail in order
    ]


def show_ticket(args: argparse.Namespace) -> int:
    config = open_config(args)
    now = parse_now(args.now)
    with Session(open_database(config)) as session:
        ticket = find_ticket(session, args.reference)
        data = ticket_json(session, ticket, config, now, full=args.full)
    if args.json:
        print_json(data)
        return 0
    requester = data["requester"]
    print(f"{data['reference']}  {data['subject']}")
    told = data["customer_status_label"]
    print(f"  status     {data['status_label']} ({data['status']})"
          + (f"; the customer's mail says \"{told}\"" if told != data["status_label"] else ""))
    print(f"  priority   {data['priority']}")
    print(f"  requester  {requester['name']} <{requester['email']}>")
    print(f"  company    {requester['company'] or '-'}    phone {requester['phone'] or '-'}")
    if data["missing_details"]:
        print(f"  missing    {', '.join(data['missing_details'])}")
    for index, line in enumerate(details_lines(data)):
        print(f"  {'read' if index == 0 else '':<10} {line}")
    if data["related"]:
        print(f"  related    {', '.join(data['related'])}")
    for line in sla_lines(data["sla"], config):
        print(f"  {line}")
    print()
    for message in data["messages"]:
        flags = [f for f in ("internal", "automated") if message[f]]
        if not message["verified"]:
            flags.append("UNVERIFIED")
        arrow = "←" if message["direction"] == "in" else "→"
        print(f"{arrow} {message['created_at']}  {message['from']}  {' '.join(flags)}")
        why = [d for d in message["decisions"] if d.startswith(("match:", "authorize:"))]
        if why:
            print(f"    ({'; '.join(why)})")
        for line in message["body"].splitlines() or [""]:
            print(f"    {line}")
        for item in message["attachments"]:
            kept = "" if item["stored"] else f"  NOT STORED: {item['skipped_reason']}"
            print(f"    [attachment] {item['filename']} ({item['size']} bytes){kept}")
        print()
    print("history:")
    for event in data["history"]:
        print(f"  {event['at']}  {event['kind']:<10} {event['detail']}")
    return 0
