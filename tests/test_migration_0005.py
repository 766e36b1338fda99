"""Migration 0005 rebuilds two tables on SQLite: a database full of mail upgrades, and every
row and reference survives."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from mailgate.db import current_revision, make_engine, upgrade


def test_a_populated_database_at_0004_upgrades_with_its_rows_and_references(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO inbound_message (id, received_at, source, envelope_from, message_id,"
            " dedup_key, sha256, size, raw, state, reason, attempts) VALUES (1, "
            "'2026-11-23 09:00:00', 'smtp', '', '<a@b>', 'k1', 's', 3, X'616263', 'done', '', 1)"))
        connection.execute(text(
            "INSERT INTO contact (id, email, name, phone, phone_original, site, source, created_at,"
            " updated_at) VALUES (1, 'jane@school.example', 'Jane', '', '', '', 'mail', "
            "'2026-11-23 09:00:00', '2026-11-23 09:00:00')"))
        ticket_columns = [row[1] for row in connection.execute(text("PRAGMA table_info(ticket)"))
                          if row[3] and row[4] is None and row[1] != "id"]
        values = {name: ("'2026-11-23 09:00:00'" if name.endswith("_at") else
                         "1" if name.endswith("_id") else "0" if name.startswith(
                             ("business", "confidential")) else "'x'")
                  for name in ticket_columns}
        values["reference"] = "'INC0000001'"
        columns, given = ", ".join(values), ", ".join(values.values())
        connection.execute(text(f"INSERT INTO ticket (id, {columns}) VALUES (1, {given})"))
        connection.execute(text(
            "INSERT INTO ticket_message (id, ticket_id, direction, message_id, inbound_id,"
            " from_addr, from_name, subject, body, full_body, internal, verified, automated,"
            " created_at) "
            "VALUES (1, 1, 'in', '<a@b>', 1, 'jane@school.example', 'Jane', 's', 'b', 'b', 0, 1, 0,"
            " '2026-11-23 09:00:00')"))
        connection.execute(text(
            "INSERT INTO attachment (id, ticket_message_id, filename, content_type, size, sha256,"
            " content_id, content, skipped_reason) VALUES (1, 1, 'a.pdf', 'application/pdf', 3,"
            " 's', '', X'010203', '')"))
        connection.execute(text("UPDATE inbound_message SET ticket_id = 1"))
    upgrade(engine)
    assert current_revision(engine) == "0005"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT raw, ticket_id FROM inbound_message")).one() == (
            b"abc", 1)
        assert connection.execute(text("SELECT content FROM attachment")).scalar_one() == (
            b"\x01\x02\x03")
        assert connection.execute(text("SELECT inbound_id FROM ticket_message")).scalar_one() == 1
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1  # on again
