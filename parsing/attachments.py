"""Attachments: decoded bytes, a filename safe to write anywhere, size, hash, the size limit."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata

from parsing.message import Attachment

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # no text a database column takes (PostgreSQL: NUL)
# Device names Windows refuses as file names, whatever the extension
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
MAX_FILENAME_CHARS = 180


def default_filename(content_type: str, stem: str = "attachment") -> str:
    extension = {
        "text/plain": ".txt",
        "message/rfc822": ".eml",
        "text/calendar": ".ics",
        "message/delivery-status": ".txt",
        "text/rfc822-headers": ".txt",
    }.get(content_type) or mimetypes.guess_extension(content_type, strict=False) or ".bin"
    return stem + extension


def safe_filename(name: str, content_type: str = "application/octet-stream") -> str:
    """A file name with no path, no control or shell-hostile characters, of sensible length."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # a path component, from any OS
    name = _UNSAFE.sub("_", name).strip().strip(".").strip()
    if not name or set(name) <= {"_", " "}:
        return default_filename(content_type)
    if _RESERVED.match(name):
        name = "_" + name
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: MAX_FILENAME_CHARS - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_FILENAME_CHARS]
    return name


def unique_names(attachments: list[Attachment]) -> list[Attachment]:
    """Give repeated file names a counter (`report (2).pdf`), as a desktop mail client would."""
    from dataclasses import replace

    seen: dict[str, int] = {}
    result: list[Attachment] = []
    for item in attachments:
        key = item.filename.lower()
        count = seen.get(key, 0) + 1
        seen[key] = count
        if count > 1:
            stem, dot, extension = item.filename.rpartition(".")
            name = f"{stem} ({count}).{extension}" if dot and stem else f"{item.filename} ({count})"
            item = replace(item, filename=name)
        result.append(item)
    return result


def make_attachment(
    content: bytes,
    *,
    filename: str,
    content_type: str,
    max_bytes: int,
    content_id: str = "",
    inline: bool = False,
) -> Attachment:
    too_big = len(content) > max_bytes
    return Attachment(
        filename=safe_filename(filename, content_type),
        content_type=_CONTROL.sub("", content_type) or "application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=None if too_big else content,
        content_id=_CONTROL.sub("", content_id),
        skipped_reason=(
            f"not stored: {len(content)} bytes is over the {max_bytes} byte limit per attachment"
            if too_big
            else ""
        ),
        inline=inline,
    )
