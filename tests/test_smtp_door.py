"""Issue 2: the SMTP door under hostile and careless input. Each test speaks SMTP to the running
listener on loopback; whatever it is sent, the daemon goes on serving, a message is stored whole
or not at all, and the same mail makes the same ticket on SQLite and PostgreSQL."""

from __future__ import annotations

import smtplib

from tests.mail import mail
from tests.support.harness import DESK, Harness, crlf

HEAD = (
    b"From: Jane Doe <jane@school.example>\r\n"
    b"To: support@desk.example\r\n"
    b"Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
)


def connect(harness: Harness) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", harness.smtp_in_port, timeout=30)
    client.ehlo()
    return client


def test_bare_line_feeds_and_long_lines_are_stored_not_bounced(harness: Harness) -> None:
    # A script's report: LF line ends (smtplib sends bytes as given, so the server sees one
    # line of 9 KB) and a line of 5,000 characters. aiosmtpd alone answers 500 and the sender
    # gets a bounce.
    report = b"".join(b"line %d of the nightly backup report\n" % n for n in range(200))
    raw = (
        HEAD.replace(b"\r\n", b"\n")
        + b"Subject: Nightly backup failed\nMessage-ID: <report@school.example>\n\n"
        + b"The backup of the file server failed tonight.\n" + b"y" * 5000 + b"\n" + report
    )
    with harness.daemon(), connect(harness) as client:
        assert client.sendmail("backup@school.example", [DESK], raw) == {}
        harness.wait_processed(1)
    [inbound] = harness.inbound()
    assert inbound.raw == raw + b"\r\n"  # as it arrived; the client ended the data with CRLF
    data = harness.ticket_json("INC0000001")
    assert data["subject"] == "Nightly backup failed"
    body = data["messages"][0]["body"]
    assert "y" * 5000 in body
    assert "line 0 of the nightly backup report\nline 1 of" in body
    assert "line 199 of the nightly backup report" in body


def test_nul_bytes_in_headers_and_body_still_make_a_ticket(harness: Harness) -> None:
    # PostgreSQL's text cannot hold NUL: the raw bytes keep it, the text we read drops it
    raw = HEAD.replace(b"Jane Doe", b"Jane\x00 Doe") + (
        b"Subject: Printer\x00 in room 12 is jammed\r\n"
        b"Message-ID: <nul\x00byte@school.example>\r\n\r\n"
        b"The printer in room 12\x00 shows a paper jam.\r\n"
    )
    with harness.daemon():
        assert harness.send(raw, mail_from="jane@school.example") == {}
        harness.wait_processed(1)
    [inbound] = harness.inbound()
    assert (inbound.raw, inbound.state) == (raw, "done")
    data = harness.ticket_json("INC0000001")
    assert data["subject"] == "Printer in room 12 is jammed"
    assert data["requester"]["name"] == "Jane Doe"
    assert "room 12 shows a paper jam" in data["description"]


def test_control_characters_in_envelope_addresses_are_refused_and_the_door_stays_open(
    harness: Harness,
) -> None:
    with harness.daemon(), connect(harness) as client:
        code, reply = client.docmd("MAIL FROM:<ja\x00ne@school.example>")
        assert (code, reply) == (553, b"5.1.7 control characters in the sender address")
        assert client.mail("jane@school.example")[0] == 250
        code, reply = client.docmd("RCPT TO:<any\x01one@helpdesk.example>")
        assert (code, reply) == (553, b"5.1.3 control characters in the recipient address")
        assert client.rcpt(DESK)[0] == 250
        assert client.data(crlf(mail()))[0] == 250
        harness.wait_processed(1)
    [inbound] = harness.inbound()
    assert (inbound.envelope_from, inbound.envelope_to) == ("jane@school.example", [DESK])
    assert len(harness.tickets()) == 1


def test_eight_bit_mail_without_8bitmime_is_taken(harness: Harness) -> None:
    # an old client that neither declares BODY=8BITMIME nor a charset: Latin-1 bytes
    raw = HEAD + (
        "Subject: Café printer\r\nMessage-ID: <latin1@school.example>\r\n\r\n"
        "The printer in the café prints crème brûlée instead of the menu.\r\n"
    ).encode("latin-1")
    with harness.daemon(), connect(harness) as client:
        assert client.sendmail("jane@school.example", [DESK], raw) == {}
        harness.wait_processed(1)
    [inbound] = harness.inbound()
    assert inbound.raw == raw
    data = harness.ticket_json("INC0000001")
    assert data["subject"] == "Café printer"
    assert data["description"].startswith("The printer in the café prints cr")


