"""Parsing regressions a review found: a short Latin-1 subject read as CJK or Cyrillic, body
text merged into the headers when a body without a blank line quotes a forwarded header block,
and a text mail with many SQL '-- comment' lines cut as if it had thousands of MIME parts."""

from __future__ import annotations

import pytest

from parsing import parse_message
from tests.test_broken_headers import _raw_subject_mail

pytestmark = pytest.mark.faults


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        ("°C", b"ISO-8859-1"),  # was read as '癈'
        ("Raum 2 ÖÄ", b"ISO-8859-1"),  # was 'Raum 2 帜'
        ("AÇÃO", b"ISO-8859-1"),  # was 'A敲O'
        ("¡Hola!", b"ISO-8859-1"),  # was 'ЎHola!'
        ("ÑÚ", b"ISO-8859-1"),  # was '掩'
        ("€", b"windows-1252"),  # was 'Ђ'
        ("€", b"ISO-8859-1"),  # 0x80 is the euro sign in practice, not a C1 control
    ],
)
def test_a_short_raw_latin_subject_keeps_the_declared_charset(text: str, declared: bytes) -> None:
    parsed = parse_message(_raw_subject_mail(text.encode("cp1252"), declared=declared))
    assert parsed.subject == text


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("绩效管理,究竟谁错了", "gb2312"),
        ("Re: 请帮忙", "gb2312"),  # six bytes: the shortest run still guessed
        ("打印機壞了", "big5"),
        ("Ошибка принтера", "koi8-r"),
        ("Ошибка принтера", "windows-1251"),
    ],
)
def test_a_long_enough_cjk_or_cyrillic_subject_under_a_latin_label_is_still_read(
    text: str, charset: str
) -> None:
    parsed = parse_message(_raw_subject_mail(text.encode(charset)))
    assert parsed.subject == text


def test_c1_controls_in_the_declared_reading_are_never_the_subject() -> None:
    """ISO-8859-2 maps 0x80-0x9F to invisible control characters: however short the run, a
    legacy charset's reading is taken instead (here Shift_JIS bytes, three non-ASCII)."""
    raw = _raw_subject_mail("テスト".encode("cp932"), declared=b"ISO-8859-2")
    subject = parse_message(raw).subject
    assert subject and not any("\x80" <= ch <= "\x9f" for ch in subject)


_FORWARDED_WITHOUT_BLANK_LINE = b"""From: Jo Fisher <jo@firm.example>
To: support@desk.example
Subject: Fwd: printer quote
Message-ID: <f1@firm.example>
Please have a look at the quote below.
---------- Forwarded message ---------
From: Sales <sales@vendor.example>
To: Jo Fisher <jo@firm.example>
Cc: Pat Other <pat@thirdparty.example>
Subject: printer quote
The new printer costs 400 EUR.
"""


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"])
def test_a_forwarded_header_block_in_a_body_without_a_blank_line_stays_body(
    line_end: bytes,
) -> None:
    parsed = parse_message(_FORWARDED_WITHOUT_BLANK_LINE.replace(b"\n", line_end))
    assert parsed.subject == "Fwd: printer quote"
    assert parsed.from_.email == "jo@firm.example"
    assert [a.email for a in parsed.to] == ["support@desk.example"]
    assert parsed.cc == ()
    assert "Please have a look at the quote below." in parsed.text
    assert "The new printer costs 400 EUR." in parsed.text
    assert not any(d.startswith("header repaired") for d in parsed.defects)


def test_a_body_line_ending_in_a_comma_does_not_pull_the_next_one_into_the_headers() -> None:
    raw = (
        b"From: jo@firm.example\nTo: support@desk.example\nSubject: Printer\n"
        b"Hello team,\nthe printer on floor 2 is broken;\nplease send someone,\nthanks\n"
        b"To: the facilities list\n"
    )
    parsed = parse_message(raw)
    assert parsed.subject == "Printer"
    assert [a.email for a in parsed.to] == ["support@desk.example"]
    assert "Hello team,\nthe printer on floor 2 is broken;\nplease send someone," in parsed.text


def _sql_script(lines: int = 9000) -> bytes:
    return b"".join(
        b"-- step %d: move the old tickets\r\nUPDATE tickets SET queue = 2 WHERE id = %d;\r\n"
        % (i, i) for i in range(lines)
    )


def test_a_text_mail_of_sql_comment_lines_is_read_whole() -> None:
    """9,000 '-- comment' lines (a 230 KB SQL script pasted as text) are not MIME boundaries."""
    sql = _sql_script()
    raw = (b"From: dba@firm.example\r\nTo: support@desk.example\r\nSubject: Migration script\r\n"
           b"Message-ID: <sql1@firm.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           b"Please run this tonight:\r\n" + sql + b"-- end of script\r\n")
    assert len(raw) > 230_000
    parsed = parse_message(raw)
    assert not any(d.startswith("limit:") for d in parsed.defects), parsed.defects
    assert parsed.text.count("-- step ") == 9000
    assert parsed.text.rstrip().endswith("-- end of script")


def test_sql_comment_lines_in_a_multipart_mail_count_only_its_boundaries() -> None:
    raw = (b"From: dba@firm.example\r\nTo: support@desk.example\r\nSubject: Migration\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"--=_part\"\r\n\r\n"
           b"----=_part\r\nContent-Type: text/plain\r\n\r\nThe script:\r\n" + _sql_script()
           + b"-- end of script\r\n----=_part\r\nContent-Type: text/plain\r\n\r\nThanks, Dana"
           + b"\r\n----=_part--\r\n")
    parsed = parse_message(raw)
    assert not any(d.startswith("limit:") for d in parsed.defects), parsed.defects
    assert "-- end of script" in parsed.text and "Thanks, Dana" in parsed.text


def test_a_mail_of_countless_empty_parts_is_still_cut() -> None:
    """The case the limit is for: the standard library would build every empty part (a
    million take 14 s and 360 MB); the bounded size here is 100,000."""
    raw = (b"From: x@bad.example\r\nTo: support@desk.example\r\nSubject: parts\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nThe printer is broken.\r\n"
           + b"--b\r\n\r\n" * 100_000 + b"--b--\r\n")
    parsed = parse_message(raw)
    assert any("more than 8,000 boundary lines" in d for d in parsed.defects), parsed.defects
    assert "The printer is broken." in parsed.text
