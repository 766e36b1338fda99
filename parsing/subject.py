"""Reply and forward prefixes in the languages customers' mail clients write them.

`Re:`, `RE[2]:`, `Re^2:`, `Fwd:`, `AW:`, `WG:`, `SV:`, `VS:`, `Antw:`, `TR:`, `RV:`, `Réf. :`,
`回复:`… A subject is compared only after they are removed, and only for an exact tag: a fuzzy
subject never decides which ticket a mail belongs to.
"""

from __future__ import annotations

import re

from parsing.lexicon.phrases import FORWARD_PREFIXES, REPLY_PREFIXES

# Hand-written: no maintained library covers these. Sources: Thunderbird's
# mail.localized_re_prefixes, Outlook's localised RE/FW, Wikipedia "List of email subject
# abbreviations".


def _prefix(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        r"^\s*(?:"
        + "|".join(sorted((re.escape(p) for p in set(words)), key=len, reverse=True))
        + r")\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*\.?\s*[:：]\s*",  # RE[2]: Re(2): Re^2: Réf. :
        re.IGNORECASE,
    )


_PREFIX = _prefix((*REPLY_PREFIXES, *FORWARD_PREFIXES))
_FORWARD_PREFIX = _prefix(FORWARD_PREFIXES)


def is_forward(subject: str) -> bool:
    """'Fwd: …', 'WG: …', 'TR: …': the sender passes on someone else's mail."""
    return bool(_FORWARD_PREFIX.match(subject))


def strip_reply_prefixes(subject: str) -> str:
    """The subject without any number of leading reply/forward prefixes, whitespace collapsed."""
    subject = " ".join(subject.split())
    while True:
        stripped = _PREFIX.sub("", subject, count=1)
        if stripped == subject:
            return subject
        subject = stripped


def is_reply_or_forward(subject: str) -> bool:
    return strip_reply_prefixes(subject) != " ".join(subject.split())
