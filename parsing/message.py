"""The immutable value that parsing produces from raw mail bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MAX_THREAD_IDS = 200


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    email: str  # lower-cased addr-spec; '' when the header had none

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes | None  # None when not kept (over the size limit)
    content_id: str = ""  # without angle brackets; the HTML body links it as cid:<content_id>
    skipped_reason: str = ""
    inline: bool = False  # shown inside the body (an image the HTML refers to), not a file


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    message_id: str  # without angle brackets; '' when the mail had none
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_: Address
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    subject: str
    date: datetime | None
    headers: tuple[tuple[str, str], ...]  # (name, decoded value) in order of appearance
    text: str  # the readable body: text/plain, or text rendered from HTML
    html: str
    attachments: tuple[Attachment, ...] = ()
    automated: tuple[str, ...] = ()  # why this mail is machine-generated (empty: a person wrote it)
    defects: tuple[str, ...] = field(default=())
    # the new text of this mail: `text` without quoted history, signature and disclaimers
    reply_text: str = ""
    signature: str = ""  # the signature block cut from the new text ('' when none was found)
    # a bounce (RFC 3464 report with a failed recipient): the Message-ID of the mail it returns
    # and the addresses that failed ('' and () otherwise)
    returned_message_id: str = ""
    failed_recipients: tuple[str, ...] = ()

    def header(self, name: str) -> str:
        """The first header called `name` (case-insensitive), or ''."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return ""

    def header_all(self, name: str) -> tuple[str, ...]:
        wanted = name.lower()
        return tuple(value for key, value in self.headers if key.lower() == wanted)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this mail answers, nearest first (In-Reply-To, then References backwards),
        at most MAX_THREAD_IDS: the nearest are the evidence, and thousands of them (a broken or
        hostile References) would only make lookups with more parameters than a database takes."""
        seen: dict[str, None] = {}
        for mid in (*self.in_reply_to, *reversed(self.references)):
            seen.setdefault(mid, None)
            if len(seen) == MAX_THREAD_IDS:
                break
        return tuple(seen)
