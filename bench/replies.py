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
from email.utils import getaddresses
from pathlib import Path

from sqlmodel import Session, select

from bench.ingest import fresh_database, write_config
from tests.mail import mail


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--tickets", type=int, default=2000)
    options.add_argument("--postgres", action="store_true")
    args = options.parse_args()
    os.environ.setdefault("MAILGATE_SECRET", "bench-secret")

    from mailgate.config import load_config
    from mailgate.db import make_engine, upgrade
    from mailgate.intake.store import store_raw
    from mailgate.pipeline import process
    from parsing.subject import strip_reply_prefixes
    from tickets.models import InboundMessage, Outbox, Ticket
    from tickets.signing import read_reply_address

    with tempfile.TemporaryDirectory() as folder:
        kind = "postgresql" if args.postgres else "sqlite"
        url = fresh_database(kind, Path(folder))
        path = write_config(Path(folder), url, 0)
        # the details rules would hold these anonymous one-liners; not what is measured here
        path.write_text(path.read_text().replace(
            "[intake]", "[intake]\nhold_incomplete_requests = false"))
        config = load_config(str(path))
        engine = make_engine(url)
        upgrade(engine)
        now = time.time

        def run(raw: bytes, sender: str, to: str = "support@desk.example") -> int:
            from mailgate.clock import utcnow

            stored = store_raw(engine, raw, source="bench", now=utcnow(), envelope_from=sender,
                               envelope_to=[to])
            process(engine, config, stored.id, utcnow())
            return stored.id

        started = now()
        for n in range(args.tickets):
            run(mail(subject=f"Printer {n} jammed", sender=f"User {n} <u{n}@school.example>",
                     message_id=f"<t{n}@school.example>"), f"u{n}@school.example")
        opened = args.tickets / (now() - started)

        with Session(engine) as session:
            acks = {
                r.ticket_id: r for r in session.exec(
                    select(Outbox).where(Outbox.kind == "acknowledgement")
                ).all()
            }
            tickets = session.exec(select(Ticket).order_by(Ticket.id)).all()  # type: ignore[arg-type]
            plan = []
            for n, ticket in enumerate(tickets):
                ack = acks[ticket.id]
                from email import message_from_bytes

                headers = message_from_bytes(ack.raw)
                [(_, reply_to)] = getaddresses([headers["Reply-To"]])
                way = ("signed", "in-reply-to", "tag")[n % 3]
                subject = {"signed": f"Re: {ack.subject}", "in-reply-to": "RE: printer",
                           "tag": f"AW: {ack.subject}"}[way]
                raw = mail(subject=subject, sender=f"User {n} <u{n}@school.example>",
                           to=reply_to if way == "signed" else "support@desk.example",
                           message_id=f"<r{n}@school.example>",
                           in_reply_to=f"<{ack.message_id}>" if way == "in-reply-to" else "",
                           body="Still broken.\n\nOn Monday the desk wrote:\n> logged\n")
                plan.append((way, raw, f"u{n}@school.example",
                             reply_to if way == "signed" else "support@desk.example", ticket.id))

        timings: dict[str, list[float]] = {"signed": [], "in-reply-to": [], "tag": []}
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

    print(f"{kind}: {args.tickets} tickets opened at {opened:.0f}/s")
    for way, values in timings.items():
        print(f"  replies matched by {way:<12} {len(values) / sum(values):7.0f}/s")
    print(f"  replies on the wrong ticket: {wrong}")
    print(f"  prefix stripping {strip_rate:,.0f} subjects/s; signature check {verify_rate:,.0f}/s")


if __name__ == "__main__":
    main()
