"""Issue 3: MIME structure, attachments, HTML text, quotes and signatures, big mail."""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import tracemalloc
from email.message import EmailMessage

import pytest

from parsing import parse_message
from parsing.attachments import safe_filename
from tests.conftest import CORPUS


def _base() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane@school.example>"
    message["To"] = "support@desk.example"
    message["Subject"] = "Screenshots"
    message["Message-ID"] = "<m1@school.example>"
    return message


def test_attachment_bytes_name_type_size_and_hash() -> None:
    message = _base()
    message.set_content("see attached")
    data = os.urandom(3000)
    message.add_attachment(data, maintype="application", subtype="pdf", filename="report.pdf")
    [item] = parse_message(message.as_bytes()).attachments
    assert (item.filename, item.content_type, item.size) == ("report.pdf", "application/pdf", 3000)
    assert item.content == data
    assert item.sha256 == hashlib.sha256(data).hexdigest()


def test_attachment_over_the_limit_is_measured_but_not_kept() -> None:
    message = _base()
    message.set_content("see attached")
    message.add_attachment(b"x" * 5000, maintype="image", subtype="png", filename="big.png")
    [item] = parse_message(message.as_bytes(), max_attachment_bytes=4096).attachments
    assert item.content is None and item.size == 5000
    assert item.sha256 == hashlib.sha256(b"x" * 5000).hexdigest()
    assert "over the 4096 byte limit" in item.skipped_reason


def test_rfc2231_filename_continuations_from_the_rt_corpus() -> None:
    raw = (CORPUS / "rt" / "rfc2231-attachment-filename-continuations").read_bytes()
    [item] = parse_message(raw).attachments
    assert item.filename == "新しいテキスト ドキュメント.txt"


def test_rfc2231_percent_encoded_bytes_in_a_wrong_charset_are_recovered() -> None:
    raw = (CORPUS / "zammad" / "mail073.box").read_bytes()
    names = sorted(a.filename for a in parse_message(raw).attachments)
    assert names == ["Bestellbestätigung_BK18052795.jpg", "Forex Platte ohne Wölbung.jpg"]


def test_unsafe_filenames_are_made_safe() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\jane\\evil.exe") == "evil.exe"
    assert safe_filename("a\x00b<c>:d.txt") == "a_b_c__d.txt"
    assert safe_filename("CON.txt") == "_CON.txt"
    assert safe_filename("...", "image/png") == "attachment.png"
    long = safe_filename("x" * 400 + ".docx")
    assert len(long) <= 180 and long.endswith(".docx")


def test_repeated_names_get_a_counter() -> None:
    message = _base()
    message.set_content("two scans")
    for payload in (b"one", b"two"):
        message.add_attachment(payload, maintype="image", subtype="png", filename="scan.png")
    names = [a.filename for a in parse_message(message.as_bytes()).attachments]
    assert names == ["scan.png", "scan (2).png"]


def test_inline_image_is_linked_to_the_html_body() -> None:
    message = _base()
    message.set_content("see the picture")
    message.add_alternative(
        '<p>See the error:</p><img src="cid:shot1@school.example" alt="error dialog">',
        subtype="html",
    )
    html_part = message.get_payload()[1]
    html_part.add_related(b"\x89PNG fake", maintype="image", subtype="png",
                          cid="<shot1@school.example>", filename="shot.png")
    parsed = parse_message(message.as_bytes())
    [image] = parsed.attachments
    assert image.inline and image.content_id == "shot1@school.example"
    assert f"cid:{image.content_id}" in parsed.html


def test_forwarded_message_is_kept_as_eml() -> None:
    inner = _base()
    inner.replace_header("Subject", "Original problem report")
    inner.set_content("The server room is too hot")
    outer = _base()
    outer.set_content("Forwarding this one")
    outer.add_attachment(inner)
    parsed = parse_message(outer.as_bytes())
    [item] = parsed.attachments
    assert item.filename == "Original problem report.eml"
    assert item.content_type == "message/rfc822"
    assert b"The server room is too hot" in (item.content or b"")
    assert parsed.text == "Forwarding this one"


