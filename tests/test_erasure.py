"""Issue 11: `mailgate contacts forget` and `contacts export` (GDPR articles 17 and 15)."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.support.harness import Harness
from tests.support.personal import (
    BOB,
    JANE,
    bob_request,
    ingest,
    jane_request,
    request,
    traces,
)
from tickets.erasure import ERASED
from tickets.models import Outbox, PendingRequest


def jane_everywhere(harness: Harness) -> None:
    """Jane: a request held for details (its question still queued to her), her ticket
    INC0000001, Bob's INC0000002 that copies her and names her, and Carol's INC0000003 that
    gives her address in its text."""
    held = request(harness.dir / "held.eml", sender=f"Jane Doe <{JANE}>",
                   subject="Monitor flickers", body="Hello,\n\nmy monitor flickers.\n\nThanks")
    ingest(harness, held, "--no-send")
    ingest(harness, jane_request(harness))
    ingest(harness, bob_request(harness, cc=f"Jane Doe <{JANE}>", mention=" Jane Doe saw it too."))
    ingest(harness, request(harness.dir / "carol.eml", sender="Carol King <carol@hillside.example>",
                            subject="Scanner offline", body=f"Hello,\n\nthe scanner is off. "
                            f"{JANE} knows more.\n\nCarol King\nHillside Dental\n020 7946 0019"))


def test_export_gives_everything_held_about_a_person_as_json(harness: Harness) -> None:
    jane_everywhere(harness)
    result = harness.cli("contacts", "export", JANE)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["address"] == JANE
    assert data["contact"]["name"] == "Jane Doe" and data["contact"]["phone"] == "+441134960123"
    roles = {t["reference"]: t["role"] for t in data["tickets"]}
    assert roles == {"INC0000001": "requester", "INC0000002": "copied", "INC0000003": "took part"}
    own = data["tickets"][0]
    assert "the printer in room 4 jams on every job" in own["messages"][0]["body"]
    assert own["messages"][0]["written_by_them"] is True
    assert own["details_read"]["name"] == "Jane Doe"
    assert own["details_read"]["phone_as_written"] == "0113 496 0123"
    assert own["messages"][0]["attachments"][0]["filename"] == "Jane Doe scan.pdf"
    assert any(h["kind"] == "created" for h in own["history"])
    assert [r["subject"] for r in data["held_requests"]] == ["Monitor flickers"]
    sent = {m["kind"]: m for m in data["mail_sent_to_them"]}
    assert sent["info_request"]["state"] == "pending"
    assert "INC0000001" in sent["acknowledgement"]["text"]
    assert len(data["mail_received_from_them"]) == 2
    # someone the desk never heard of: an empty export, not an error
    nobody = harness.cli("contacts", "export", "nobody@example.org").json()
    assert nobody["contact"] is None and nobody["tickets"] == []


def test_forget_erases_a_person_and_keeps_the_tickets(harness: Harness) -> None:
    jane_everywhere(harness)
    assert traces(harness)  # the search finds her before
    mailed = len(harness.sink.messages)
    result = harness.cli("contacts", "forget", JANE)
    assert result.code == 0, result.err
    assert f"erased {JANE}:" in result.out
    assert "tickets they requested, anonymised: INC0000001" in result.out
    assert "other tickets they were removed from: INC0000002, INC0000003" in result.out
    assert "1 message(s) of theirs emptied" in result.out
    assert "5 raw mail(s) and copies of sent mail removed" in result.out
    assert "1 attachment(s) removed" in result.out
    assert "1 held request(s) dropped" in result.out
    assert "1 queued mail(s) to them dropped" in result.out
    assert "contact record deleted" in result.out

    assert traces(harness) == []  # nowhere in the database: columns, JSON, history, blobs
    with harness.session() as session:
        assert session.execute(select(PendingRequest)).first() is None
        states = session.execute(select(Outbox.kind, Outbox.state)).all()
    assert ("info_request", "dropped") in states

    # the tickets are kept and work
    mine = harness.ticket_json("INC0000001")
    assert mine["subject"] == "Printer in room 4 jams"
    assert mine["requester"]["name"] == "(anonymised)"
    assert mine["description"] == "" and mine["messages"][0]["body"] == ERASED
    assert [h for h in mine["history"] if h["kind"] == "erased"]
    assert harness.cli("tickets", "show", "INC0000001").code == 0
    bobs = harness.ticket_json("INC0000002")
    assert bobs["requester"]["email"] == BOB and bobs["cc"] == []
    assert "[name removed] saw it too" in bobs["messages"][0]["body"]
    # the dropped question is never sent; Bob's reply still threads
    harness.tick(harness.tickets()[0].created_at.isoformat())
    assert not [m for m in harness.sink.messages[mailed:] if JANE in m.rcpt_tos]
    with harness.session() as session:
        ack = session.execute(select(Outbox.message_id).where(
            Outbox.ticket_id == 2, Outbox.kind == "acknowledgement")).scalar_one()
    ingest(harness, request(harness.dir / "bob2.eml", sender=f"Bob Hill <{BOB}>",
                            subject="Re: [INC0000002] Projector has no signal",
                            body="Fixed after a restart.", in_reply_to=ack))
    assert len(harness.tickets()) == 3
    assert len([m for m in harness.ticket_json("INC0000002")["messages"]
                if m["direction"] == "in"]) == 2

    # work goes on on her ticket, and no mail is written to the anonymised requester
    resolved = harness.cli("tickets", "update", "INC0000001", "--status", "resolved")
    assert resolved.code == 0, resolved.err
    with harness.session() as session:
        kinds = session.execute(select(Outbox.kind).where(Outbox.ticket_id == 1)).scalars().all()
    assert kinds == ["acknowledgement"]
    assert not [m for m in harness.sink.messages if any(".invalid" in r for r in m.rcpt_tos)]

    # a second run finds nothing left; the export is empty
    again = harness.cli("contacts", "forget", JANE)
    assert again.code == 0
    assert again.out.strip() == f"nothing is held about {JANE}: nothing to erase"
    export = harness.cli("contacts", "export", JANE).json()
    assert export["contact"] is None and export["tickets"] == [] and export["held_requests"] == []

    # Jane writing again is someone new: a fresh ticket
    ingest(harness, jane_request(harness, "jane-again.eml"))
    fresh = harness.ticket_json("INC0000004")
    assert fresh["requester"]["email"] == JANE and fresh["requester"]["name"] == "Jane Doe"


def test_forget_refuses_what_is_no_address(harness: Harness) -> None:
    result = harness.cli("contacts", "forget", "Jane Doe")
    assert result.code == 64
    assert result.err.startswith("mailgate: not an email address")
