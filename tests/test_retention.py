"""Issue 11: `[retention]` and `mailgate purge` — what was purged is gone from the database,
what was kept still works."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from mailgate import retention
from tests.support.harness import Harness, wait_until
from tests.support.personal import (
    BOB,
    JANE,
    bob_request,
    ingest,
    jane_request,
    request,
    traces,
)
from tickets.models import (
    Contact,
    HistoryEvent,
    InboundMessage,
    Outbox,
    PendingRequest,
    StoredAttachment,
    Ticket,
    TicketMessage,
)
from tickets.redaction import Redactor

RETENTION = """
[retention]
raw_mail_days = 30
personal_details_days = 60
"""


def closed_at(harness: Harness, reference: str) -> datetime:
    with harness.session() as session:
        value = session.execute(
            select(Ticket.closed_at).where(Ticket.reference == reference)
        ).scalar_one()
    assert value is not None
    return value


def stored_mail(harness: Harness, reference: str) -> dict[str, int]:
    """How much raw mail, sent mail and attachment content the ticket still holds."""
    with harness.session() as session:
        ticket_id = session.execute(
            select(Ticket.id).where(Ticket.reference == reference)
        ).scalar_one()
        raw = session.execute(select(func.count()).where(
            InboundMessage.ticket_id == ticket_id, func.length(InboundMessage.raw) > 0
        )).scalar_one()
        sent = session.execute(select(func.count()).where(
            Outbox.ticket_id == ticket_id, func.length(Outbox.raw) > 0
        )).scalar_one()
        files = session.execute(
            select(func.count()).select_from(StoredAttachment)
            .join(TicketMessage, TicketMessage.id == StoredAttachment.ticket_message_id)
            .where(TicketMessage.ticket_id == ticket_id, StoredAttachment.content.is_not(None))
        ).scalar_one()
    return {"raw": raw, "sent": sent, "attachments": files}


def purge(harness: Harness, now: datetime, *extra: str) -> str:
    result = harness.cli("purge", "--now", now.isoformat(), *extra)
    assert result.code == 0, result.err
    return result.out


def two_tickets(harness: Harness) -> datetime:
    """Jane's ticket INC0000001, acknowledged and closed; Bob's INC0000002, open."""
    ingest(harness, jane_request(harness))
    ingest(harness, bob_request(harness))
    done = harness.cli("tickets", "update", "INC0000001", "--status", "closed")
    assert done.code == 0, done.err
    return closed_at(harness, "INC0000001")


def test_raw_mail_goes_on_the_day_and_personal_details_later(harness: Harness) -> None:
    harness.write_config(RETENTION)
    closed = two_tickets(harness)
    assert stored_mail(harness, "INC0000001") == {"raw": 1, "sent": 1, "attachments": 1}

    # a ticket closed less than raw_mail_days ago is not purged
    assert purge(harness, closed + timedelta(days=30, seconds=-1)).strip() == "nothing to purge"
    assert stored_mail(harness, "INC0000001") == {"raw": 1, "sent": 1, "attachments": 1}

    # --dry-run says what would go and changes nothing
    dry = purge(harness, closed + timedelta(days=30), "--dry-run")
    assert "dry run: nothing was changed" in dry
    assert "raw mail: 2 message(s) would be removed, from 1 ticket(s): INC0000001" in dry
    assert "attachments: 1 would be removed, from 1 ticket(s): INC0000001" in dry
    assert stored_mail(harness, "INC0000001") == {"raw": 1, "sent": 1, "attachments": 1}

    out = purge(harness, closed + timedelta(days=30))
    assert "raw mail: 2 message(s) removed, from 1 ticket(s): INC0000001" in out
    assert stored_mail(harness, "INC0000001") == {"raw": 0, "sent": 0, "attachments": 0}
    assert stored_mail(harness, "INC0000002") == {"raw": 1, "sent": 1, "attachments": 0}
    # the personal details are still there: their period has not passed
    shown = harness.ticket_json("INC0000001")
    assert shown["requester"]["name"] == "Jane Doe"
    assert traces(harness)  # the search finds her until then
    assert shown["messages"][0]["attachments"][0]["stored"] is False
    purged = [h for h in shown["history"] if h["kind"] == "purged"]
    assert len(purged) == 1
    assert "raw mail of 2 message(s) and 1 attachment(s) removed" in purged[0]["detail"]
    assert purge(harness, closed + timedelta(days=30)).strip() == "nothing to purge"  # idempotent

    assert purge(harness, closed + timedelta(days=60, seconds=-1)).strip() == "nothing to purge"
    out = purge(harness, closed + timedelta(days=60))
    assert "personal details: 1 ticket(s) anonymised: INC0000001" in out
    assert "contact records: 1 removed" in out
    assert traces(harness) == []  # nothing of Jane anywhere: columns, JSON, history, blobs
    with harness.session() as session:
        assert session.execute(select(Contact).where(Contact.email == JANE)).first() is None
        ticket = session.execute(
            select(Ticket).where(Ticket.reference == "INC0000001")).scalar_one()
        assert (ticket.requester_name, ticket.requester_phone, ticket.company_name) == ("", "", "")
        assert ticket.details_read == {} and ticket.cc == []
        history = session.execute(select(HistoryEvent.detail)
                                  .where(HistoryEvent.ticket_id == ticket.id,
                                         HistoryEvent.kind == "anonymised")).scalars().all()
    assert len(history) == 1 and "60 days after the ticket was closed" in history[0]
    assert purge(harness, closed + timedelta(days=61)).strip() == "nothing to purge"

    # what was kept works: the ticket shows, with its history and what it was about
    shown = harness.cli("tickets", "show", "INC0000001")
    assert shown.code == 0, shown.err
    assert "Printer in room 4 jams" in shown.out and "personal details removed" in shown.out
    # Bob's ticket is untouched, and his reply still threads onto it
    assert harness.ticket_json("INC0000002")["requester"]["email"] == BOB
    with harness.session() as session:
        ack = session.execute(select(Outbox.message_id).where(
            Outbox.ticket_id == 2, Outbox.kind == "acknowledgement")).scalar_one()
    ingest(harness, request(harness.dir / "bob2.eml", sender=f"Bob Hill <{BOB}>",
                            subject="Re: [INC0000002] Projector has no signal",
                            body="It works again after a restart.", in_reply_to=ack))
    assert len(harness.tickets()) == 2
    assert [m["from"] for m in harness.ticket_json("INC0000002")["messages"]
            if m["direction"] == "in"] == [BOB, BOB]
    # Jane writing again is a new requester with a new ticket
    ingest(harness, jane_request(harness, "jane-again.eml"))
    again = harness.ticket_json("INC0000003")
    assert again["requester"]["email"] == JANE and again["requester"]["name"] == "Jane Doe"


def test_a_company_keeps_mail_for_its_own_period(harness: Harness) -> None:
    harness.write_config(RETENTION + """