def test_only_a_forwarded_message_gives_its_text() -> None:
    raw = (CORPUS / "rt" / "outlook-rfc822").read_bytes()
    parsed = parse_message(raw)
    assert [a.content_type for a in parsed.attachments] == ["message/rfc822"]
    assert parsed.text


def _tnef(files: list[tuple[str, bytes]]) -> bytes:
    """A minimal winmail.dat ([MS-OXTNEF] §2.1.3): signature, key, attachment attributes."""
    def attribute(name: int, kind: int, data: bytes) -> bytes:
        checksum = struct.pack("<H", sum(data) & 0xFFFF)
        return struct.pack("<BHHI", 2, name, kind, len(data)) + data + checksum

    blob = struct.pack("<IH", 0x223E9F78, 1)
    for name, data in files:
        blob += attribute(0x9002, 6, b"\x01\x00" + b"\x00" * 12)  # attAttachRendData
        blob += attribute(0x8010, 1, name.encode() + b"\x00")  # attAttachTitle
        blob += attribute(0x800F, 6, data)  # attAttachData
    return blob


def test_winmail_dat_is_unpacked() -> None:
    message = _base()
    message.set_content("see attached")
    message.add_attachment(
        _tnef([("budget.xlsx", b"PK fake xlsx"), ("notes.txt", b"hello")]),
        maintype="application", subtype="ms-tnef", filename="winmail.dat",
    )
    parsed = parse_message(message.as_bytes())
    assert [(a.filename, a.content) for a in parsed.attachments] == [
        ("budget.xlsx", b"PK fake xlsx"), ("notes.txt", b"hello"),
    ]


def test_broken_winmail_dat_is_kept_as_it_is() -> None:
    message = _base()
    message.set_content("see attached")
    message.add_attachment(b"not tnef at all", maintype="application", subtype="ms-tnef",
                           filename="winmail.dat")
    parsed = parse_message(message.as_bytes())
    assert [a.filename for a in parsed.attachments] == ["winmail.dat"]
    assert any("winmail.dat kept" in d for d in parsed.defects)


def test_html_only_mail_becomes_readable_text() -> None:
    message = _base()
    message.set_content(
        "<html><body><p>Hello,</p><p>The <b>projector</b> in <a href='https://map.example/r4'>"
        "room 4</a> is broken.</p><table><tr><td>Asset</td><td>PJ-0042</td></tr>"
        "<tr><td>Since</td><td>Monday</td></tr></table><p>Thanks</p></body></html>",
        subtype="html",
    )
    parsed = parse_message(message.as_bytes())
    lines = parsed.text.splitlines()
    assert "Hello," in lines
    assert "The projector in [room 4](https://map.example/r4) is broken." in lines
    assert any(line.split() == ["Asset", "PJ-0042"] for line in lines)
    assert any(line.split() == ["Since", "Monday"] for line in lines)


def test_reply_text_drops_quotes_and_signature() -> None:
    message = _base()
    message.set_content(
        "Still broken after the restart.\n\nKind regards,\nJane Doe\nBursar\n\n"
        "On Mon, 23 Nov 2026 at 09:00, IT Desk <support@desk.example> wrote:\n"
        "> Please restart the printer.\n"
    )
    parsed = parse_message(message.as_bytes())
    assert parsed.reply_text == "Still broken after the restart."
    assert "Jane Doe" in parsed.signature
    assert "Please restart" in parsed.text  # the full text stays available


