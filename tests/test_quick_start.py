"""The README's Quick start example does what the README says: the request it sends over SMTP
becomes a ticket at once, with the name, company and number read from the mail. The mail is
taken from the README itself, so the two cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path

from tests.mail import mail
from tests.support.harness import Harness

README = Path(__file__).resolve().parent.parent / "README.md"


def _quick_start_swaks() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"^ {4}swaks .*?(?=\n {4}\.venv/)", section, re.MULTILINE | re.DOTALL)
    assert found, "the Quick start has no swaks example"
    return found.group(0).replace("\\\n", " ")


def _option(command: str, pattern: str) -> str:
    found = re.search(pattern, command)
    assert found, f"the Quick start's swaks line has no {pattern}"
    return found.group(1)


def readme_request() -> tuple[str, str, str]:
    """The sender, subject and body of the README's swaks line (bash $'…' quoting undone)."""
    command = _quick_start_swaks()
    sender = _option(command, r"--from (\S+)")
    subject = _option(command, r'--header "Subject: ([^"]+)"')
    body = _option(command, r"--body \$'((?:[^'\\]|\\.)*)'").encode().decode("unicode_escape")
    return sender, subject, body


def test_the_readme_example_is_a_request_with_every_detail() -> None:
    sender, subject, body = readme_request()
    assert (sender, subject) == ("jane.doe@acme.example", "Printer in room 4 jams")
    assert "\n\nJane Doe\n" in body  # the escapes undone: a signature on lines of its own


def test_the_readme_example_becomes_a_ticket_at_once(harness: Harness) -> None:
    sender, subject, body = readme_request()
    with harness.daemon():
        refused = harness.send(mail(subject=subject, body=body, sender=sender),
                               mail_from=sender)
        assert refused == {}
        harness.wait_processed(1)
        harness.wait_sink(1)
    assert harness.cli("pending", "list", "--json").json() == []  # not held
    [ticket] = harness.tickets()
    assert ticket.reference == "INC0000001"
    data = harness.ticket_json("INC0000001")
    requester = data["requester"]
    assert (requester["name"], requester["company"], requester["phone"]) == (
        "Jane Doe", "Acme Ltd", "+441134960123")
    assert "jams on every job" in data["description"]
