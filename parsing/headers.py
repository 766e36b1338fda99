"""Header decoding that never loses text: RFC 2047 words, raw 8-bit bytes, folded lines."""

from __future__ import annotations

import re
from email.header import decode_header
from email.utils import getaddresses

from parsing.charsets import (
    SINGLE_BYTE,
    decode_text,
    normalise_charset,
    read_legacy_bytes,
    siblings,
    strict_decode,
)
from parsing.message import Address

# RFC 5322 §3.6.4: a msg-id is printable ASCII (and UTF-8, RFC 6532), never a control character
_MSGID = re.compile(r"<([^<>\s\x00-\x1f\x7f]+)>")
_CONTROLS = re.compile(r" *[\x00-\x1f\x7f]+ *")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=")
# starts only where a run of address characters starts, so a long run without '@' is read once
# (nor inside a run of raw 8-bit bytes, which the stdlib hands over as surrogate escapes)
# an address written in text ('From: Jane <jane@school.example>', 'cc jo@acme.example')
ADDRESS_IN_TEXT = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_BARE_ADDRESS = re.compile(
    r"(?<![\w.+\-='\udc80-\udcff])[\w.+\-=']++@[\w\-]++(?:\.[\w\-]++)+"
)


def decode_bytes(data: bytes, declared: str | None = None, *, utf8_first: bool = False) -> str:
    """Header bytes: the declared charset, UTF-8, detection for longer runs, then Windows-1252.

    Windows-1252 maps all but five bytes, and those five fall back to Latin-1, so nothing is lost.
    With `utf8_first` (raw 8-bit headers, where the charset is only a guess from the body), valid
    UTF-8 wins over the guess: it is what RFC 6532 allows and it rarely decodes by accident.
    """
    codec = normalise_charset(declared)
    if utf8_first and (codec == "" or codec.startswith(SINGLE_BYTE)):
        text = strict_decode(data, "utf-8")
        return text if text is not None else read_legacy_bytes(data, codec)
    attempts = ("utf-8", codec) if utf8_first else (codec, "utf-8")
    for attempt in (*attempts, *siblings(codec)):
        text = strict_decode(data, attempt) if attempt else None
        if text is not None:
            return text
    if sum(b > 0x7F for b in data) >= 24:  # detection guesses wildly on less
        found = decode_text(data)
        if "detected" in found.note:
            return found.text
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def decode_header_value(value: str, charset_hint: str | None = None) -> str:
    """Decode a raw header value as the stdlib's compat32 policy hands it over.

    Raw 8-bit bytes arrive as surrogate escapes (RFC 6532 allows UTF-8; older mail uses the
    body's charset, given as `charset_hint`); RFC 2047 encoded words are decoded with their own
    charset, falling back like body text so nothing is dropped.
    """
    try:
        raw = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # already text (a parameter the stdlib decoded for us)
        raw = b""
    if raw and not raw.isascii():
        value = decode_bytes(raw, charset_hint, utf8_first=True)
    try:
        parts = decode_header(value)
    except Exception:  # a malformed encoded word: keep the text as it came
        return _unfold(value)
    words: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            words.append(decode_bytes(chunk, charset))
        else:
            words.append(chunk)
    return _unfold("".join(words))


def _unfold(value: str) -> str:
    # NUL is no character of text (RFC 5322 §2.2 excludes it from header bodies) and databases
    # refuse it
    return re.sub(r"\r?\n[ \t]+", " ", value).replace("\x00", "").strip()


# RFC 5321 §4.5.3.1.3: a path is at most 256 octets with its angle brackets; a longer address
# can never be written to
MAX_ADDRESS = 254


def parse_addresses(value: str, charset_hint: str | None = None) -> tuple[Address, ...]:
    """Addresses from a header value. Give the raw value (RFC 5322 §3.4 syntax is split before
    RFC 2047 words are decoded, or 'B=FCrling,=20Andreas' would become two addresses); decoded
    values work too, for plain names."""
    value = _unfold(value)
    words = _ENCODED_WORD.findall(value)
    for index, word in enumerate(words):  # commas inside encoded words are not separators
        value = value.replace(word, f"\x00{index}\x00", 1)
    found: list[Address] = []
    for name, addr in getaddresses([value]):
        for index, word in enumerate(words):
            name = name.replace(f"\x00{index}\x00", word)
        addr = _address_text(addr.strip().strip('"')).lower()
        if not addr and not name:
            continue
        if "@" not in addr or any(ch.isspace() for ch in addr) or len(addr) > MAX_ADDRESS:
            addr = ""
        name = decode_header_value(name, charset_hint) if name else ""
        # a CR or LF (from an encoded word) in a name is no line break of a person's name
        name = _CONTROLS.sub(" ", name)
        found.append(Address(name=name.strip().strip('"').strip(), email=addr))
    bare = None if any(a.email for a in found) or "@" not in value else _BARE_ADDRESS.search(value)
    if bare and len(bare.group(0)) <= MAX_ADDRESS:
        # 'From: Test test@example.com', '"user@example.com"': not RFC 5322, still an address
        found.insert(0, Address(name="", email=bare.group(0).lower()))
    return tuple(found)


def _address_text(addr: str) -> str:
    """Raw 8-bit bytes in an address (surrogate escapes from the stdlib) are UTF-8 under RFC 6532
    §3.2; any other bytes make no address anyone could write to."""
    try:
        addr.encode("utf-8")
        return addr
    except UnicodeEncodeError:
        pass
    try:
        return addr.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return ""


def parse_message_ids(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_MSGID.findall(value or "")))
