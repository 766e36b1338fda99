"""Issue 2: a mail in by SMTP or pipe becomes a ticket, and the customer gets its reference."""

from __future__ import annotations

import re
import smtplib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from mailgate.clock import utcnow
from mailgate.db import make_engine
from tests.mail import mail
from tests.support.harness import DESK, Harness, crlf


def assert_acknowledgement(harness: Harness, original_id: str, reference: str) -> None:
    [ack] = harness.sink.to("jane@school.example")
    message = ack.message
    assert ack.mail_from == "<>"  # RFC 3834 §3.3: automatic replies go out with a null sender
    assert message["Subject"] == f"[{reference}] Printer in room 12 is jammed"
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"] == f"<{original_id}>"
    assert original_id in message["References"]
    assert re.fullmatch(r"<mailgate\.[0-9a-f]{24}@desk\.example>", message["Message-ID"])
    assert DESK in message["From"]
    assert message.get_content_type() == "multipart/alternative"
    assert reference in ack.text() and reference in ack.html()


def test_mail_over_smtp_becomes_ticket_and_is_acknowledged(harness: Harness) -> None:
    raw = mail(message_id="<first@school.example>")
    with harness.daemon():
        refused = harness.send(raw, mail_from="jane@school.example")
        assert refused == {}
        harness.wait_processed(1)
        harness.wait_sink(1)
    [ticket] = harness.tickets()
    assert ticket.reference == "INC0000001"
    data = harness.ticket_json("INC0000001")
    assert data["status"] == "open"
    assert data["priority"] == "medium"
    assert data["subject"] == "Printer in room 12 is jammed"
    assert data["requester"]["email"] == "jane@school.example"
    assert data["requester"]["name"] == "Jane Doe"
    assert "paper jam" in data["description"]
    assert [m["direction"] for m in data["messages"]] == ["in", "out"]
    assert_acknowledgement(harness, "first@school.example", "INC0000001")
    [inbound] = harness.inbound()
    assert inbound.raw == crlf(raw)  # the raw mail is kept byte for byte as it arrived
    assert inbound.state == "done"
    outbox = harness.cli("outbox", "list", "--json").json()
    assert [(o["kind"], o["state"], o["ticket"]) for o in outbox] == [
        ("acknowledgement", "sent", "INC0000001")
    ]


def test_references_count_up(harness: Harness) -> None:
    for n in range(3):
        harness.cli("ingest", str(_write(harness, mail(message_id=f"<m{n}@school.example>"))))
    assert [t.reference for t in harness.tickets()] == ["INC0000001", "INC0000002", "INC0000003"]


def test_same_message_twice_makes_one_ticket_and_one_acknowledgement(harness: Harness) -> None:
    raw = mail(message_id="<twice@school.example>")
    with harness.daemon():
        harness.send(raw, mail_from="jane@school.example")
        harness.send(raw, mail_from="jane@school.example")  # an SMTP retry
        harness.wait_processed(1)
        harness.wait_sink(1)
    # and again through the pipe, with an extra trace header and LF line endings
    again = b"Received: from relay.example by mx.example; Mon, 23 Nov 2026 09:01:00 +0000\n" + raw
    assert harness.cli("ingest", str(_write(harness, again))).code == 0
    assert harness.tick("2026-11-23T10:00:00+00:00").code == 0
    assert len(harness.tickets()) == 1
    assert len(harness.inbound()) == 1
    assert len(harness.sink.messages) == 1


def test_ingest_through_a_real_pipe(harness: Harness) -> None:
    raw = mail(message_id="<piped@school.example>")
    done = harness.run_process("ingest", stdin=raw)
    assert done.returncode == 0, done.stderr.decode()
    [ticket] = harness.tickets()
    assert ticket.reference == "INC0000001"
    # the outbox row is written with the ticket, and the pipe sends it itself: a desk fed by
    # an MTA answers with no daemon running
    assert done.stderr.decode().splitlines()[-1] == "sent 1 mail(s)"
    [row] = harness.cli("outbox", "list", "--json").json()
    assert row["state"] == "sent" and row["kind"] == "acknowledgement"
    assert_acknowledgement(harness, "piped@school.example", "INC0000001")
    # …once: the next tick has nothing left to send
    assert harness.tick(utcnow() + timedelta(minutes=1)).out.startswith(
        "processed 0, due 0, sent 0")


