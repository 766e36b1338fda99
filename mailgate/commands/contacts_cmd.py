"""`mailgate contacts import FILE.csv | list | forget ADDRESS | export ADDRESS`: the contact
directory, and a person's rights to erasure and access (GDPR articles 17 and 15)."""

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
from tickets.erasure import ForgetReport, forget
from tickets.export import export
from tickets.policy import bare_address
from tickets.scrub import is_anonymised


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "contacts", help="the contact directory; a person's data erased or exported (GDPR)"
    )
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
    erase = actions.add_parser(
        "forget", help="erase a person (GDPR article 17): their tickets kept, anonymised",
        description="Erase everything that identifies ADDRESS: every ticket they requested is "
        "kept but anonymised (name, address, phone, company as read, their message bodies, "
        "raw mail and attachments); on other tickets their address and their messages go; "
        "their held requests and mail still queued to them are dropped; their contact record "
        "is deleted. Each ticket's history says what was erased, not whose. Prints what was "
        "done; a second run says nothing is left.",
    )
    erase.add_argument("address", help="the person's email address")
    erase.add_argument("--json", action="store_true")
    erase.set_defaults(handler=forget_person)
    access = actions.add_parser(
        "export", help="everything held about a person, as JSON (GDPR article 15)",
        description="Print as JSON everything held about ADDRESS: the contact record, the "
        "tickets they requested, were copied on or wrote on, with messages and bodies, the "
        "details read from their mail and the history, requests held for details, mail sent "
        "to them with its text, and the record of mail received from them. Internal notes "
        "are included and marked: review before handing it over.",
    )
    access.add_argument("address", help="the person's email address")
    access.set_defaults(handler=export_person)


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


def _address(value: str) -> str:
    try:
        address = bare_address(value.strip())
    except ValueError as exc:
        raise CommandError(str(exc), 64) from None
    if is_anonymised(address):
        raise CommandError(f"{address} stands for the requesters of anonymised tickets; it is "
                           "no person's address", 64)
    return address


def forget_person(args: argparse.Namespace) -> int:
    config = open_config(args)
    address = _address(args.address)
    with Session(open_database(config)) as session:
        report = forget(session, config, address, utcnow())
        session.commit()
    if args.json:
        print_json({"address": address, **report.__dict__})
    else:
        print("\n".join(_forgotten(address, report)))
    return 0


def _forgotten(address: str, report: ForgetReport) -> list[str]:
    if report.empty:
        return [f"nothing is held about {address}: nothing to erase"]
    lines = [f"erased {address}:"]
    if report.requested:
        lines.append(f"  tickets they requested, anonymised: {', '.join(report.requested)}")
    if report.took_part:
        lines.append(f"  other tickets they were removed from: {', '.join(report.took_part)}")
    counts = (
        (report.bodies, "message(s) of theirs emptied"),
        (report.raw_mail, "raw mail(s) and copies of sent mail removed"),
        (report.attachments, "attachment(s) removed"),
        (report.other_mail, "stored mail(s) on no ticket removed"),
        (report.pending_dropped, "held request(s) dropped"),
        (report.queued_dropped, "queued mail(s) to them dropped"),
    )
    lines += [f"  {count} {what}" for count, what in counts if count]
    if report.contact_deleted:
        lines.append("  contact record deleted")
    return lines


def export_person(args: argparse.Namespace) -> int:
    config = open_config(args)
    address = _address(args.address)
    with Session(open_database(config)) as session:
        data = export(session, address, utcnow())
    print_json(data)
    return 0
