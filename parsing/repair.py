"""Mend a header block that a gateway or a person broke, before the email package reads it.

The standard library ends the header block at the first line that is neither a field
(`Name:`) nor a continuation (leading white space): every field below it becomes body text, and
a mail whose first line is not a field has no headers at all. Two breakages seen in real mail:

- a mangling gateway that re-folds long fields and loses the leading white space, so the rest
  of a To list or of a Subject stands at the start of a line;
- a line pasted above the headers ('---- Original email message ----') when a mail is forwarded
  as text or saved from a client.

A person reads both without noticing. Only lines the standard library would reject are touched:
a run of one or two directly followed by a real field that the block does not already have, or a
line under one that ends in ';' or ',' (a parameter, an address list or a Received field that goes
on; such a line does not count towards the run). The
first line that is neither ends the headers, as in the standard library: a mail that starts its
body without a blank line keeps it as body, a forwarded From/To/Cc block in it included.
"""

from __future__ import annotations

import re

# what the standard library's feedparser accepts as a header line (email.feedparser.headerRE)
_FIELD_OR_FOLD = re.compile(rb"(?:From |[\x21-\x39\x3b-\x7e]*:|[\t ])")
# fields that only a header block contains: a run of body text does not start with these
_REAL_FIELD = re.compile(
    rb"(?:from|to|cc|bcc|subject|date|message-id|in-reply-to|references|reply-to|sender"
    rb"|return-path|received|mime-version|delivered-to|user-agent|organization|importance"
    rb"|priority|precedence|auto-submitted|dkim-signature|authentication-results|keywords"
    rb"|(?:x|list|content|resent|arc|thread)-[\w-]+)[ \t]*:",
    re.IGNORECASE,
)
MAX_LEADING_LINES = 3  # lines above the headers that are dropped; more is text, not a paste


def _header_block_end(raw: bytes) -> int:
    ends = [i for i in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if i >= 0]
    return min(ends) + 1 if ends else len(raw)


# RFC 5322 §3.6: at most once in a header block. A second one after a run of text starts a
# forwarded or quoted header block inside a body that has no blank line, not a continuation.
_ONCE = frozenset(
    (b"from", b"to", b"cc", b"bcc", b"subject", b"date", b"message-id", b"in-reply-to",
     b"references", b"reply-to", b"sender", b"mime-version", b"content-type")
)
MAX_FOLDED_RUN = 2  # lines of a field a gateway un-indents; a longer run of text is a body


def _field_name(line: bytes) -> bytes:
    return line.split(b":", 1)[0].strip().lower()


def _ends_unfinished(line: bytes) -> bool:
    return line.rstrip().endswith((b";", b","))


def _folded_run(lines: list[bytes], start: int, end: int) -> bool:
    """Whether non-field lines[start:end] read as the lost folds of the field above: a short
    run directly followed by a real field that does not repeat one the header block has."""
    # a line under one that ends in ';' or ',' goes on for certain (a Received field's date
    # after "for <rcpt>;"): it does not count towards the run a gateway may have un-indented
    uncertain = sum(1 for i in range(start, end) if not _ends_unfinished(lines[i - 1]))
    if uncertain > MAX_FOLDED_RUN or end >= len(lines) or not _REAL_FIELD.match(lines[end]):
        return False
    name = _field_name(lines[end])
    return name not in _ONCE or all(
        _field_name(line) != name for line in lines[:start] if _REAL_FIELD.match(line)
    )


def repair_headers(raw: bytes) -> tuple[bytes, tuple[str, ...]]:
    """`raw` with its header block mended, and what was mended (empty when nothing was)."""
    end = _header_block_end(raw)
    lines = raw[:end].splitlines(keepends=True)
    if all(_FIELD_OR_FOLD.match(line) for line in lines):
        return raw, ()
    real = [bool(_REAL_FIELD.match(line)) for line in lines]
    notes: list[str] = []
    start = 0
    if lines and not _FIELD_OR_FOLD.match(lines[0]):
        first_field = next((i for i, is_real in enumerate(real) if is_real), None)
        if first_field is not None and first_field <= MAX_LEADING_LINES and all(
            not _FIELD_OR_FOLD.match(line) or not line.strip() for line in lines[:first_field]
        ):
            pasted = b" ".join(line.strip() for line in lines[:first_field])
            notes.append(f"header repaired: line above the headers ignored: {pasted[:80]!r}")
            start = first_field
    mended: list[bytes] = []
    rejoined = 0
    index = start
    while index < len(lines):
        line = lines[index]
        if _FIELD_OR_FOLD.match(line):
            mended.append(line)
            index += 1
            continue
        run_end = next(
            (i for i in range(index, len(lines)) if _FIELD_OR_FOLD.match(lines[i])), len(lines)
        )
        # the line above is a field, a fold or a line rejoined just now: all in the header
        unfinished = index > start and _ends_unfinished(lines[index - 1])
        if not mended or not (unfinished or _folded_run(lines, index, run_end)):
            break  # body text without a blank line: the standard library ends the headers here
        mended.append(b" " + line)  # a folded line whose white space a gateway dropped
        rejoined += 1
        index += 1
    mended.extend(lines[index:])
    if rejoined:
        notes.append(f"header repaired: {rejoined} folded lines without leading white space")
    if not notes:
        return raw, ()
    return b"".join(mended) + raw[end:], tuple(notes)
