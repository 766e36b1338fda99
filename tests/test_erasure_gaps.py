"""What a review found `contacts forget` and `purge` left behind: mail still queued to the
person, mail an import kept but never sent, other people on a ticket whose requester had been
forgotten, and the staff alert that names a flooding sender."""

from __future__ import annotations

import mailbox
from datetime import timedelta

from sqlalchemy import select

from tests.support.harness import Harness
from tests.support.personal import BOB, JANE, ingest, jane_request, request, traces
from tests.test_retention import RETENTION, closed_at, purge
from tickets.models import Outbox


def test_forget_drops_the_acknowledgement_still_queued_to_them(harness: Harness) -> None:
    ingest(harness, jane_request(harness), "--no-send")  # the acknowledgement waits to be sent
    assert harness.cli("contacts", "forget", JANE).code == 0
    with harness.session() as session:
        [row] = session.execute(select(Outbox.kind, Outbox.state, Outbox.raw)).all()
    assert (row.kind, row.state, row.raw) == ("acknowledgement", "dropped", b"")
    assert [t for t in traces(harness) if t.startswith("outbox")] == []


def test_mail_an_import_kept_unsent_is_cleared_by_forget(harness: Harness) -> None:
    harness.write_config(RETENTION)
    box = mailbox.mbox(str(harness.dir / "old.mbox"))
    box.add(jane_request(harness).read_bytes())
    box.flush()
    box.close()
    assert harness.cli("import", str(harness.dir / "old.mbox")).code == 0
    with harness.session() as session:
        states = set(session.execute(select(Outbox.state)).scalars().all())
    assert states == {"suppressed"}
    assert harness.cli("contacts", "forget", JANE).code == 0
    assert traces(harness) == []


def test_retention_still_anonymises_a_ticket_whose_requester_was_forgotten(
    harness: Harness,
) -> None:
    harness.write_config(RETENTION)
    ingest(harness, request(
        harness.dir / "jane.eml", sender=f"Jane Doe <{JANE}>", subject="Printer jams",
        cc=f"Bob Hill <{BOB}>",
        body="Hello,\n\nthe printer jams. Bob Hill on 020 7946 0019 knows.\n\n"
             "Jane Doe\nAcme Ltd\n0113 496 0123\n",
    ))
    assert harness.cli("contacts", "forget", JANE).code == 0
    bob = (r"bob\.hill", r"7946 0019")
    assert traces(harness, bob) != []  # Bob took part; forgetting Jane leaves him be
    assert harness.cli("tickets", "update", "INC0000001", "--status", "closed").code == 0
    purge(harness, closed_at(harness, "INC0000001") + timedelta(days=400))
    assert traces(harness, bob) == []
