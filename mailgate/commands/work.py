"""`mailgate tickets queue` and `mailgate tickets update`: a technician's work at a terminal.

`update` runs the technicians' mail commands (`tickets.commands.run_command`), so the same rules
(SLA clock, reminders, history, refusals) and the same notifications apply.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from sqlmodel import Session, col, select

from mailgate.commands.base import (
    CommandError,
    find_ticket,
    open_config,
    open_database,
    parse_now,
    print_json,
    require_secret,
)
from mailgate.config import Config
from mailgate.pipeline import notifier_for
from mailgate.sweep import deliver_all
from mailgate.views import iso, local, requester_json, sla_snapshot, status_label, table
from notify.outbox import enqueue
from tickets import lifecycle
from tickets.commands import CommandContext, run_command
from tickets.events import Event
from tickets.models import Ticket

QUEUE_COLUMNS = (
    "reference", "priority", "status_label", "assignee", "response_due", "resolution_due",
    "sla", "subject",
)


def register_actions(actions: argparse._SubParsersAction) -> None:
    queue = actions.add_parser("queue", help="open work: most urgent first, then oldest first")
    queue.add_argument("--json", action="store_true")
    queue.add_argument("--now", help="show the SLA as at this instant (ISO 8601 with offset)")
    queue.set_defaults(handler=show_queue)
    update = actions.add_parser("update", help="change a ticket as a technician")
    update.add_argument("reference")
    update.add_argument("--status", help="a status key or label, any case")
    update.add_argument("--priority", help="a priority key or label, any case")
    update.add_argument("--assign", metavar="ADDRESS", help="a member of staff; 'none' unassigns")
    update.add_argument("--due", metavar="DATE", help="a future date to wait for: "
                        "2026-11-30[T14:00]; the ticket waits for it, as with #due")
    update.add_argument("--note", help="an internal note (never sent to the requester)")
    update.add_argument("--as", dest="actor", default="cli", help="who is making the change")
    update.add_argument("--now", help="the instant of the change (ISO 8601 with offset)")
    update.add_argument("--json", action="store_true")
    update.set_defaults(handler=update_ticket)


def queue_rows(session: Session, config: Config, now: datetime) -> list[dict[str, object]]:
    open_keys = [s.key for s in config.statuses if s.category not in ("resolved", "closed")]
    tickets = session.exec(select(Ticket).where(col(Ticket.status).in_(open_keys))).all()

    def rank(ticket: Ticket) -> int:
        try:
            return config.priority_rank(ticket.priority)
        except KeyError:
            return -1

    tickets = sorted(tickets, key=lambda t: (-rank(t), t.created_at, t.id or 0))
    rows: list[dict[str, object]] = []
    for ticket in tickets:
        snapshot = sla_snapshot(session, ticket, config, now)
        rows.append({
            "reference": ticket.reference,
            "priority": ticket.priority,
            "status": ticket.status,
            "status_label": status_label(config, ticket.status),
            "assignee": ticket.assignee,
            "requester": requester_json(session, ticket),
            "subject": ticket.subject,
            "created_at": iso(ticket.created_at),
            "response_due": iso(snapshot.response_due) if ticket.responded_at is None else None,
            "resolution_due": iso(snapshot.resolution_due),
            "breached": snapshot.breached,
        })
    return rows


def show_queue(args: argparse.Namespace) -> int:
    config = open_config(args)
    now = parse_now(args.now)
    with Session(open_database(config)) as session:
        rows = queue_rows(session, config, now)
    if args.json:
        print_json(rows)
        return 0
    print(table([{**row, "response_due": local(config, row["response_due"]),
                  "resolution_due": local(config, row["resolution_due"]),
                  "sla": "BREACHED" if row["breached"] else ""} for row in rows],
                QUEUE_COLUMNS))
    return 0


# The options in the order they apply, each the technicians' mail command of the same name
# (`tickets.commands`), so both doors keep one set of rules.
UPDATE_COMMANDS = ("priority", "assign", "due", "status")


def update_ticket(args: argparse.Namespace) -> int:
    if not any((args.status, args.priority, args.assign, args.due, args.note)):
        raise CommandError("nothing to change: give --status, --priority, --assign, --due or "
                           "--note", 64)
    config = open_config(args)
    require_secret(config)  # the change may mail the requester or the assignee
    now = parse_now(args.now)
    engine = open_database(config)
    with Session(engine) as session:
        ticket = find_ticket(session, args.reference)
        context = CommandContext(session, config, ticket, now, args.actor)
        events: list[Event] = []
        for name in UPDATE_COMMANDS:
            value = getattr(args, name)
            if not value:
                continue
            outcome = run_command(context, name, value, f"--{name} {value}")
            if not outcome.accepted:  # nothing is committed: all the changes or none
                raise CommandError(f"--{name}: {outcome.detail}", 64)
            events += outcome.events
        if args.note:
            lifecycle.add_note(session, config, ticket, args.note, now, actor=args.actor)
        enqueue(session, notifier_for(config), events, now)
        session.commit()
        result = {
            "reference": ticket.reference,
            "status": ticket.status,
            "status_label": status_label(config, ticket.status),
            "priority": ticket.priority,
            "assignee": ticket.assignee,
            "due_date": iso(ticket.due_date),
            "next_action": ticket.next_action,
            "next_action_at": iso(ticket.next_action_at),
        }
    deliver_all(engine, config, now)
    if args.json:
        print_json(result)
    else:
        print(f"{result['reference']}: {result['status_label']}, priority {result['priority']}, "
              f"assignee {result['assignee'] or '-'}")
        # whether the ticket comes back by itself (a site visit needs its company's rota day)
        upcoming = result["next_action_at"]
        print(f"  next: {result['next_action']} at {local(config, upcoming)}" if upcoming
              else "  next: nothing scheduled")
    return 0
