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


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    signature: str


def split_reply(text: str) -> Reply:
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
    body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith(">"))
    body = body.strip()
    dashes = _SIG_DASHES.search(body)
    if dashes:
        body, signature = body[: dashes.start()].rstrip(), body[dashes.end() :].strip()
    return Reply(body, signature)
