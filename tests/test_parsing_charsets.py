"""Issue 3: charsets as they come in the wild; text is never lost to a decode error."""

from __future__ import annotations

import pytest

from parsing import parse_message
from parsing.charsets import decode_text
from parsing.headers import decode_header_value


def _mail(body: bytes, content_type: str, headers: bytes = b"", cte: bytes = b"8bit") -> bytes:
    return (
        b"From: Jane Doe <jane@school.example>\r\nTo: support@desk.example\r\n"
        + headers
        + b"Subject: test\r\nMIME-Version: 1.0\r\nContent-Type: "
        + content_type.encode()
        + b"\r\nContent-Transfer-Encoding: "
        + cte
        + b"\r\n\r\n"
        + body
    )


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("Принтер не работает, помогите", "koi8-r"),
        ("Принтер не работает, помогите", "windows-1251"),
        ("打印机坏了，请尽快帮忙处理", "gb2312"),
        ("打印机坏了，请尽快帮忙处理，谢谢", "gb18030"),
        ("プリンターが壊れました。至急お願いします", "iso-2022-jp"),
        ("Drucker kaputt – bitte „schnell“ helfen", "windows-1252"),
        ("Drukarka nie działa, proszę o pomoc", "windows-1250"),
        ("Ο εκτυπωτής δεν λειτουργεί", "windows-1253"),
        ("The printer is broken — £20 toner, café", "utf-7"),
        ("The printer is broken — £20 toner, café", "utf-8"),
    ],
)
def test_declared_charset_is_honoured(text: str, charset: str) -> None:
    parsed = parse_message(_mail(text.encode(charset), f"text/plain; charset={charset}"))
    assert parsed.text == text
    assert not [d for d in parsed.defects if d.startswith("charset")]


def test_gb2312_label_on_gbk_text_decodes_as_gb18030() -> None:
    # 'ⅰ' and '褚' are outside GB2312 but in GBK; Outlook labels such mail gb2312
    text = "褚先生：打印机坏了"
    assert decode_text(text.encode("gbk"), "gb2312").text == text


def test_wrong_declaration_falls_back_to_utf8_and_says_so() -> None:
    text = "Grüße, der Drucker im Raum 12 geht nicht"
    parsed = parse_message(_mail(text.encode("utf-8"), "text/plain; charset=us-ascii"))
    assert parsed.text == text
    assert any("'us-ascii' failed; decoded as utf-8" in d for d in parsed.defects)


def test_unknown_charset_label_falls_back() -> None:
    text = "Der Drucker im Raum zwölf ist kaputt"
    parsed = parse_message(_mail(text.encode("utf-8"), "text/plain; charset=x-no-such-thing"))
    assert parsed.text == text
    assert any("unknown" in d for d in parsed.defects)


def test_missing_declaration_with_8bit_text_is_detected() -> None:
    text = ("Bonjour, l'imprimante de la salle des professeurs ne fonctionne plus depuis "
            "ce matin. Pourriez-vous envoyer un technicien? Merci d'avance, Hélène")
    parsed = parse_message(_mail(text.encode("cp1252"), "text/plain"))
    assert "Hélène" in parsed.text and "salle des professeurs" in parsed.text
    notes = [d for d in parsed.defects if d.startswith("charset: text/plain part:")]
    assert notes and "no charset declared" in notes[0]


def test_undecodable_bytes_are_replaced_never_raised() -> None:
    decoded = decode_text(b"\xff\xfe\xfa\x80 abc \x81\x8d", "utf-8")
    assert "abc" in decoded.text
    assert decoded.note


def test_declared_iso2022_on_shift_jis_bytes_tries_the_sibling_first() -> None:
    text = "ツール"
    assert decode_text(text.encode("cp932"), "iso-2022-jp").text == text


def test_raw_8bit_subject_is_kept() -> None:
    raw = _mail(b"body", "text/plain; charset=iso-8859-1",
                headers="Subject: Drucker in Raum zwölf\r\n".encode("latin-1"))
    parsed = parse_message(raw.replace(b"Subject: test\r\n", b""))
    assert parsed.subject == "Drucker in Raum zwölf"


def test_raw_utf8_header_beats_the_body_charset() -> None:
    raw = _mail(b"body", "text/plain; charset=iso-8859-1",
                headers="Subject: Imprimante cassée\r\n".encode())
    assert parse_message(raw.replace(b"Subject: test\r\n", b"")).subject == "Imprimante cassée"


