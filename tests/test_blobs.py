"""Large raw mail and attachments are written through SQLite's blob I/O (tickets.blobs) and
read back byte for byte, on both databases."""

from __future__ import annotations

import os
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import text

from mailgate.db import make_engine, upgrade
from tests.support.harness import Harness
from tickets.blobs import STREAM_FROM


def _large_mail(payload: bytes) -> bytes:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane@school.example>"
    message["To"] = "support@desk.example"
    message["Subject"] = "Scans of the broken projector"
    message["Message-ID"] = "<large@school.example>"
    message.set_content("Hello,\n\nthe scans are attached.\n\nThanks,\nJane\nTel: 01527 359 999\n")
    message.add_attachment(payload, maintype="application", subtype="octet-stream",
                           filename="scans.bin")
    return message.as_bytes()


def test_a_large_mail_and_its_attachment_are_kept_byte_for_byte(harness: Harness) -> None:
    payload = os.urandom(2 * STREAM_FROM + 12345)
    raw = _large_mail(payload)
    path = harness.dir / "large.eml"
    path.write_bytes(raw)
    assert harness.cli("ingest", str(path)).code == 0
    [inbound] = harness.inbound()
    assert (inbound.state, inbound.size) == ("done", len(raw))
    assert inbound.raw == raw
    with harness.engine.connect() as connection:
        [(filename, size, content)] = connection.execute(
            text("SELECT filename, size, content FROM attachment")).all()
    assert (filename, size) == ("scans.bin", len(payload))
    assert bytes(content) == payload


def test_on_sqlite_the_blobs_are_the_last_column_of_their_rows(tmp_path: Path) -> None:
    # SQLite keeps a zeroblob unexpanded only as the record's last field (migration 0005)
    engine = make_engine(f"sqlite:///{tmp_path / 'order.db'}")
    upgrade(engine)
    with engine.connect() as connection:
        for table, column in (("inbound_message", "raw"), ("attachment", "content")):
            columns = [row[1] for row in connection.execute(text(f"PRAGMA table_info({table})"))]
            assert columns[-1] == column, columns
