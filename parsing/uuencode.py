"""Files uuencoded inline in a text body (Lotus Notes, old Outlook Express): `begin 644 name` …
`end`. The standard library decodes x-uuencode parts but not blocks inside text, and its `uu`
module is gone in Python 3.13, so the lines are decoded here with `binascii.a2b_uu`."""

from __future__ import annotations

import binascii
import re

_BLOCK = re.compile(
    r"^begin [0-7]{3,4} (?P<name>[^\r\n]+)\r?\n(?P<body>(?:[^\r\n]*\r?\n)*?)^end\s*$",
    re.MULTILINE,
)


def extract_uuencoded(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The text without its uuencoded blocks, and the (filename, data) they carried."""
    if "begin " not in text:
        return text, []
    files: list[tuple[str, bytes]] = []

    def take(match: re.Match[str]) -> str:
        data = bytearray()
        for line in match.group("body").splitlines():
            if not line or line == "`":
                continue
            try:
                data += binascii.a2b_uu(line)
            except binascii.Error:
                # some encoders pad lines short; decode what the length byte promises
                try:
                    data += binascii.a2b_uu(line[: ((ord(line[0]) - 32) & 63) * 4 // 3 + 1])
                except (binascii.Error, IndexError):
                    return match.group(0)  # not really uuencode: leave the text alone
        files.append((match.group("name").strip(), bytes(data)))
        return f"[attachment: {match.group('name').strip()}]"

    return _BLOCK.sub(take, text), files
