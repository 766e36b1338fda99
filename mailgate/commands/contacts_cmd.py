"""`mailgate contacts import FILE.csv | list`: the contact directory."""

from __future__ import annotations

import argparse
import csv
from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session

from mailgate.clock import utcnow
from mailgate.commands.base import CommandError, open_config, open_database, print_json
from mailgate.views import table
from tickets.contacts import csv_columns, directory, import_contacts


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("contacts", help="the contact directory")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    load = actions.add_parser(
        "import", help="add or update contacts from a CSV file (email, name, company, phone, site)"
    )
    load.add_argument("file", help="CSV with a header line; UTF-8 (Excel's BOM is fine)")
    load.add_argument("--json", action="store_true")
    load.set_defaults(handler=import_file)
    listing = actions.add_parser("list", help="every contact, imported and learned")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_contacts)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}", 66) from None
    with handle:
        try:
            sample = handle.read(4096)
            handle.seek(0)
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
        except csv.Error:
            dialect = csv.excel
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text; save it as CSV UTF-8", 65) from None
        reader = csv.reader(handle, dialect)
        try:
            header = next(reader, [])
            columns = csv_columns(header)
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}", 65) from None
        try:
            for values in reader:
                if not any(v.strip() for v in values):
                    continue
                row = {c: v for c, v in zip(columns, values, strict=False) if c}
                yield reader.line_num, row
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CommandError(f"{path} line {reader.line_num}: {exc}", 65) from None


def import_file(args: argparse.Namespace) -> int:
    config = open_config(args)
    with Session(open_database(config)) as session:
        report = import_contacts(
            session, _rows(Path(args.file)), utcnow(), config.intake.phone_region
        )
        session.commit()
    if args.json:
        print_json(
            {"created": report.created, "updated": report.updated, "problems": report.problems}
        )
    else:
        print(f"{report.created} contacts added, {report.updated} updated")
        for problem in report.problems:
            print(f"  {problem}")
    return 0


def list_contacts(args: argparse.Namespace) -> int:
    config = open_config(args)
    with Session(open_database(config)) as session:
        rows = directory(session)
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ("email", "name", "company", "phone", "site", "source")))
    return 0