def test_a_client_that_hangs_up_in_the_middle_of_data_stores_nothing(harness: Harness) -> None:
    with harness.daemon():
        client = connect(harness)
        client.mail("jane@school.example")
        client.rcpt(DESK)
        assert client.docmd("DATA")[0] == 354
        client.send(crlf(mail(message_id="<cut@school.example>"))[:150])
        client.close()
        # the door is still open; only the whole message is stored
        assert harness.send(mail(message_id="<whole@school.example>")) == {}
        harness.wait_processed(1)
    assert [m.message_id for m in harness.inbound()] == ["whole@school.example"]
    assert len(harness.tickets()) == 1


def test_a_thousand_recipients_make_one_message_and_one_ticket(harness: Harness) -> None:
    recipients = [DESK] + [f"desk{n}@helpdesk.example" for n in range(999)]
    with harness.daemon():
        assert harness.send(mail(), mail_from="jane@school.example", to=recipients) == {}
        harness.wait_processed(1)
        harness.wait_sink(1)
    [inbound] = harness.inbound()
    assert len(inbound.envelope_to) == 1000
    assert len(harness.tickets()) == 1
    assert [m.rcpt_tos for m in harness.sink.messages] == [["jane@school.example"]]


def test_a_huge_header_is_stored_and_read(harness: Harness) -> None:
    # a class list pasted into To: 20,000 addresses, 560 KB in one header
    to = b",\r\n ".join(b"pupil%d@school.example" % n for n in range(20000))
    raw = (
        b"From: Jane Doe <jane@school.example>\r\nTo: " + to + b"\r\n"
        b"Subject: Class list for the new term\r\nMessage-ID: <classlist@school.example>\r\n\r\n"
        b"Please add these pupils to the learning platform.\r\n"
    )
    with harness.daemon():
        assert harness.send(raw, mail_from="jane@school.example") == {}
        harness.wait_processed(1)
    [inbound] = harness.inbound()
    assert inbound.raw == raw
    data = harness.ticket_json("INC0000001")
    assert data["subject"] == "Class list for the new term"
    assert len(data["messages"][0]["to"]) == 20000


def test_overlong_names_and_attachment_details_are_cut_alike_on_both_databases(
    harness: Harness,
) -> None:
    # PostgreSQL refuses a value wider than its column, SQLite keeps it: both must make the ticket
    name = "Jane Doe, Year 7 Coordinator and Deputy Head of Science " * 8  # 456 characters
    raw = (
        f'From: "{name}" <jane@school.example>\r\n'.encode()
        + b"To: support@desk.example\r\nSubject: Scanner settings\r\n"
        b"Message-ID: <wide@school.example>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=BB\r\n\r\n"
        b"--BB\r\nContent-Type: text/plain\r\n\r\nThe scanner settings are attached.\r\n"
        b"--BB\r\nContent-Type: application/x-" + b"s" * 300 + b"\r\n"
        b"Content-ID: <" + b"c" * 600 + b"@school.example>\r\n"
        b'Content-Disposition: attachment; filename="' + b"settings-" * 80 + b'.ini"\r\n\r\n'
        b"resolution=600\r\n--BB--\r\n"
    )
    with harness.daemon():
        assert harness.send(raw, mail_from="jane@school.example") == {}
        harness.wait_processed(1)
    [inbound] = harness.inbound()
    assert (inbound.state, inbound.raw) == ("done", raw)
    data = harness.ticket_json("INC0000001")
    assert data["subject"] == "Scanner settings"
    [attachment] = data["messages"][0]["attachments"]
    assert attachment["filename"].startswith("settings-settings-")
    assert len(attachment["filename"]) <= 500


def test_an_address_too_long_to_answer_is_quarantined_with_the_reason(harness: Harness) -> None:
    # RFC 5321 §4.5.3.1.3: no reply could ever reach a 300-character address
    sender = "j" * 300 + "@school.example"
    with harness.daemon():
        assert harness.send(mail(sender=f"Jane <{sender}>"), mail_from="jj@school.example") == {}
        harness.wait_processed(1)
    [row] = harness.cli("quarantine", "list", "--json").json()
    assert row["reason"] == "the mail has no usable From address"
    assert harness.tickets() == []
