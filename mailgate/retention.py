"""Retention in the daemon and on the command line: `[retention]` applied in batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from mailgate.config import Config
from tickets.purge import PurgeReport, purge

# Tickets purged per transaction: a long first purge must not hold SQLite's one writer lock
# for long while the listener waits to store mail (25 anonymised tickets: about 0.35 s here).
BATCH = 25
SHOWN = 10  # references listed per kind; --json lists them all


def run_purge(engine: Engine, config: Config, now: datetime, *, dry_run: bool = False
              ) -> PurgeReport:
    """Purge what is due at `now`, a batch of tickets per transaction; a dry run is one
    transaction, rolled back."""
    if dry_run:
        with Session(engine) as session:
            report = purge(session, config, config.retention, now)
            session.rollback()
        return report
    total = PurgeReport()
    while True:
        with Session(engine) as session:
            report = purge(session, config, config.retention, now, limit=BATCH,
                           after_id=total.resume_after or 0)
            session.commit()
        total.add(report)
        if total.resume_after is None:
            return total


def describe(report: PurgeReport, *, dry_run: bool = False) -> list[str]:
    if report.empty:
        return ["nothing to purge"]
    verb = "would be removed" if dry_run else "removed"
    lines = ["dry run: nothing was changed"] if dry_run else []
    if report.raw_mail:
        lines.append(f"raw mail: {sum(report.raw_mail.values())} message(s) {verb}, from "
                     f"{len(report.raw_mail)} ticket(s): {_refs(report.raw_mail)}")
    if report.attachments:
        lines.append(f"attachments: {sum(report.attachments.values())} {verb}, from "
                     f"{len(report.attachments)} ticket(s): {_refs(report.attachments)}")
    if report.anonymised:
        done = "would be anonymised" if dry_run else "anonymised"
        lines.append(f"personal details: {len(report.anonymised)} ticket(s) {done}: "
                     f"{_refs(report.anonymised)}")
    if report.contacts:
        lines.append(f"contact records: {report.contacts} {verb}")
    if report.loose:
        lines.append(f"mail on no ticket (screened, quarantined, held requests that expired): "
                     f"{report.loose} {verb}")
    return lines


def _refs(references: dict[str, int] | list[str]) -> str:
    listed = list(references)
    more = f" and {len(listed) - SHOWN} more" if len(listed) > SHOWN else ""
    return ", ".join(listed[:SHOWN]) + more
