"""`mailgate purge [--dry-run] [--now ISO]`: apply `[retention]` now (`serve` runs it daily)."""

from __future__ import annotations

import argparse

from mailgate.commands.base import open_config, open_database, parse_now, print_json
from mailgate.retention import describe, run_purge


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "purge", help="remove raw mail, attachments and personal details of closed tickets "
        "that [retention] no longer allows to keep",
        description=(
            "Remove what [retention] no longer allows the desk to keep: raw mail, copies of\n"
            "sent mail and attachments raw_mail_days after a ticket was closed; personal\n"
            "details personal_details_days after (the ticket is kept, anonymised); learned\n"
            "contacts no ticket names any more; mail on no ticket (screened, quarantined,\n"
            "expired held requests). Prints counts per kind with the tickets' references;\n"
            "a second run finds nothing more. `serve` runs it at start and once a day."
        ),
    )
    parser.add_argument("--dry-run", action="store_true",
                        help="say what would be removed; change nothing")
    parser.add_argument("--now", help="purge as at this instant (ISO 8601 with offset)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = open_config(args)
    report = run_purge(open_database(config), config, parse_now(args.now), dry_run=args.dry_run)
    if args.json:
        print_json({
            "dry_run": args.dry_run,
            "raw_mail": report.raw_mail,
            "attachments": report.attachments,
            "anonymised": report.anonymised,
            "contacts": report.contacts,
            "mail_on_no_ticket": report.loose,
        })
        return 0
    if not config.retention.enabled:
        print("no [retention] periods are set: everything is kept")
        return 0
    print("\n".join(describe(report, dry_run=args.dry_run)))
    return 0
