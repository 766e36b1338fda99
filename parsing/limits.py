"""How much of one mail the parser reads (issue 12, resource exhaustion). A hostile or broken
mail — 10,000 parts, 1,000 levels of nesting, a 10 MB header, 100,000 recipients — must cost
bounded time and memory. The raw mail is always kept whole; what lies past a limit is not read,
and each cut is reported as a defect, so it shows in the message's decisions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from parsing.message import Address

MAX_DEPTH = 40  # nesting deeper than any mail client writes; deeper parts are not read
MAX_PARTS = 2000  # parts read per message; the rest is reported, never silently dropped
# The standard library's parser builds every part before we can stop it (a 7 MB mail of a
# million empty parts takes 14 s and 360 MB), so the text given to it ends after this many
# lines that could be boundaries: at least one per part, so MAX_PARTS are still read whole.
MAX_DELIMITER_LINES = 4 * MAX_PARTS
MAX_TEXT_CHARS = 2_000_000  # body text kept per message
# of one header's value: a class list of 20,000 pupils pasted into To: is 560 KB and read whole
# (tests/test_smtp_door.py); a 10 MB header is cut here
MAX_HEADER_CHARS = 1_000_000
# The subject goes into every mail about the ticket. Real spam runs to 1,119 characters
# (tests/corpus/zammad/mail017.box, which Zammad keeps whole); a 10 MB one is cut here.
MAX_SUBJECT_CHARS = 4000
MAX_ADDRESSES = 20_000  # read per address field (To, Cc…): that class list, and no more

_ANY_DELIMITER = re.compile(rb"\n--")
# a boundary parameter anywhere in the bytes (RFC 2046 §5.1.1), found without parsing: quoted,
# bare, or in RFC 2231 pieces (`boundary*0=`), which send the count back to every '--' line
_BOUNDARY_PARAMETER = re.compile(
    rb'boundary(\*[0-9*]*)?[ \t\r\n]*=[ \t\r\n]*(?:"([^"\r\n]*)"|([^\s;"]+))', re.IGNORECASE
)
# Every cut is a defect that starts so; the pipeline writes these into the decision log.
CUT = "limit: "


def cuts(defects: Sequence[str]) -> tuple[str, ...]:
    """The defects that say a limit cut the mail short."""
    return tuple(d for d in defects if d.startswith(CUT))


def _delimiter_lines(skeleton: bytes) -> re.Pattern[bytes]:
    """Lines that could be boundaries of this mail: '--' and one of its declared boundaries.
    A text mail with no boundary has none, however many SQL '-- comment' lines it holds."""
    boundaries: set[bytes] = set()
    for found in _BOUNDARY_PARAMETER.finditer(skeleton):
        if found[1] or len(boundaries) >= MAX_PARTS:
            return _ANY_DELIMITER  # split or countless boundaries: every '--' line counts
        boundaries.add(found[2] if found[2] is not None else found[3])
    if not boundaries:
        return re.compile(rb"(?!)")  # matches nothing
    alternatives = b"|".join(re.escape(b) for b in sorted(boundaries, key=len, reverse=True))
    return re.compile(rb"\n--(?:" + alternatives + rb")")


def cut_parts(skeleton: bytes) -> tuple[bytes, str]:
    """The mail as far as the parser should read it, and a defect when it was cut."""
    found = _delimiter_lines(skeleton).finditer(skeleton)
    for _ in range(MAX_DELIMITER_LINES + 1):
        delimiter = next(found, None)
        if delimiter is None:
            return skeleton, ""
    cut = delimiter.start() + 1
    return skeleton[:cut], CUT + (
        f"more than {MAX_DELIMITER_LINES:,} boundary lines: the mail was read up to byte {cut:,}")


def cut_header(name: str, value: str) -> tuple[str, str]:
    if len(value) <= MAX_HEADER_CHARS:
        return value, ""
    return value[:MAX_HEADER_CHARS], CUT + (
        f"{name}: a header of {len(value):,} characters: the first {MAX_HEADER_CHARS:,} read")


def cut_subject(subject: str) -> tuple[str, str]:
    if len(subject) <= MAX_SUBJECT_CHARS:
        return subject, ""
    return subject[:MAX_SUBJECT_CHARS], CUT + (
        f"a subject of {len(subject):,} characters: cut to {MAX_SUBJECT_CHARS}")


def cut_addresses(field: str, found: Sequence[Address]) -> tuple[tuple[Address, ...], str]:
    if len(found) <= MAX_ADDRESSES:
        return tuple(found), ""
    return tuple(found[:MAX_ADDRESSES]), CUT + (
        f"{field}: {len(found):,} addresses, the first {MAX_ADDRESSES:,} read")
