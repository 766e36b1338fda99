"""Keep big base64 bodies out of the MIME parser, so a 25 MB attachment costs ~1× its size.

The standard library's feed parser (under mail-parser too) copies a body several times over:
split into lines, joined into one string, decoded, and mail-parser re-encodes attachments to
base64 on top (NOTES.md: ~7.5× the raw size at the peak). Here every long run of base64 lines
that starts a part body (after the blank line that ends its headers, RFC 2045 §6.8 and RFC 2046
§5.1.1) is replaced by a short token before parsing; the part is decoded later straight from the
raw bytes with `binascii.a2b_base64`, which skips the line breaks without copying them.
Hand-written because no MIME library offers streaming of a part body into a decoder.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

# Only worth it for big mail; small mail goes through the parser unchanged.
LIFT_FROM_BYTES = 64 * 1024
MIN_RUN_BYTES = 32 * 1024
# A part body that looks like base64: right after a blank line, two full base64 lines. The end of
# the run is found with a plain search for the first byte outside the alphabet, not a repeated
# group: `re` keeps a backtracking record per repetition (3.4x the run size in memory).
_START = re.compile(rb"\r?\n\r?\n(?=[A-Za-z0-9+/=]{16,998}\r?\n[A-Za-z0-9+/=]{16,998}\r?\n)")
_OUTSIDE = re.compile(rb"[^A-Za-z0-9+/=\r\n]")
TOKEN_PREFIX = "MAILGATELIFTEDBODY"


class LiftedElsewhere(Exception):
    """A token landed in a part that is not base64 after all: parse the mail unlifted."""


@dataclass(frozen=True, slots=True)
class Lifted:
    start: int
    end: int

    def decode(self, raw: bytes) -> bytes:
        return binascii.a2b_base64(memoryview(raw)[self.start : self.end])


def token(index: int) -> str:
    return f"{TOKEN_PREFIX}{index:06d}"


def lift_large_bodies(raw: bytes) -> tuple[bytes, dict[str, Lifted]]:
    """The mail with big base64 runs replaced by tokens, and where each run was in `raw`."""
    if len(raw) < LIFT_FROM_BYTES:
        return raw, {}
    pieces: list[bytes] = []
    lifted: dict[str, Lifted] = {}
    position = 0
    search_from = 0
    while (found := _START.search(raw, search_from)) is not None:
        start = found.end()
        outside = _OUTSIDE.search(raw, start)
        stop = outside.start() if outside else len(raw)
        end = raw.rfind(b"\n", start, stop) + 1
        if end - start >= MIN_RUN_BYTES:
            name = token(len(lifted))
            lifted[name] = Lifted(start, end)
            pieces.append(raw[position:start])
            pieces.append(name.encode("ascii") + b"\r\n")
            position = end
        search_from = max(end, stop, start + 1)
    if not lifted:
        return raw, {}
    pieces.append(raw[position:])
    return b"".join(pieces), lifted
