"""`mailgate db upgrade`: create or migrate the schema (Alembic)."""

from __future__ import annotations

import argparse

from mailgate.commands.base import open_config, open_database
from mailgate.db import current_and_head, upgrade


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("db", help="database schema")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("upgrade", help="apply pending migrations").set_defaults(handler=run_upgrade)
    actions.add_parser("status", help="schema revision").set_defaults(handler=run_status)


def run_upgrade(args: argparse.Namespace) -> int:
    engine = open_database(open_config(args), check_schema=False)
    before, head = current_and_head(engine)
    upgrade(engine)
    print(f"database at revision {head}" + ("" if before != head else " (already current)"))
    return 0


def run_status(args: argparse.Namespace) -> int:
    current, head = current_and_head(open_database(open_config(args), check_schema=False))
    print(f"current {current or '(empty)'}, latest {head}")
    return 0 if current == head else 1
