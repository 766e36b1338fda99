"""Files uuencoded inline in a text body (Lotus Notes, old Outlook Express): `begin 644 name` …
`end`. The standard library decodes x-uuencode parts but not blocks inside text, and its `uu`
module is gone in Python 3.13, so the lines are decoded here with `binascii.a2b_uu`, in one
pass over the lines (a regex with a lazy body was quadratic on many `begin` lines)."""

from __future__ import annotations

import binascii
import re

_BEGIN = re.compile(r"begin [0-7]{3,4} (\S[^\r\n]*)")


def _decode(lines: list[str]) -> bytes | None:
    data = bytearray()
    for line in lines:
        if not line or line == "`":
            continue
        try:
            data += binascii.a2b_uu(line)
        except ValueError:  # binascii.Error, or a line with non-ASCII characters in it
            # some encoders pad lines short; decode what the length character promises
            try:
                data += binascii.a2b_uu(line[: ((ord(line[0]) - 32) & 63) * 4 // 3 + 1])
            except (ValueError, IndexError):
                return None  # not really uuencode: leave the text alone
    return bytes(data)


def extract_uuencoded(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The text without its uuencoded blocks, and the (filename, data) they carried."""
    if "begin " not in text:
        return text, []
    lines = text.split("\n")
    kept: list[str] = []
    files: list[tuple[str, bytes]] = []
    index = 0
    while index < len(lines):
        begin = _BEGIN.fullmatch(lines[index].rstrip("\r"))
        if begin is None:
            kept.append(lines[index])
            index += 1
            continue
        try:
            end = next(i for i in range(index + 1, len(lines)) if lines[i].rstrip() == "end")
        except StopIteration:  # no 'end' below: no later 'begin' can have one either
            kept.extend(lines[index:])
            break
        data = _decode([line.rstrip("\r") for line in lines[index + 1 : end]])
        if data is None:
            kept.extend(lines[index : end + 1])
        else:
            name = begin.group(1).strip()
            files.append((name, data))
            kept.append(f"[attachment: {name}]")
        index = end + 1
    return "\n".join(kept), files
