"""A person's mail for the retention and erasure tests, and a search of the whole database for
what identifies them."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import SQLModel

from tests.support.harness import DESK, Harness, Result

JANE = "jane.doe@acme.example"
BOB = "bob.hill@hillside.example"
# what identifies Jane, wherever it is written: her address, her name's words, her number
JANE_TRACES = (r"jane\.doe@acme\.example", r"\bjane\b", r"\bdoe\b", r"496[ -]?0123",
               r"\+441134960123", r"1134960123")


def request(
    path: Path, *, sender: str, subject: str, body: str, cc: str = "",
    attachment: bytes | None = None, in_reply_to: str = "", headers: dict[str, str] | None = None,
) -> Path:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    message["Message-ID"] = make_msgid(domain="mail.example")
    if in_reply_to:
        message["In-Reply-To"] = message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf",
                               filename="Jane Doe scan.pdf")
    path.write_bytes(message.as_bytes())
    return path


def jane_request(harness: Harness, name: str = "jane.eml") -> Path:
    return request(
        harness.dir / name, sender=f"Jane Doe <{JANE}>", subject="Printer in room 4 jams",
        body="Hello,\n\nthe printer in room 4 jams on every job.\n\n"
             "Jane Doe\nAcme Ltd\n0113 496 0123\n",
        attachment=b"%PDF-1.4 a scan of the jammed page",
    )


def bob_request(harness: Harness, *, cc: str = "", mention: str = "") -> Path:
    return request(
        harness.dir / "bob.eml", sender=f"Bob Hill <{BOB}>", subject="Projector has no signal",
        cc=cc,
        body=f"Hi,\n\nthe projector in the hall shows no signal.{mention}\n\n"
             "Bob Hill\nHillside Dental\n020 7946 0018\n",
    )


def ingest(harness: Harness, path: Path, *extra: str) -> Result:
    result = harness.cli("ingest", *extra, str(path))
    assert result.code == 0, result.err
    return result


def _text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def traces(harness: Harness, patterns: tuple[str, ...] = JANE_TRACES) -> list[str]:
    """Every place in every table where one of `patterns` occurs: 'table.column #id: text'."""
    found = []
    with harness.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    text = _text(value)
                    for pattern in patterns:
                        hit = re.search(pattern, text, re.IGNORECASE)
                        if hit:
                            around = text[max(0, hit.start() - 30):hit.end() + 30]
                            found.append(f"{table.name}.{column} #{row.get('id', row.get('name'))}:"
                                         f" …{around}…")
    return found
