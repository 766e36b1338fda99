"""`mailgate tick [--now ISO]`: one sweep and one outbox delivery pass, then exit."""

from __future__ import annotations

import argparse

from mailgate.commands.base import (
    open_config,
    open_database,
    parse_now,
    print_json,
    require_secret,
)
from mailgate.sweep import sweep


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tick", help="run the scheduled sweep once and exit")
    parser.add_argument("--now", help="the instant to run at (ISO 8601 with offset)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = open_config(args)
    require_secret(config)  # the sweep processes mail and writes notifications
    engine = open_database(config)
    report = sweep(engine, config, parse_now(args.now))
    data = {
        "processed": report.processed,
        "due": report.due,
        "sent": report.delivery.sent,
        "retrying": report.delivery.retrying,
        "failed": report.delivery.failed,
    }
    if args.json:
        print_json(data)
    else:
        print(", ".join(f"{k} {v}" for k, v in data.items()))
    return 0
