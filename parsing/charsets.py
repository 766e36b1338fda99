"""Text from bytes in whatever charset the sender's software claimed (or forgot to claim).

The chain never loses text: the declared charset (through the aliases mail software really
uses), then UTF-8, then a sibling of the declared charset, then UTF-8 with a few bad bytes
replaced when nearly all of the text is UTF-8, then statistical detection (charset-normalizer),
then UTF-8 with U+FFFD.
Every step past the first is reported, so the ticket can say how its text was recovered.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

from parsing.jis import decode_iso2022jp_ms

# Labels seen in real mail that Python does not know, or knows as a narrower charset than the
# one senders actually use (WHATWG Encoding Standard §4.2 maps the same way).
_ALIASES = {
    "gb2312": "gb18030",  # a strict subset: Windows and Outlook send GBK/GB18030 under this label
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "iso-8859-1": "cp1252",  # 0x80-0x9F are C1 controls in latin-1, curly quotes in practice
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",  # strict: 8-bit bytes under this label are usually UTF-8
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "x-sjis": "cp932",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "big5": "big5hkscs",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "unicode-1-1-utf-7": "utf-7",
    "x-unicode20utf8": "utf-8",
    "x-user-defined": "cp1252",
    "unknown-8bit": "",
    "x-unknown": "",
    "unknown": "",
    "default": "",
}


# When a declared charset fails, the text is usually in a sibling encoding of the same script
# (Shift_JIS labelled ISO-2022-JP, Big5 labelled GB2312): try those before guessing.
_SIBLINGS = {
    "iso2022_jp_ext": ("iso2022_jp_2", "cp932", "euc_jp"),
    "iso2022_jp": ("cp932", "euc_jp"),
    "cp932": ("euc_jp", "iso2022_jp_ext"),
    "euc_jp": ("cp932",),
    "gb18030": ("big5hkscs",),
    "big5hkscs": ("gb18030",),
    "cp949": ("iso2022_kr",),
    "koi8_r": ("cp1251", "koi8_u"),
    "cp1251": ("koi8_r",),
    "iso8859_5": ("cp1251", "koi8_r"),
}


_JIS_ESCAPE = b"\x1b$B"  # JIS X 0208 in ISO-2022-JP (RFC 1468 §3)
_MOSTLY_UTF8 = 10  # valid non-ASCII characters per invalid byte, at least


def siblings(codec: str) -> tuple[str, ...]:
    return _SIBLINGS.get(codec, ())


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    charset: str  # the codec that produced `text`
    note: str = ""  # '' when the declared charset worked; otherwise what happened


def normalise_charset(label: str | None) -> str:
    """A Python codec name for a MIME charset label, or '' when it names nothing usable."""
    if not label:
        return ""
    label = label.strip().strip("\"'").lower()
    if label in _ALIASES:
        return _ALIASES[label]
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):  # ValueError: a NUL inside the label
        return ""


def strict_decode(data: bytes, codec: str) -> str | None:
    """`data` in `codec`, or None when it is not valid there."""
    if codec.startswith("iso2022") and not data.isascii():
        return None  # a 7-bit encoding (RFC 1468): Python's decoder lets 8-bit bytes through
    try:
        text = data.decode(codec)
    except (LookupError, UnicodeDecodeError, ValueError):
        # ISO-2022-JP as Windows writes it (NEC and IBM rows): still the declared charset
        return decode_iso2022jp_ms(data) if codec.startswith("iso2022_jp") else None
    if codec == "utf-7" and "\ufffd" in text:
        return None
    return text


SINGLE_BYTE = ("latin_1", "iso8859", "cp125", "windows_125")


def decode_text(data: bytes, declared: str | None = None) -> Decoded:
    """Decode body or header bytes: declared → UTF-8 → detection → UTF-8 with replacement."""
    codec = normalise_charset(declared)
    if (
        codec.startswith(SINGLE_BYTE)
        and not data.isascii()
        and (text := strict_decode(data, "utf-8")) is not None
    ):
        # A single-byte charset decodes any bytes, so it cannot fail where it is wrong; text in
        # it that is also valid multi-byte UTF-8 is vanishingly rare, while UTF-8 labelled
        # iso-8859-1 or windows-1252 by a script or a webmail is common ('zurÃ¼ck')
        return Decoded(text, "utf-8", f"declared charset {declared!r}, but the bytes are utf-8")
    if codec:
        text = strict_decode(data, codec)
        if text is not None:
            return Decoded(text, codec)
    if data.isascii() and not codec:
        if _JIS_ESCAPE in data and (text := decode_iso2022jp_ms(data)) is not None:
            return Decoded(text, "iso2022_jp", "no charset declared; ISO-2022-JP escapes found")
        # RFC 2045 §5.2: no charset means US-ASCII; utf-7 would look like ASCII too, so only
        # a declared utf-7 is decoded as such
        return Decoded(data.decode("ascii"), "ascii")
    if not declared:
        why = "no charset declared"
    else:
        why = f"declared charset {declared!r} " + ("failed" if codec else "unknown")
    if not codec.startswith("iso2022"):  # 7-bit escapes read as UTF-8 are not text
        text = strict_decode(data, "utf-8")
        if text is not None:
            return Decoded(text, "utf-8", f"{why}; decoded as utf-8")
    for sibling in siblings(codec):
        text = strict_decode(data, sibling)
        if text is not None:
            return Decoded(text, sibling, f"{why}; decoded as {sibling}")
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    if bad and sum(1 for ch in text if ch > "\x7f") - bad >= _MOSTLY_UTF8 * bad:
        # UTF-8 with a stray byte or two (a pasted character, a cut sequence): guessing
        # another charset would garble every other non-ASCII character
        return Decoded(text, "utf-8", f"{why}; decoded as utf-8, {bad} invalid bytes replaced")
    # detection guesses wildly on a few bytes, and UTF-16/32 without a BOM is never mail text
    best = from_bytes(data[:65536]).best() if len(data) >= 32 else None
    if best is not None and not best.encoding.startswith(("utf_16", "utf_32")):
        text = strict_decode(data, best.encoding)
        if text is not None:
            return Decoded(text, best.encoding, f"{why}; detected {best.encoding}")
    elif len(data) < 32 and (text := strict_decode(data, "cp1252")) is not None:
        # a file name or a word: too short to detect; the most common legacy mail charset
        return Decoded(text, "cp1252", f"{why}; too short to detect, read as windows-1252")
    return Decoded(
        data.decode("utf-8", "replace"), "utf-8", f"{why}; undecodable bytes replaced (U+FFFD)"
    )


# Legacy multi-byte and Cyrillic charsets that raw 8-bit headers are written in; a tie in
# plausibility goes to the earlier one. Shift_JIS is last: its half-width katakana read any
# byte run as text, and Japanese headers are mostly 7-bit ISO-2022-JP words anyway.
_LEGACY_CANDIDATES = ("gb18030", "big5hkscs", "cp949", "koi8_r", "cp1251", "cp932")
_PLAUSIBLE = 0.3  # charset-normalizer's mess ratio: 0 reads like text, Latin-1 read CJK is ~2
# The mess measure calls any short non-ASCII run messy ('°C', 'AÇÃO' score 0.3-1.0), and every
# candidate reads two bytes as one plausible ideograph: below this many non-ASCII bytes a
# readable declared charset is kept ('Re: 请帮忙' in GB2312 is six).
_MIN_GUESS_BYTES = 6
_CLEAR_MARGIN = 0.3  # how much less messy a candidate must read than the declared charset
_C1_CONTROLS = re.compile("[\x80-\x9f]")


def _shouting(text: str) -> float:
    """The share of upper-case letters among the cased non-ASCII ones: Cyrillic read in the
    wrong one of KOI8-R and Windows-1251 comes out in capitals ('тест' becomes 'ФЕУФ')."""
    cased = [ch for ch in text if ch > "\x7f" and ch.lower() != ch.upper()]
    return sum(ch.isupper() for ch in cased) / len(cased) if cased else 0.0


def _mess(text: str) -> float:
    return round(mess_ratio(text, maximum_threshold=1.0), 2)


def read_legacy_bytes(data: bytes, declared_codec: str) -> str:
    """Raw 8-bit header bytes that are not UTF-8, when the mail declares a single-byte charset
    (or none). The declared charset's reading is kept unless it cannot be text (undefined
    bytes, C1 controls) or the run is long enough to judge and a legacy charset reads clearly
    better (a GB2312 subject in a mail that claims ISO-8859-1). A header is too short for
    charset-normalizer's detection (from_bytes guesses Korean for most Chinese subjects), but
    its mess measure still tells mojibake from text, so candidates are ranked by it."""
    first = declared_codec or "cp1252"
    reading = strict_decode(data, first)
    broken = reading is None or bool(_C1_CONTROLS.search(reading))
    if not broken and sum(byte > 0x7F for byte in data) < _MIN_GUESS_BYTES:
        return reading
    declared_mess = 2.0 if broken else _mess(reading)
    if declared_mess < _PLAUSIBLE:
        return reading
    ranked: list[tuple[float, float, str]] = []
    for codec in _LEGACY_CANDIDATES:
        text = strict_decode(data, codec)
        if text is not None:
            ranked.append((_mess(text), _shouting(text), text))
    best = min(ranked, key=lambda row: row[:2], default=None)
    if best is not None and best[0] < _PLAUSIBLE and (
        broken or best[0] <= declared_mess - _CLEAR_MARGIN
    ):
        return best[2]
    # Windows-1252 leaves five bytes undefined; Latin-1 maps every byte, so nothing is lost
    return reading if reading is not None else data.decode("latin-1")
