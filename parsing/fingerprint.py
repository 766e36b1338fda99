"""A message's identity for deduplication, the same whichever door it came through.

SMTP, IMAP and a pipe add different trace headers (Received, Return-Path, Delivered-To) and
may change line endings, so the key is the Message-ID plus the body, normalised.
"""

from __future__ import annotations

import hashlib
import re
from email.parser import BytesHeaderParser

from parsing.headers import parse_addresses, parse_message_ids

_IDENTITY_HEADERS = ("from", "to", "cc", "subject", "date")


# The body is hashed this much at a time, so that the key of a 25 MB mail does not hold
# copies of the whole body (issue 10: memory through the pipeline at most 4× the mail).
_CHUNK = 1024 * 1024


def _body_start(raw: bytes) -> int:
    """Where the body begins (after the blank line that ends the header), or len(raw)."""
    match = re.search(rb"\r?\n\r?\n", raw)
    return len(raw) if match is None else match.end()


def _head(raw: bytes) -> bytes:
    match = re.search(rb"\r?\n\r?\n", raw)
    return raw if match is None else raw[: match.start()]


def _digest_body(digest: hashlib._Hash, raw: bytes, start: int) -> None:
    """Feed `digest` the body with each line's trailing white space removed (CRLF becomes LF)
    and the blank lines at its end dropped, a chunk at a time; the same bytes as joining the
    stripped lines of the whole body would give."""
    owed = 0  # line breaks seen but not fed: dropped if only blank lines follow
    first = True
    end = len(raw)
    while start < end:
        stop = raw.find(b"\n", min(start + _CHUNK, end)) if start + _CHUNK < end else -1
        stop = end if stop < 0 else stop
        chunk = b"\n".join([line.rstrip() for line in raw[start:stop].split(b"\n")])
        if not first:
            owed += 1  # the line break between this chunk and the one before
        first = False
        text = chunk.rstrip(b"\n")
        if text:
            digest.update(b"\n" * owed)
            digest.update(text)
            owed = len(chunk) - len(text)
        else:
            owed += len(chunk)
        start = stop + 1


def message_id_of(raw: bytes) -> str:
    headers = BytesHeaderParser().parsebytes(_head(raw) + b"\n\n")
    ids = parse_message_ids(str(headers.get("Message-ID", "")))
    return ids[0] if ids else ""


def dedup_key(raw: bytes) -> str:
    headers = BytesHeaderParser().parsebytes(_head(raw) + b"\n\n")
    digest = hashlib.sha256()
    ids = parse_message_ids(str(headers.get("Message-ID", "")))
    if ids:
        digest.update(b"id:" + ids[0].encode("utf-8", "surrogateescape"))
    else:
        for name in _IDENTITY_HEADERS:
            value = " ".join(str(headers.get(name, "")).split())
            digest.update(f"{name}:{value}\n".encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    _digest_body(digest, raw, _body_start(raw))
    return digest.hexdigest()


def from_address(raw: bytes) -> str:
    """The From header's address (lower-cased), '' when it has none: who the mail says wrote it,
    compared when a mail arrives again under a key already stored."""
    headers = BytesHeaderParser().parsebytes(_head(raw) + b"\n\n")
    found = parse_addresses(str(headers.get("From", "")))
    return next((a.email for a in found if a.email), "")