def test_json_has_the_keys_deployments_rely_on(harness: Harness) -> None:
    assert harness.cli("ingest", _write(harness, mail())).code == 0
    data = harness.ticket_json("INC0000001")
    assert {"reference", "status", "priority", "subject", "requester", "description",
            "confidential", "related", "sla", "messages", "history"} <= set(data)
    assert set(data["requester"]) >= {"name", "email", "company", "phone"}
    # every listing names the requester with the same object
    [listed] = harness.cli("tickets", "list", "--json").json()
    [queued] = harness.cli("tickets", "queue", "--json").json()
    assert listed["requester"] == queued["requester"] == data["requester"]
    assert "Jane Doe <jane@school.example>" in harness.cli("tickets", "list").out
    assert (data["confidential"], data["related"], type(data["sla"])) == (False, [], dict)
    assert [set(m) >= {"direction", "from", "body", "internal", "created_at"}
            for m in data["messages"]] == [True, True]
    assert data["history"] and all(isinstance(event, dict) for event in data["history"])
    [row] = harness.cli("outbox", "list", "--json").json()
    assert set(row) >= {"id", "kind", "to", "subject", "ticket", "state", "message_id"}
    assert (row["ticket"], row["to"]) == ("INC0000001", ["jane@school.example"])


def test_output_piped_into_head_ends_quietly(harness: Harness) -> None:
    """`mailgate tickets show REF | head`: the reader goes away; no traceback on the terminal."""
    long_body = "\n".join(f"line {n} of the error log" for n in range(20_000))
    (harness.dir / "long.eml").write_bytes(mail(body=long_body))
    assert harness.cli("ingest", str(harness.dir / "long.eml")).code == 0
    command = [sys.executable, "-m", "mailgate", "--config", str(harness.config_path),
               "tickets", "show", "INC0000001"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.readline().startswith(b"INC0000001")
        child.stdout.close()  # like head after its lines
        err = child.stderr.read().decode()
        assert child.wait(timeout=60) == 141  # 128 + SIGPIPE, as for any tool
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_recipient_we_do_not_serve_is_refused_with_550(harness: Harness) -> None:
    with harness.daemon(), smtplib.SMTP("127.0.0.1", harness.smtp_in_port) as client:
        client.ehlo()
        client.mail("spammer@example.net")
        code, reply = client.rcpt("victim@elsewhere.example")
        assert code == 550
        assert b"relay access denied" in reply
        # plus-addressed and accepted-domain recipients are served
        assert client.rcpt("support+INC0000001@desk.example")[0] == 250
        assert client.rcpt("anyone@helpdesk.example")[0] == 250
    assert harness.inbound() == []


def test_message_over_the_size_limit_is_refused_with_552(harness: Harness) -> None:
    harness.write_config("[intake]\nmax_attachment_bytes = 1000\n")
    text = harness.config_path.read_text().replace(
        'accept = ["', 'max_message_bytes = 20000\naccept = ["'
    )
    harness.config_path.write_text(text)
    big = crlf(mail(body="x" * 60 + "\n" * 1 + ("y" * 70 + "\n") * 400))
    small = crlf(mail(message_id="<small@school.example>"))
    with harness.daemon():
        # smtplib announces the size (RFC 1870), so the refusal comes at MAIL FROM
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            harness.send(big)
        assert refused.value.smtp_code == 552
        assert refused.value.smtp_error == b"Error: message size exceeds fixed maximum message size"
        # a client that does not say the size is refused once the data has come
        with smtplib.SMTP("127.0.0.1", harness.smtp_in_port) as client:
            client.helo()
            client.mail("jane@school.example")
            client.rcpt(DESK)
            assert client.data(big) == (552, b"Error: Too much mail data")
            # and the same connection still takes a message within the limit
            client.rset()
            client.mail("jane@school.example")
            client.rcpt(DESK)
            assert client.data(small)[0] == 250
        harness.wait_processed(1)
    assert [m.raw for m in harness.inbound()] == [small]


def refuse_writes(harness: Harness) -> None:
    """Make every insert into the inbound store fail, as a full disk or a lost database would."""
    with harness.engine.begin() as connection:
        if harness.engine.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON inbound_message "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON inbound_message "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )


