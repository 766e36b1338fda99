"""Issue 12: broken headers are still read, as a person (and Zammad) reads them — folded lines
that lost their leading white space, a line pasted above the headers, raw 8-bit subjects in a
charset the mail does not declare. The RT corpus mail and mails written the way gateways and
clients break them, several ways each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from parsing import parse_message
from tests.conftest import CORPUS
from tests.support.harness import Harness

pytestmark = pytest.mark.faults

_MANGLED = b"""Received: from mx.firm.example by desk.example
From: "Hans Mueller" <hans@firm.example>
To: support@desk.example, "Anna Berg" <anna@firm.example>,
"Third Person" <third@firm.example>
Subject: Printer on the second floor keeps jamming when printing double-sided
documents for the board meeting
Date: Mon, 23 Nov 2026 09:00:00 +0000
Message-ID: <m1@firm.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello, the printer on the second floor jams on every double-sided page.
"""
_SUBJECT = (
    "Printer on the second floor keeps jamming when printing double-sided documents"
    " for the board meeting"
)


def _with_crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.mark.parametrize("line_end", ["lf", "crlf"])
def test_folded_lines_that_lost_their_white_space_are_rejoined(line_end: str) -> None:
    raw = _MANGLED if line_end == "lf" else _with_crlf(_MANGLED)
    parsed = parse_message(raw)
    assert parsed.subject == _SUBJECT
    assert parsed.from_.email == "hans@firm.example"
    assert [a.email for a in parsed.to] == [
        "support@desk.example",
        "anna@firm.example",
        "third@firm.example",
    ]
    assert parsed.message_id == "m1@firm.example"  # the fields below the break are read too
    assert parsed.text.startswith("Hello, the printer")
    assert "header repaired: 2 folded lines without leading white space" in parsed.defects


def test_a_mangled_content_type_still_finds_the_parts_and_the_attachment() -> None:
    raw = b"""From: Jo Fisher <jo@firm.example>
To: support@desk.example
Subject: Scan of the broken
screen
Message-ID: <m2@firm.example>
MIME-Version: 1.0
Content-Type: multipart/mixed;
boundary="XYZ-boundary"

--XYZ-boundary
Content-Type: text/plain; charset=utf-8

The screen is cracked, photo attached.
--XYZ-boundary
Content-Type: image/png; name="screen.png"
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--XYZ-boundary--
"""
    parsed = parse_message(raw)
    assert parsed.subject == "Scan of the broken screen"
    assert parsed.text == "The screen is cracked, photo attached."
    assert [a.filename for a in parsed.attachments] == ["screen.png"]


@pytest.mark.parametrize(
    "pasted",
    [
        b"---- Original email message ----",
        b"-----Original Message-----",
        b"________________________________",
        b"Forwarded message from Hans",
        b"---- Original email message ----\n",  # with an empty-looking second line of spaces
    ],
)
def test_a_line_pasted_above_the_headers_is_ignored(pasted: bytes) -> None:
    body = _MANGLED.split(b"\n", 1)[1]  # without the Received line
    raw = pasted + (b"   \n" if pasted.endswith(b"\n") else b"\n") + body
    parsed = parse_message(raw)
    assert parsed.from_.email == "hans@firm.example"
    assert parsed.from_.name == "Hans Mueller"
    assert parsed.subject == _SUBJECT
    assert parsed.text.startswith("Hello, the printer")
    assert any(
        d.startswith("header repaired: line above the headers ignored") for d in parsed.defects
    )


def test_a_mail_with_an_mbox_from_line_is_not_repaired() -> None:
    raw = b"From hans@firm.example  Mon Nov 23 09:00:00 2026\n" + _MANGLED.split(b"\n", 1)[1]
    parsed = parse_message(raw)
    assert parsed.subject == _SUBJECT
    assert not any("line above the headers" in d for d in parsed.defects)


def test_a_body_without_a_blank_line_stays_the_body() -> None:
    """No field follows the text: it is the body (as the standard library reads it)."""
    raw = b"From: jo@firm.example\nSubject: Help\nMy mouse is broken, please send a new one\n"
    parsed = parse_message(raw)
    assert parsed.subject == "Help"
    assert "My mouse is broken" in parsed.text
    assert not any(d.startswith("header repaired") for d in parsed.defects)


def test_text_only_with_no_header_block_is_left_alone() -> None:
    raw = b"Hello\nthe printer is broken\nregards: Jo\n\nmore text\n"
    assert parse_message(raw).defects.count("MissingHeaderBodySeparatorDefect") == 1


def _raw_subject_mail(
    subject: bytes, *, name: bytes = b"Sara", declared: bytes = b"ISO-8859-1"
) -> bytes:
    return (
        b'From: "'
        + name
        + b'" <sara@corp.example>\nTo: info@desk.example\nSubject: '
        + subject
        + b"\nMessage-ID: <s1@corp.example>\nMIME-Version: 1.0\n"
        + b'Content-Type: text/plain; charset="'
        + declared
        + b'"\n'
        + b"Content-Transfer-Encoding: 8bit\n\nPlease see the subject.\n"
    )


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("绩效管理,究竟谁错了", "gb2312"),  # Zammad's mail015 subject, raw instead of encoded
        ("关于服务器无法登录的问题", "gb2312"),
        ("会议室投影仪坏了", "gb2312"),
        ("Re: 请帮忙", "gb2312"),
        ("打印機壞了", "big5"),
        ("프린터 고장", "euc-kr"),
        ("Ошибка принтера", "koi8-r"),
        ("Ошибка принтера", "windows-1251"),
    ],
)
def test_a_raw_8bit_subject_in_an_undeclared_charset_is_read(text: str, charset: str) -> None:
    parsed = parse_message(_raw_subject_mail(text.encode(charset)))
    assert parsed.subject == text


def test_a_raw_gb2312_sender_name_is_read() -> None:
    raw = _raw_subject_mail(b"Hello", name="王小明".encode("gb2312"))
    assert parse_message(raw).from_.name == "王小明"


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        ("Grüße aus München", b"ISO-8859-1"),
        ("Problème réseau", b"ISO-8859-1"),
        ("Zürich – Störung", b"windows-1252"),
        ("Håvard", b"ISO-8859-1"),
        ("Błąd", b"ISO-8859-2"),
    ],
)
def test_a_raw_8bit_subject_in_the_declared_latin_charset_is_kept(
    text: str, declared: bytes
) -> None:
    codec = "cp1252" if declared != b"ISO-8859-2" else "iso8859-2"
    parsed = parse_message(_raw_subject_mail(text.encode(codec), declared=declared))
    assert parsed.subject == text


def test_rt_koi8r_subject_without_a_content_type() -> None:
    """RT's t/data/emails/russian-subject-no-content-type: raw KOI8-R, no charset anywhere; RT
    reads 'тест тест'. Before this, mailgate showed 'ÔÅÓÔ ÔÅÓÔ'."""
    parsed = parse_message((CORPUS / "rt" / "russian-subject-no-content-type").read_bytes())
    assert parsed.subject == "тест тест"


def test_broken_headers_through_ingest_make_tickets_with_the_right_subject(
    harness: Harness, tmp_path: Path
) -> None:
    files = []
    for index, raw in enumerate(
        [
            _MANGLED.replace(b"hans@firm.example", b"hans@school.example"),
            b"---- Original email message ----\n"
            + _MANGLED.split(b"\n", 1)[1]
            .replace(b"<m1@", b"<m3@")
            .replace(b"hans@firm", b"ed@school"),
            _raw_subject_mail("会议室投影仪坏了".encode("gb2312")).replace(
                b"corp.example", b"school.example"
            ),
        ]
    ):
        path = tmp_path / f"broken{index}.eml"
        path.write_bytes(raw)
        files.append(str(path))
    result = harness.cli("ingest", *files)
    assert result.code == 0, result.err
    tickets = {t.subject: t for t in harness.tickets()}
    print(f"ingested {len(files)}, tickets {len(tickets)}")
    assert set(tickets) == {_SUBJECT, "会议室投影仪坏了"}
    rows = harness.inbound()
    assert len(rows) == 3 and all(r.state == "done" for r in rows), [
        (r.state, r.reason) for r in rows
    ]


class _RubyYaml(yaml.SafeLoader):
    """Zammad's expected parses are Ruby YAML: plain mappings tagged !ruby/hash:…"""