[[retention.companies]]
name = "Example School"
raw_mail_days = 5
""")
    ingest(harness, request(harness.dir / "school.eml", sender="Ann Lee <ann@school.example>",
                            subject="Whiteboard pen missing", body="Hello,\n\nno pens.\n\nAnn Lee"))
    ingest(harness, jane_request(harness))
    for reference in ("INC0000001", "INC0000002"):
        assert harness.cli("tickets", "update", reference, "--status", "closed").code == 0
    closed = max(closed_at(harness, "INC0000001"), closed_at(harness, "INC0000002"))

    out = purge(harness, closed + timedelta(days=5))
    assert "from 1 ticket(s): INC0000001" in out  # the school's, not Jane's
    assert stored_mail(harness, "INC0000001")["raw"] == 0
    assert stored_mail(harness, "INC0000002")["raw"] == 1
    # the school inherits the desk's personal_details_days
    assert "anonymised: INC0000001, INC0000002" in purge(harness, closed + timedelta(days=60))


def test_without_retention_everything_is_kept(harness: Harness) -> None:
    closed = two_tickets(harness)
    result = harness.cli("purge", "--now", (closed + timedelta(days=3650)).isoformat())
    assert result.code == 0 and "everything is kept" in result.out
    assert stored_mail(harness, "INC0000001") == {"raw": 1, "sent": 1, "attachments": 1}


def test_serve_purges_at_start(harness: Harness) -> None:
    harness.write_config(RETENTION)
    closed = two_tickets(harness)
    later = closed + timedelta(days=61)
    with harness.daemon(clock=lambda: later):
        wait_until(lambda: stored_mail(harness, "INC0000001")["raw"] == 0, what="the purge")
        wait_until(lambda: harness.ticket_json("INC0000001")["requester"]["name"]
                   == "(anonymised)", what="the anonymisation")
    assert traces(harness) == []


def test_check_config_names_a_bad_retention_key(harness: Harness) -> None:
    harness.write_config("""
