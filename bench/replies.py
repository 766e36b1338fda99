"""Reply matching: customer replies through the whole pipeline, matched by each kind of evidence.

    .venv/bin/python -m bench.replies [--tickets 2000] [--postgres]

Opens N tickets, then sends one reply per ticket — a third by signed Reply-To address, a third
by In-Reply-To only (Outlook, retyped subject), a third by the subject tag under `AW:` — and
prints replies per second per kind, checking every reply landed on its own ticket. Also times
the pure parts (prefix stripping, signature check).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email import message_from_bytes
from email.utils import getaddresses
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from bench.ingest import drop_database, fresh_database, write_config
from bench.report import Figure
from mailgate.config import Config
from tests.mail import mail

WAYS = ("signed", "in-reply-to", "tag")


@dataclass(frozen=True, slots=True)
class Replies:
    kind: str
    tickets: int
    opened: float  # tickets opened per second
    timings: dict[str, list[float]]  # way -> seconds for each reply matched that way
    wrong: int  # replies that landed on another ticket (or none)
    strip_rate: float  # subjects per second
    verify_rate: float  # signed reply addresses checked per second

    def rate(self, way: str) -> float:
        return len(self.timings[way]) / sum(self.timings[way])


def measure(kind: str, tickets: int) -> Replies:
    """Open `tickets` tickets on a fresh `kind` database, then one reply each, a third by
    each way of matching; and the pure parts, 20,000 times each."""
    os.environ.setdefault("MAILGATE_SECRET", "bench-secret")

    from mailgate.config import load_config
    from mailgate.db import make_engine

    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(kind, Path(folder))
        path = write_config(Path(folder), url, 0)
        # the details rules would hold these anonymous one-liners; not what is measured here
        path.write_text(path.read_text().replace(
            "[intake]", "[intake]\nhold_incomplete_requests = false"))
        config = load_config(str(path))
        engine = make_engine(url)
        try:
            return _measure(engine, config, kind, tickets)
        finally:
            engine.dispose()
            drop_database(url)


def _measure(engine: Engine, config: Config, kind: str, tickets: int) -> Replies:
    from mailgate.clock import utcnow
    from mailgate.db import upgrade
    from mailgate.intake.store import store_raw
    from mailgate.pipeline import process
    from parsing.subject import strip_reply_prefixes
    from tickets.models import InboundMessage, Outbox, Ticket
    from tickets.signing import read_reply_address

    upgrade(engine)
    now = time.time

    def run(raw: bytes, sender: str, to: str = "support@desk.example") -> int:
        stored = store_raw(engine, raw, source="bench", now=utcnow(), envelope_from=sender,
                           envelope_to=[to])
        process(engine, config, stored.id, utcnow())
        return stored.id

    started = now()
    for n in range(tickets):
        run(mail(subject=f"Printer {n} jammed", sender=f"User {n} <u{n}@school.example>",
                 message_id=f"<t{n}@school.example>"), f"u{n}@school.example")
    opened = tickets / (now() - started)

    with Session(engine) as session:
        acks = {
            r.ticket_id: r for r in session.exec(
                select(Outbox).where(Outbox.kind == "acknowledgement")
            ).all()
        }
        rows = session.exec(select(Ticket).order_by(Ticket.id)).all()  # type: ignore[arg-type]
        plan = []
        for n, ticket in enumerate(rows):
            ack = acks[ticket.id]
            headers = message_from_bytes(ack.raw)
            [(_, reply_to)] = getaddresses([headers["Reply-To"]])
            way = WAYS[n % 3]
            subject = {"signed": f"Re: {ack.subject}", "in-reply-to": "RE: printer",
                       "tag": f"AW: {ack.subject}"}[way]
            raw = mail(subject=subject, sender=f"User {n} <u{n}@school.example>",
                       to=reply_to if way == "signed" else "support@desk.example",
                       message_id=f"<r{n}@school.example>",
                       in_reply_to=f"<{ack.message_id}>" if way == "in-reply-to" else "",
                       body="Still broken.\n\nOn Monday the desk wrote:\n> logged\n")
            plan.append((way, raw, f"u{n}@school.example",
                         reply_to if way == "signed" else "support@desk.example", ticket.id))

    timings: dict[str, list[float]] = {way: [] for way in WAYS}
    wrong = 0
    for way, raw, sender, to, ticket_id in plan:
        t0 = now()
        inbound_id = run(raw, sender, to)
        timings[way].append(now() - t0)
        with Session(engine) as session:
            row = session.get(InboundMessage, inbound_id)
            wrong += row is None or row.ticket_id != ticket_id

    subjects = [f"RE[2]: AW: Fwd: [INC{n:07d}] Printer" for n in range(20000)]
    t0 = now()
    for subject in subjects:
        strip_reply_prefixes(subject)
    strip_rate = len(subjects) / (now() - t0)
    address = next(to for _, _, _, to, _ in plan if "+" in to)
    t0 = now()
    for _ in range(20000):
        read_reply_address(config, address)
    verify_rate = 20000 / (now() - t0)
    return Replies(kind, tickets, opened, timings, wrong, strip_rate, verify_rate)


def figures(quick: bool, kinds: Sequence[str]) -> list[Figure]:
    """Rates with no peer to compare with: reported, no baseline. Quick: 90 tickets on each
    kind; full: 600, 200 by each way (the CLI's 2,000 take minutes on both kinds). Replies on
    the wrong ticket: target 0."""
    tickets = 90 if quick else 600
    rows = []
    for kind in kinds:
        result = measure(kind, tickets)
        rows.append(Figure("replies", f"tickets opened ({kind})", result.opened, "tickets/s",
                           note=f"{tickets} tickets, then one reply each" if not rows else ""))
        rows += [Figure("replies", f"replies matched by {way} ({kind})", result.rate(way),
                        "replies/s") for way in WAYS]
        rows.append(Figure("replies", f"replies on the wrong ticket ({kind})", result.wrong,
                           "replies", target=0, lower_is_better=True))
    # the pure parts do not touch the database: the last run's figures
    rows.append(Figure("replies", "prefix stripping", result.strip_rate, "subjects/s"))
    rows.append(Figure("replies", "reply address signature check", result.verify_rate,
                       "checks/s"))
    return rows


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--tickets", type=int, default=2000)
    options.add_argument("--postgres", action="store_true")
    args = options.parse_args()
    result = measure("postgresql" if args.postgres else "sqlite", args.tickets)
    print(f"{result.kind}: {args.tickets} tickets opened at {result.opened:.0f}/s")
    for way in WAYS:
        print(f"  replies matched by {way:<12} {result.rate(way):7.0f}/s")
    print(f"  replies on the wrong ticket: {result.wrong}")
    print(f"  prefix stripping {result.strip_rate:,.0f} subjects/s; "
          f"signature check {result.verify_rate:,.0f}/s")


if __name__ == "__main__":
    main()