def test_raw_8bit_addresses_are_utf8_or_no_address() -> None:
    """RFC 6532: a UTF-8 address is an address; Latin-1 bytes in one make none (the pipeline
    once failed writing the surrogate escapes the stdlib leaves there)."""
    for address, expected in (("jöns@exämple.example".encode(), "jöns@exämple.example"),
                              ("jöns@example.example".encode("latin-1"), "")):
        cc_line = b"Cc: Jons <" + address + b">\r\n"
        raw = _mail(b"body", "text/plain; charset=utf-8", headers=cc_line)
        [cc] = parse_message(raw).cc
        assert (cc.name, cc.email) == ("Jons", expected)


def test_encoded_words_with_bad_charset_are_decoded_anyway() -> None:
    assert decode_header_value("=?x-unknown?B?SW1wcmltYW50ZSBjYXNzw6ll?=") == "Imprimante cassée"


def test_comma_inside_an_encoded_display_name() -> None:
    raw = _mail(b"body", "text/plain", headers=b"").replace(
        b"From: Jane Doe <jane@school.example>",
        b"From: =?iso-8859-1?Q?B=FCrling,=20Andreas?= <andreas@school.example>",
    )
    parsed = parse_message(raw)
    assert (parsed.from_.name, parsed.from_.email) == ("Bürling, Andreas", "andreas@school.example")


def test_iso2022jp_with_windows_extensions_is_read_whole() -> None:
    # ①, Ⅲ and ㈱ are NEC row 13, 髙 an IBM extension: Outlook writes them into ISO-2022-JP
    # (Microsoft's CP50220), which Python's iso2022_jp codecs refuse
    text = "①プリンター Ⅲ階 ㈱髙橋商事\n②至急"
    raw = (b"\x1b$B-!%W%j%s%?!<\x1b(B \x1b$B-73,\x1b(B \x1b$B-j|b66>&;v\x1b(B\r\n"
           b"\x1b$B-\";j5^\x1b(B")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("iso2022_jp_ext")
    parsed = parse_message(_mail(raw, "text/plain; charset=ISO-2022-JP", cte=b"7bit"))
    assert parsed.text == text
    assert not [d for d in parsed.defects if d.startswith("charset")]


def test_undeclared_iso2022jp_is_recognised_by_its_escapes() -> None:
    raw = "プリンターが壊れました".encode("iso2022_jp")
    assert decode_text(raw).text == "プリンターが壊れました"


def test_utf8_with_a_stray_byte_stays_utf8() -> None:
    # a pasted Windows-1252 ligature in otherwise UTF-8 text: detection would re-read all of
    # it as a legacy charset and garble every Cyrillic letter
    text = "Принтер в кабинете 12 не печатает, ошибка 49. Помогите, пожалуйста"
    data = text.encode() + b" \x9c"
    decoded = decode_text(data, "utf-8")
    assert decoded.text == text + " \ufffd"
    assert decoded.note.endswith("decoded as utf-8, 1 invalid bytes replaced")


def test_html_after_the_end_of_the_document_is_read() -> None:
    html = ("<html><body><p>The projector in room 5 is dead.</p></body></html>\r\n"
            "<div>Call me on 0113 496 0123</div></body></html>")
    parsed = parse_message(_mail(html.encode(), "text/html; charset=utf-8"))
    assert "projector in room 5" in parsed.text and "0113 496 0123" in parsed.text


@pytest.mark.parametrize("label", ["iso-8859-1", "windows-1252", "iso-8859-15"])
def test_utf8_labelled_as_a_single_byte_charset_is_read_as_utf8(label: str) -> None:
    """Scripts and webmails label UTF-8 as Latin-1: read as labelled, every umlaut would be two
    characters ('zurÃ¼ck'). Real Latin-1 text stays Latin-1."""
    raw = (f"From: j@x.example\nSubject: x\nContent-Type: text/plain; charset={label}\n"
           "Content-Transfer-Encoding: 8bit\n\n").encode() + "Jürgen Müller: zurück".encode()
    parsed = parse_message(raw)
    assert parsed.text == "Jürgen Müller: zurück"
    assert any("but the bytes are utf-8" in d for d in parsed.defects)
    latin = decode_text("Jürgen Müller: zurück".encode("latin-1"), label)
    assert (latin.text, latin.note) == ("Jürgen Müller: zurück", "")