def test_storage_failure_answers_451_and_stores_nothing(harness: Harness) -> None:
    refuse_writes(harness)
    with harness.daemon(), pytest.raises(smtplib.SMTPDataError) as deferred:
        harness.send(mail())
    assert deferred.value.smtp_code == 451
    assert b"try again later" in deferred.value.smtp_error
    assert harness.inbound() == []
    assert harness.tickets() == []


def test_ingest_exits_75_when_it_cannot_store(harness: Harness) -> None:
    refuse_writes(harness)
    done = harness.run_process("ingest", stdin=mail())
    assert done.returncode == 75, done.stderr.decode()
    # one line for the MTA's log, without the SQL statement and its parameters
    [line] = done.stderr.decode().splitlines()
    assert line.startswith("mailgate: could not store standard input: ")
    assert "full" in line or "No space left" in line
    assert harness.inbound() == []
    assert harness.tickets() == []


def test_sqlite_syncs_each_commit_before_the_door_says_yes(tmp_path: Path) -> None:
    # 250 and exit 0 come after the commit; with synchronous=NORMAL a power cut could still
    # roll that commit back in WAL mode (sqlite.org/pragma.html#pragma_synchronous)
    engine = make_engine(f"sqlite:///{tmp_path / 'durable.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def _write(harness: Harness, raw: bytes) -> str:
    path = harness.dir / f"mail-{len(list(harness.dir.glob('mail-*')))}.eml"
    path.write_bytes(raw)
    return str(path)


@pytest.mark.parametrize(
    "url", ["sqlite:///{dir}", "postgresql+psycopg://postgres@127.0.0.1:1/gone"]
)
def test_ingest_defers_when_the_database_is_unreachable(harness: Harness, url: str) -> None:
    # a directory where the SQLite file should be, or a PostgreSQL server that is not there
    text = harness.config_path.read_text().replace(harness.db_url, url.format(dir=harness.dir))
    harness.config_path.write_text(text)
    done = harness.run_process("ingest", stdin=mail())
    assert done.returncode == 75, done.stderr.decode()
    assert b"the database cannot be used" in done.stderr
    assert b"Traceback" not in done.stderr


def test_ingest_of_several_files_stores_them_together_and_says_what_became_of_each(
    harness: Harness,
) -> None:
    first = mail(subject="Printer", message_id="<one@school.example>")
    files = [
        _write(harness, first),
        _write(harness, b"\n"),
        _write(harness, first),  # the same message again: one ticket
        _write(harness, mail(subject="Projector", message_id="<two@school.example>")),
    ]
    done = harness.cli("ingest", "--sender", "jane@school.example",
                       "--recipient", "Support@Desk.example", *files)
    assert done.code == 0, done.err
    assert done.err.splitlines() == [
        f"mailgate: {files[1]} is empty; nothing stored",
        f"{files[2]}: already stored as message 1",
        "message 1: done",
        "message 1: skipped",
        "message 2: done",
        "sent 2 mail(s)",  # their acknowledgements
    ]
    stored = harness.inbound()
    assert [(m.envelope_from, m.envelope_to, m.raw) for m in stored] == [
        ("jane@school.example", ["support@desk.example"], first),
        ("jane@school.example", ["support@desk.example"], stored[1].raw),
    ]
    assert [t.subject for t in harness.tickets()] == ["Printer", "Projector"]
    # a file that cannot be read: those before it are stored, the MTA is told to try again
    again = harness.cli("ingest", _write(harness, mail(subject="Screen")),
                        str(harness.dir / "missing.eml"))
    assert again.code == 75
    assert "cannot read" in again.err
    assert len(harness.inbound()) == 3
