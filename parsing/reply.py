"""The new text of a mail, without quoted history, signature and disclaimer (mail-parser-reply)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailparser_reply import EmailReplyParser

# Languages of the corpus and of the desks we serve; each adds regexes, so keep the list short.
LANGUAGES = ("en", "de", "fr", "es", "nl")
_PARSER = EmailReplyParser(languages=list(LANGUAGES))
_MAX_CHARS = 200_000  # the regexes are linear, but there is no need to scan a novel
# RFC 3676 §4.3 signature separator, which mail-parser-reply does not know in every position
_SIG_DASHES = re.compile(r"^-- ?$", re.MULTILINE)
_QUOTED = re.compile(r"^[ \t]*>")


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    signature: str


def _unquoted(text: str) -> str:
    """The lines of a bottom-posted or interleaved reply that are not quoted ('> …'), without
    the attribution line that opens each quote ('Am 07.05.2012 08:10, schrieb …:')."""
    lines = text.splitlines()
    kept = []
    for index, line in enumerate(lines):
        if _QUOTED.match(line):
            continue
        following = next((ln for ln in lines[index + 1 :] if ln.strip()), "")
        if line.rstrip().endswith(":") and _QUOTED.match(following):
            continue
        kept.append(line)
    return "\n".join(kept)


def split_reply(text: str, *, _again: bool = True) -> Reply:
    if not text.strip():
        return Reply("", "")
    head = text[:_MAX_CHARS]
    try:
        replies = _PARSER.read(head).replies
    except Exception:  # a regex library edge case must not cost us the mail
        replies = []
    first = next((r for r in replies if (r.body or "").strip()), None)
    if first is None:
        return Reply(text.strip(), "")
    body, signature = first.body.strip(), (first.signatures or "").strip()
    # quoted lines ('> …') are someone else's words, also without an "On … wrote:" header
    body = "\n".join(line for line in body.splitlines() if not _QUOTED.match(line)).strip()
    signature = "\n".join(ln for ln in signature.splitlines() if not _QUOTED.match(ln)).strip()
    if not body and _again and (unquoted := _unquoted(text)).strip():
        # nothing new above the quote: a bottom-posted reply, whose new text the parser took
        # for the quoted mail's signature
        return split_reply(unquoted, _again=False)
    dashes = _SIG_DASHES.search(body)
    if dashes:
        body, signature = body[: dashes.start()].rstrip(), body[dashes.end() :].strip()
    return Reply(body, signature)
