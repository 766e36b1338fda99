"""A message's identity for deduplication, the same whichever door it came through.

SMTP, IMAP and a pipe add different trace headers (Received, Return-Path, Delivered-To) and
may change line endings, so the key is the Message-ID plus the body, normalised.
"""

from __future__ import annotations

import hashlib
import re
from email.parser import BytesHeaderParser

from parsing.headers import parse_message_ids

_IDENTITY_HEADERS = ("from", "to", "cc", "subject", "date")


def _split(raw: bytes) -> tuple[bytes, bytes]:
    match = re.search(rb"\r?\n\r?\n", raw)
    if match is None:
        return raw, b""
    return raw[: match.start()], raw[match.end() :]


def _normalise_body(body: bytes) -> bytes:
    lines = body.replace(b"\r\n", b"\n").split(b"\n")
    return b"\n".join(line.rstrip() for line in lines).rstrip(b"\n")


def message_id_of(raw: bytes) -> str:
    head, _ = _split(raw)
    headers = BytesHeaderParser().parsebytes(head + b"\n\n")
    ids = parse_message_ids(str(headers.get("Message-ID", "")))
    return ids[0] if ids else ""


def dedup_key(raw: bytes) -> str:
    head, body = _split(raw)
    headers = BytesHeaderParser().parsebytes(head + b"\n\n")
    digest = hashlib.sha256()
    ids = parse_message_ids(str(headers.get("Message-ID", "")))
    if ids:
        digest.update(b"id:" + ids[0].encode("utf-8", "surrogateescape"))
    else:
        for name in _IDENTITY_HEADERS:
            value = " ".join(str(headers.get(name, "")).split())
            digest.update(f"{name}:{value}\n".encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(_normalise_body(body))
    return digest.hexdigest()
