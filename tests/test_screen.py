"""Issue 2: the screen stage never acknowledges machine mail (RFC 3834 §2), and says why."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mail import mail
from tests.support.harness import DESK, Harness

NOW = "2026-11-23T10:00:00+00:00"


def ingest(harness: Harness, raw: bytes, *options: str) -> None:
    path = harness.dir / "in.eml"
    path.write_bytes(raw)
    done = harness.cli("ingest", *options, str(path))
    assert done.code == 0, done.err


def what_the_desk_shows(harness: Harness) -> str:
    """Every reason a person can read: quarantine/screened listing and each ticket's history."""
    shown = harness.cli("quarantine", "list", "--all", "--json").json()
    tickets = harness.cli("tickets", "list", "--json").json()
    for summary in tickets:
        shown.append(harness.ticket_json(summary["reference"])["history"])
    return repr(shown)


def outbox(harness: Harness) -> list[dict[str, Any]]:
    return harness.cli("outbox", "list", "--json").json()


@pytest.mark.parametrize(
    ("sender", "headers", "options", "reason"),
    [
        pytest.param("Jane <jane@school.example>", {"Auto-Submitted": "auto-generated"}, (),
                     "Auto-Submitted: auto-generated", id="auto-generated"),
        pytest.param("Jane <jane@school.example>",
                     {"Auto-Submitted": "auto-replied; owner-email=jane@school.example"}, (),
                     "Auto-Submitted: auto-replied", id="auto-replied"),
        pytest.param("Jane <jane@school.example>", {"Return-Path": "<>"}, (),
                     "null return path", id="Return-Path <>"),
        pytest.param("Jane <jane@school.example>", {}, ("--sender", ""),
                     "null envelope sender", id="bounce from the MTA pipe"),
        pytest.param("Jane <jane@school.example>", {"Precedence": "bulk"}, (),
                     "Precedence: bulk", id="bulk"),
        pytest.param("Jane <jane@school.example>", {"Precedence": "junk"}, (),
                     "Precedence: junk", id="junk"),
        pytest.param("Jane <jane@school.example>", {"Precedence": "list"}, (),
                     "Precedence: list", id="list"),
        pytest.param("Jane <jane@school.example>", {"List-Id": "<staff.lists.school.example>"},
                     (), "mailing list (List-Id)", id="List-Id"),
        pytest.param("Mail Delivery System <MAILER-DAEMON@school.example>", {}, (),
                     "robot address (mailer-daemon@school.example)", id="mailer-daemon"),
        pytest.param("postmaster@school.example", {}, (),
                     "robot address (postmaster@school.example)", id="postmaster"),
        pytest.param("School Portal <no-reply@school.example>", {}, (),
                     "robot address (no-reply@school.example)", id="no-reply"),
        pytest.param(f"Desk <{DESK}>", {}, (), f"our own address {DESK}", id="our own address"),
        pytest.param("Desk <support+INC0000001-abc@desk.example>", {}, (),
                     "our own address support+inc0000001-abc@desk.example", id="own plus address"),
    ],
)
def test_machine_mail_is_never_acknowledged(
    harness: Harness, sender: str, headers: dict[str, str], options: tuple[str, ...], reason: str
) -> None:
    ingest(harness, mail(sender=sender, headers=headers), *options)
    harness.tick(NOW)
    assert outbox(harness) == []
    assert harness.sink.messages == []
    assert reason in what_the_desk_shows(harness)


def test_a_person_writing_auto_submitted_no_is_acknowledged(harness: Harness) -> None:
    ingest(harness, mail(headers={"Auto-Submitted": "no", "Precedence": "first-class"}))
    harness.tick(NOW)
    assert [(row["kind"], row["to"]) for row in outbox(harness)] == [
        ("acknowledgement", ["jane@school.example"])
    ]


def test_a_bounce_over_smtp_is_not_acknowledged(harness: Harness) -> None:
    # MAIL FROM:<> is how every bounce and automatic reply arrives by SMTP (RFC 3834 §3.3)
    with harness.daemon():
        assert harness.send(mail(message_id="<bounce@school.example>"), mail_from="") == {}
        harness.wait_processed(1)
    [inbound] = harness.inbound()
    assert inbound.envelope_from == "<>"
    harness.tick(NOW)
    assert outbox(harness) == []
    assert "null envelope sender" in what_the_desk_shows(harness)
