"""winmail.dat (Microsoft TNEF, [MS-OXTNEF]): the files Outlook wrapped inside it, via tnefparse."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tnefparse import TNEF

# tnefparse logs every attribute it does not know at WARNING; that is noise for us
logging.getLogger("tnefparse").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class TnefContent:
    files: tuple[tuple[str, bytes], ...]  # (filename, data)
    text: str
    html: str


def is_tnef(content_type: str, filename: str) -> bool:
    return content_type in ("application/ms-tnef", "application/vnd.ms-tnef") or (
        filename.lower() == "winmail.dat"
    )


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else ""


def unpack_tnef(data: bytes) -> TnefContent:
    """The attachments and body inside a TNEF blob. Raises ValueError when it is not one."""
    try:
        tnef = TNEF(data, do_checksum=False)
    except Exception as exc:  # tnefparse raises bare Exceptions and struct errors on bad data
        raise ValueError(f"not a readable TNEF blob: {type(exc).__name__}: {exc}") from exc
    files: list[tuple[str, bytes]] = []
    for index, item in enumerate(tnef.attachments, 1):
        payload = item.data if isinstance(item.data, bytes) else b""
        try:
            name = item.long_filename() or item.name
        except Exception:
            name = ""
        files.append((_text(name).strip("\x00") or f"winmail-{index}.bin", payload))
    return TnefContent(files=tuple(files), text=_text(tnef.body), html=_text(tnef.htmlbody))