_RubyYaml.add_multi_constructor(
    "!ruby/",
    lambda loader, _suffix, node: loader.construct_mapping(node, deep=True),  # type: ignore[arg-type]
)


def _zammad(name: str) -> tuple[bytes, dict[str, Any]]:
    folder = CORPUS / "zammad"
    expected = yaml.load((folder / f"{name}.yml").read_text(encoding="utf-8"), Loader=_RubyYaml)
    return (folder / f"{name}.box").read_bytes(), expected


def test_zammad_mail068_pasted_line_and_unindented_folds() -> None:
    """Zammad's mail068: '---- Original email message ----' above the headers, and a gateway
    that dropped the leading white space of every fold (X-Spam-Status, both Received fields,
    one of them three lines long before its date). Zammad reads From and Subject; so must we."""
    raw, expected = _zammad("mail068")
    parsed = parse_message(raw)
    assert parsed.from_.email == expected["from_email"] == "xxxxx@xxxxx.cz"
    assert parsed.from_.name == expected["from_display_name"] == ""
    assert parsed.subject == expected["subject"] == "Contact from Server"
    assert "Čtvrtek 2. srpna 2018" in parsed.text  # the Windows-1250 body, as Zammad shows it
    assert any(
        d.startswith("header repaired: line above the headers ignored") for d in parsed.defects
    )
    assert "header repaired: 4 folded lines without leading white space" in parsed.defects


# Zammad reads the raw GB2312 display name as ISO-8859-2; the sender wrote 武兰成 (the same
# bytes as in its raw Subject, which Zammad does read as GB2312)
_ZAMMAD_MAIL046_NAME = "ÎäŔźłÉ"


def test_zammad_mail046_raw_gb2312_subject_under_an_iso_8859_1_part() -> None:
    """Zammad's mail046: a SpamAssassin report (text part declared iso-8859-1) whose top-level
    From and Subject are raw 8-bit GB2312 with no encoded-word."""
    raw, expected = _zammad("mail046")
    parsed = parse_message(raw)
    assert parsed.from_.email == expected["from_email"].lower() == "glopelf7121@example.com"
    assert parsed.subject == expected["subject"] == "转发：整体提升企业服务水平"
    assert expected["from_display_name"] == _ZAMMAD_MAIL046_NAME
    assert "武兰成".encode("gb2312").decode("iso-8859-2") == _ZAMMAD_MAIL046_NAME
    assert parsed.from_.name == "武兰成"
    assert "mögliche" in parsed.text  # the latin part stays latin