[retention]
raw_mail_days = -1

[[retention.companies]]
name = "Example School"
personal_detail_days = 30
""")
    result = harness.cli("check-config")
    assert result.code == 78
    assert "retention.raw_mail_days: Input should be greater than or equal to 0" in result.err
    assert "retention.companies.0.personal_detail_days: unknown key" in result.err
    harness.write_config(RETENTION)
    shown = harness.cli("check-config")
    assert "retention  raw mail 30 days, personal details 60 days after closing" in shown.out


def test_redaction_finds_a_number_however_it_is_written() -> None:
    redactor = Redactor(addresses={JANE}, phones={"+441134960123", "0113 496 0123"})
    redactor.add_names(["Jane Doe"])
    text = redactor.text(
        "From: Jane Doe <jane.doe@acme.example>; ring 0113 4960123 or +44 (0)113 496 0123; "
        "Bob is on 020 7946 0018, bob@hillside.example; JANE wrote on 2026-11-20 at 09:30"
    )
    assert text == (
        "From: [name removed] <[address removed]>; ring [phone removed] or [phone removed]; "
        "Bob is on 020 7946 0018, bob@hillside.example; [name removed] wrote on 2026-11-20 at "
        "09:30"
    )


def test_purge_goes_through_every_batch(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "BATCH", 1)  # a transaction per ticket
    harness.write_config(RETENTION)
    for n in range(3):
        ingest(harness, request(harness.dir / f"{n}.eml", sender=f"Ann Lee <ann{n}@school.example>",
                                subject=f"Request {n}", body="Hello,\n\nhelp.\n\nAnn Lee"))
        assert harness.cli("tickets", "update", f"INC000000{n + 1}", "--status", "closed").code == 0
    closed = closed_at(harness, "INC0000003")
    out = purge(harness, closed + timedelta(days=60))
    assert "personal details: 3 ticket(s) anonymised: INC0000001, INC0000002, INC0000003" in out
    assert "raw mail: 6 message(s) removed, from 3 ticket(s)" in out
    assert "contact records: 3 removed" in out


def test_mail_on_no_ticket_goes_at_the_first_period(harness: Harness) -> None:
    """A held request that expired unanswered, and an auto-reply that was screened."""
    harness.write_config(RETENTION)
    ingest(harness, request(harness.dir / "held.eml", sender=f"Jane Doe <{JANE}>",
                            subject="Monitor flickers", body="Hello,\n\nmy monitor flickers."))
    ingest(harness, request(harness.dir / "ooo.eml", sender=f"Jane Doe <{JANE}>",
                            subject="Out of office", body="I am away until Monday. Jane",
                            headers={"Auto-Submitted": "auto-replied"}))
    with harness.session() as session:
        held = session.execute(select(PendingRequest)).scalar_one()
        expiry = held.expires_at
    harness.tick(expiry)  # expired, with its final notice
    assert [r.state for r in harness.inbound()] == ["held", "screened"]

    screened = harness.inbound()[1].processed_at
    assert screened is not None
    no_ticket = "mail on no ticket (screened, quarantined, held requests that expired)"
    assert purge(harness, screened + timedelta(days=30, seconds=-1)).strip() == "nothing to purge"
    assert purge(harness, screened + timedelta(days=30)).strip() == f"{no_ticket}: 1 removed"
    assert [r.state for r in harness.inbound()] == ["held", "purged"]
    assert purge(harness, expiry + timedelta(days=30, seconds=-1)).strip() == "nothing to purge"
    assert purge(harness, expiry + timedelta(days=30)).strip() == f"{no_ticket}: 1 removed"
    assert [r.state for r in harness.inbound()] == ["purged", "purged"]
    assert all(r.raw == b"" for r in harness.inbound())
    with harness.session() as session:
        assert session.execute(select(PendingRequest)).first() is None
    assert traces(harness) == []
    assert purge(harness, expiry + timedelta(days=31)).strip() == "nothing to purge"
    # a purged message is no quarantine left to retry
    retried = harness.cli("quarantine", "retry", "2")
    assert retried.code == 1 and "message 2 is not in quarantine" in retried.err
