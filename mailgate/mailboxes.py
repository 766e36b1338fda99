"""An mbox file or a Maildir folder, read for `mailgate import` with the standard `mailbox`
module: what kind it is, each message's time read from its header alone, and its bytes."""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path

# A header longer than this is not read further to find the time (the rest is still imported).
HEADER_BYTES = 256 * 1024
# A Date this far ahead of the import's own time is a sender's wrong clock, not a time.
CLOCK_SKEW = timedelta(days=1)


class NotAMailbox(Exception):
    """The path is there and readable but neither an mbox file nor a Maildir folder."""


class Unreadable(Exception):
    """The path does not exist or cannot be read."""


@dataclass(frozen=True, slots=True)
class Entry:
    key: str  # the mailbox module's key of the message
    position: int  # its place in the file or folder listing, which breaks ties of time
    at: datetime  # when it is taken to have arrived (UTC)
    taken_from: str  # which of TIME_SOURCES gave `at`


# Where a message's arrival time is read from, in this order of preference.
TIME_SOURCES = ("Date", "Received", "mbox From_ line", "Maildir delivery time", "import time")


class OldMailbox:
    """One mbox file or Maildir folder, opened read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind = detect(path)
        try:
            if self.kind == "maildir":
                self.box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False)
            else:
                self.box = mailbox.mbox(path, factory=None, create=False)
            self.keys = list(self.box.iterkeys())  # an mbox is scanned for its messages here
        except OSError as exc:
            raise Unreadable(f"{path}: cannot read: {exc.strerror or exc}") from None

    def close(self) -> None:
        self.box.close()

    def entries(self, now: datetime) -> Iterator[Entry]:
        """Each message with its time, in the order the file or folder holds them; only the
        header is read. `now`: the time given to a message no header or file dates."""
        for position, key in enumerate(self.keys):
            yield Entry(key, position, *self._time_of(key, now))

    def raw(self, key: str) -> bytes:
        """The message's bytes (an mbox's From_ line left out); OSError when unreadable."""
        try:
            return self.box.get_bytes(key)
        except KeyError:  # a Maildir file moved or deleted since the listing
            raise OSError(f"message {key} is no longer in {self.path}") from None

    def name_of(self, key: str) -> str:
        """The message as a person finds it: its file in a Maildir, its number in an mbox."""
        if isinstance(self.box, mailbox.Maildir):
            return str(self.path / self.box._lookup(key))  # the module's own key → file
        return f"{self.path} message {self.keys.index(key) + 1}"

    def _time_of(self, key: str, now: datetime) -> tuple[datetime, str]:
        try:
            header, from_line = self._header(key)
        except (OSError, KeyError):
            header, from_line = b"", ""  # read again when imported, and reported there
        fields = BytesHeaderParser().parsebytes(header + b"\n\n")
        found = _date(str(fields.get("Date", "")), now)
        if found:
            return found, "Date"
        for received in fields.get_all("Received", []):  # the newest (top) first
            found = _date(str(received).rpartition(";")[2], now)
            if found:
                return found, "Received"
        if from_line:
            found = _date(" ".join(from_line.split()[2:]), now)
            if found:
                return found, "mbox From_ line"
        if isinstance(self.box, mailbox.Maildir):
            found = self._delivery_time(key, now)
            if found:
                return found, "Maildir delivery time"
        return now, "import time"

    def _header(self, key: str) -> tuple[bytes, str]:
        """The message's header bytes, and its mbox From_ line ('' in a Maildir)."""
        mbox = isinstance(self.box, mailbox.mbox)
        handle = self.box.get_file(key, from_=True) if mbox else self.box.get_file(key)  # type: ignore[call-arg]
        with handle:
            from_line = handle.readline().decode("latin-1") if mbox else ""
            lines: list[bytes] = []
            size = 0
            for line in handle:
                if not line.strip() or size > HEADER_BYTES:
                    break
                lines.append(line)
                size += len(line)
        return b"".join(lines), from_line

    def _delivery_time(self, key: str, now: datetime) -> datetime | None:
        """A Maildir name begins with the delivery time in seconds; else the file's time."""
        stem = key.split(".", 1)[0]
        if stem.isdigit():
            return _sane(datetime.fromtimestamp(int(stem), UTC), now)
        try:
            stamp = os.stat(self.path / self.box._lookup(key)).st_mtime  # type: ignore[attr-defined]
        except (OSError, KeyError):
            return None
        return _sane(datetime.fromtimestamp(stamp, UTC), now)


def detect(path: Path) -> str:
    """'mbox' or 'maildir'; Unreadable or NotAMailbox, saying why, for anything else."""
    if not path.exists():
        raise Unreadable(f"{path}: no such file or folder")
    if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
        raise Unreadable(f"{path}: permission denied")
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return "maildir"
        raise NotAMailbox(f"{path} is a folder but not a Maildir (it has no cur/ and new/); "
                          "give a Maildir folder or an mbox file")
    try:
        with path.open("rb") as handle:
            start = handle.read(4096).lstrip(b"\r\n")
    except OSError as exc:
        raise Unreadable(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not start or start.startswith(b"From "):
        return "mbox"  # an empty file is an empty mbox
    hint = (" (it looks like a single message: use `mailgate ingest` for that)"
            if b":" in start.split(b"\n", 1)[0] else "")
    raise NotAMailbox(f"{path} is neither an mbox file (it does not begin with a 'From ' "
                      f"line) nor a Maildir folder{hint}")


def _date(value: str, now: datetime) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # "-0000" or an mbox From_ line: UTC by convention
        parsed = parsed.replace(tzinfo=UTC)
    return _sane(parsed.astimezone(UTC), now)


def _sane(at: datetime, now: datetime) -> datetime | None:
    """None for a time that cannot be an arrival: after the import, or before e-mail."""
    if at > now + CLOCK_SKEW or at.year < 1971:
        return None
    return min(at, now)