def test_big_attachment_peaks_under_two_times_the_mail() -> None:
    message = _base()
    message.set_content("the log file")
    data = os.urandom(8 * 1024 * 1024)
    message.add_attachment(data, maintype="application", subtype="octet-stream",
                           filename="big.log")
    raw = message.as_bytes()
    tracemalloc.start()
    try:
        parsed = parse_message(raw, max_attachment_bytes=32 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [item] = parsed.attachments
    assert item.content == data
    assert peak < 2 * len(raw)  # the decoded file (0.74x) and little else


def test_uuencoded_file_inside_a_lotus_notes_body_becomes_an_attachment() -> None:
    parsed = parse_message((CORPUS / "rt" / "notes-uuencoded").read_bytes())
    [item] = parsed.attachments
    assert (item.filename, item.content_type, item.size) == ("Naz_Head.jpg", "image/jpeg", 104846)
    assert (item.content or b"").startswith(b"\xff\xd8\xff")  # a JPEG
    assert "begin 644" not in parsed.text and "Lotus Notes" in parsed.text


def test_delivery_reports_name_the_mail_they_return() -> None:
    """RFC 3462 reports from real mail systems: the returned message (or its header) names
    the mail that bounced; other mail names none."""
    expected = {
        "rt/multipart-report": "200308221615.h7MGFGac020135@mx12.other.example.com",
        "zammad/mail033-undelivered-mail-returned-to-sender.box":
            "20150830145601.30.608881@edenhofer.zammad.com",
        "zammad/mail055.box": "20170526150141.232.13312@example.zammad.loc",
    }
    for name, message_id in expected.items():
        assert parse_message((CORPUS / name).read_bytes()).returned_message_id == message_id
    forwarded = (CORPUS / "rt" / "rfc2231-attachment-filename-continuations").read_bytes()
    assert parse_message(forwarded).returned_message_id == ""


def _report(report_type: str, fields: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example\nTo: support@desk.example\nSubject: Report\n"
        f'MIME-Version: 1.0\nContent-Type: multipart/report; report-type={report_type}; '
        'boundary="R"\n\n--R\nContent-Type: text/plain\n\nSee below.\n\n'
        f"--R\nContent-Type: message/{report_type}\n\n{fields}\n"
        "--R\nContent-Type: text/rfc822-headers\n\nMessage-ID: <ours-1@desk.example>\n"
        "Subject: x\n\n--R--\n"
    ).encode()


def test_only_a_failed_delivery_names_the_mail_it_returns() -> None:
    """RFC 3464: only recipients with Action: failed are a bounce; a delay, a delivery or a
    read receipt (RFC 8098) names nothing."""
    mta = "Reporting-MTA: dns; mx.example\n\n"
    partial = parse_message(_report("delivery-status", mta
        + "Final-Recipient: rfc822; cc@school.example\nAction: failed\nStatus: 5.1.1\n\n"
        + "Final-Recipient: rfc822; jane@school.example\nAction: delivered\nStatus: 2.0.0\n"))
    assert partial.returned_message_id == "ours-1@desk.example"
    assert partial.failed_recipients == ("cc@school.example",)
    delayed = parse_message(_report("delivery-status", mta
        + "Final-Recipient: rfc822; jane@school.example\nAction: delayed\nStatus: 4.4.1\n"))
    assert (delayed.returned_message_id, delayed.failed_recipients) == ("", ())
    receipt = parse_message(_report("disposition-notification",
        "Final-Recipient: rfc822; jane@school.example\nDisposition: manual-action/"
        "MDN-sent-manually; displayed\n"))
    assert (receipt.returned_message_id, receipt.failed_recipients) == ("", ())


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [("message/delivery-status", "base64"), ("message/global-delivery-status", "8bit")],
)
def test_an_encoded_or_global_delivery_status_is_read(content_type: str, encoding: str) -> None:
    """Exchange base64-encodes the status part; RFC 6533 reports carry UTF-8 addresses."""
    fields = ("Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; cc@school.example\n"
              "Action: failed\nStatus: 5.1.1\n")
    body = base64.encodebytes(fields.encode()).decode() if encoding == "base64" else fields
    raw = (
        "From: MAILER-DAEMON@mx.example\nTo: support@desk.example\nSubject: Report\n"
        'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; '
        'boundary="R"\n\n--R\nContent-Type: text/plain\n\nSee below.\n\n'
        f"--R\nContent-Type: {content_type}\nContent-Transfer-Encoding: {encoding}\n\n{body}\n"
        "--R\nContent-Type: text/rfc822-headers\n\nMessage-ID: <ours-1@desk.example>\n\n--R--\n"
    ).encode()
    parsed = parse_message(raw)
    assert parsed.failed_recipients == ("cc@school.example",)
    assert parsed.returned_message_id == "ours-1@desk.example"


def test_a_folded_final_recipient_is_read() -> None:
    parsed = parse_message(_report("delivery-status", "Reporting-MTA: dns; mx.example\n\n"
                                   "Final-Recipient: rfc822;\n cc@school.example\n"
                                   "Action: failed\nStatus: 5.1.1\n"))
    assert parsed.failed_recipients == ("cc@school.example",)
