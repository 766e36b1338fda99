"""Header decoding that never loses text: RFC 2047 words, raw 8-bit bytes, folded lines."""

from __future__ import annotations

import re
from email.header import decode_header
from email.utils import getaddresses

from parsing.message import Address

_MSGID = re.compile(r"<([^<>\s]+)>")
_FALLBACK_CHARSETS = ("utf-8", "cp1252")


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode with the declared charset, then UTF-8, then Windows-1252 (which maps every byte)."""
    for charset in (declared, *_FALLBACK_CHARSETS):
        if not charset:
            continue
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def decode_header_value(value: str) -> str:
    """Decode a raw header value as the stdlib's compat32 policy hands it over.

    Raw 8-bit bytes arrive as surrogate escapes; RFC 2047 encoded words are decoded with their
    own charset, falling back to UTF-8 and Windows-1252 so nothing is dropped.
    """
    raw = value.encode("ascii", "surrogateescape")
    if not raw.isascii():
        value = decode_bytes(raw)
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
    return re.sub(r"\r?\n[ \t]+", " ", value).strip()


def parse_addresses(value: str) -> tuple[Address, ...]:
    found: list[Address] = []
    for name, addr in getaddresses([value]):
        addr = addr.strip().lower()
        if not addr and not name:
            continue
        if "@" not in addr:
            addr = ""
        found.append(Address(name=name.strip().strip('"'), email=addr))
    return tuple(found)


def parse_message_ids(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_MSGID.findall(value or "")))
