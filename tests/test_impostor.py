"""Issue 12: dedup keys (Message-ID and body) ignore the sender. A true redelivery stays a silent
duplicate; a mail reusing another's Message-ID and body from another envelope sender or From is
recorded and quarantined with the reason, never absorbed — over real SMTP and through ingest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mail import mail
from tests.support.harness import Harness, wait_until

pytestmark = pytest.mark.faults

ORIGINAL = mail(sender="Jane Doe <jane@school.example>", message_id="<req-1@school.example>",
                subject="Printer in room 12 is jammed")
# the attacker copies the Message-ID and the body, and signs as someone else
FORGED_FROM = ORIGINAL.replace(b"jane@school.example", b"boss@school.example", 1)


def _quarantined(harness: Harness) -> list:
    return [r for r in harness.inbound() if r.state == "quarantined"]


def test_redelivery_is_silent_and_a_forged_duplicate_is_quarantined_over_smtp(
    harness: Harness,
) -> None:
    with harness.daemon():
        assert harness.send(ORIGINAL, mail_from="jane@school.example") == {}
        harness.wait_processed(1)
        harness.wait_sink(1)  # the acknowledgement
        # the same server retrying after a lost 250: the same envelope, the same From
        assert harness.send(ORIGINAL, mail_from="jane@school.example") == {}
        # the same mail, another envelope sender
        assert harness.send(ORIGINAL, mail_from="mallory@evil.example") == {}
        # the same Message-ID and body, another From (same envelope as the first)
        assert harness.send(FORGED_FROM, mail_from="jane@school.example") == {}
        # the forgery again: one record of it, not two
        assert harness.send(FORGED_FROM, mail_from="jane@school.example") == {}
        wait_until(lambda: len(_quarantined(harness)) == 2, what="two quarantined impostors")
        rows = harness.inbound()
        tickets = harness.tickets()
        print(f"sent 5, acknowledged 5, tickets {len(tickets)}, quarantined "
              f"{len(_quarantined(harness))}, acknowledgements {len(harness.sink.messages)}, "
              f"duplicates {5 - len(rows)}")
    assert len(rows) == 3  # the original and the two impostors
    assert len(tickets) == 1 and len(harness.sink.messages) == 1
    original, *impostors = rows
    assert original.state == "done" and original.ticket_id == tickets[0].id
    envelope, author = impostors
    assert envelope.state == "quarantined" and envelope.ticket_id is None
    assert envelope.reason == (
        f"duplicate of message {original.id} (same Message-ID and body) from another sender: "
        "envelope sender mallory@evil.example (stored: jane@school.example)"
    )
    assert author.reason == (
        f"duplicate of message {original.id} (same Message-ID and body) from another sender: "
        "From boss@school.example (stored: jane@school.example)"
    )
    assert envelope.raw == original.raw  # recorded byte for byte, for whoever looks into it
    history = harness.ticket_json(tickets[0].reference)["history"]
    assert not any("boss@" in h["detail"] or "mallory@" in h["detail"] for h in history)


def test_a_forged_duplicate_in_one_ingest_batch_is_quarantined(
    harness: Harness, tmp_path: Path
) -> None:
    """Both in one transaction (store_many): the second is compared with the first."""
    first, second, third = tmp_path / "1.eml", tmp_path / "2.eml", tmp_path / "3.eml"
    first.write_bytes(ORIGINAL)
    second.write_bytes(FORGED_FROM)
    third.write_bytes(ORIGINAL)  # the same mail twice in one delivery: a duplicate
    result = harness.cli("ingest", "--sender", "jane@school.example", str(first), str(second),
                         str(third))
    assert result.code == 0, result.err
    rows = harness.inbound()
    assert [r.state for r in rows] == ["done", "quarantined"]
    assert rows[1].reason.endswith("From boss@school.example (stored: jane@school.example)")
    assert "already stored as message" in result.err  # the third, said as before
    # a later delivery of the original through a door that knows no envelope (IMAP, a pipe
    # without -f) compares the From only: a duplicate
    again = harness.cli("ingest", str(first))
    assert again.code == 0 and len(harness.inbound()) == 2


def test_a_redelivered_mail_whose_from_follows_a_huge_to_list_stays_a_duplicate(
    harness: Harness, tmp_path: Path
) -> None:
    """The From is read from the same length of both copies: behind 300 KB of To it is unknown
    on both sides, not a difference (a review found the stored copy cut and the new one not)."""
    pupils = ",\r\n ".join(f"pupil{n:05d}@school.example" for n in range(12_000))
    raw = (f"To: {pupils}\r\nFrom: Jane Doe <jane@school.example>\r\n"
           "Subject: Class list bounced\r\nMessage-ID: <class-list@school.example>\r\n"
           "Date: Mon, 30 Nov 2026 09:00:00 +0000\r\n\r\nHello,\r\n\r\nthe class list "
           "bounced.\r\n\r\nJane Doe\r\nSchool\r\n0113 496 0123\r\n").encode()
    assert raw.index(b"\r\nFrom:") > 256 * 1024
    path = tmp_path / "big.eml"
    path.write_bytes(raw)
    for _ in range(2):  # the sending server retries after a timeout on a big message
        result = harness.cli("ingest", "--sender", "jane@school.example", str(path))
        assert result.code == 0, result.err
    assert "already stored as message" in result.err
    assert [r.state for r in harness.inbound()] == ["done"]
