"""ISO-2022-JP as Windows and most Japanese mail clients write it (Microsoft's CP50220/50221).

Python's iso2022_jp codecs stop at the NEC and IBM rows of JIS X 0208 (①, Ⅰ, ㈱, 髙 …), which
Outlook and Japanese webmail put in ISO-2022-JP mail all the time. The WHATWG Encoding Standard
(§12.2.1) decodes those rows; so does CP932, which is JIS X 0208 plus the same rows re-arranged
as Shift_JIS. Each double-byte pair is therefore moved to its Shift_JIS place and read as CP932.
No maintained Python library offers this decoder.
"""

from __future__ import annotations

import re

# RFC 1468 §3 and WHATWG §12.2.1: ESC ( B ASCII, ESC ( J JIS-Roman, ESC ( I half-width
# katakana, ESC $ @ / ESC $ B JIS X 0208. Anything else (JIS X 0212, ISO-2022-JP-2) is not ours.
_ESCAPE = re.compile(rb"\x1b(\(B|\(J|\(I|\$@|\$B)")


def _to_shift_jis(first: int, second: int) -> bytes:
    """One JIS X 0208 pair (0x21-0x7E each) at its CP932 (Shift_JIS) place."""
    lead = ((first - 0x21) >> 1) + 0x81
    if lead > 0x9F:
        lead += 0x40
    # odd rows take the low half of the trail range, skipping 0x7F; even rows the high half
    trail = second + 0x1F + (second >= 0x60) if first % 2 else second + 0x7E
    return bytes((lead, trail))


def _double_bytes(chunk: bytes) -> str | None:
    if len(chunk) % 2 or any(not 0x21 <= b <= 0x7E for b in chunk):
        return None
    converted = b"".join(_to_shift_jis(chunk[i], chunk[i + 1]) for i in range(0, len(chunk), 2))
    try:
        return converted.decode("cp932")
    except UnicodeDecodeError:
        return None


def decode_iso2022jp_ms(data: bytes) -> str | None:
    """`data` as Microsoft's ISO-2022-JP, or None when it is not valid there."""
    if not data.isascii():
        return None
    out: list[str] = []
    mode = b"(B"
    position = 0
    for match in [*_ESCAPE.finditer(data), None]:
        end = match.start() if match else len(data)
        chunk = data[position:end]
        if b"\x1b" in chunk:
            return None  # an escape sequence this decoder does not know
        if mode in (b"$@", b"$B"):
            # a line break ends a double-byte run (WHATWG: back to ASCII)
            pairs, newline, rest = chunk.partition(b"\n")
            pairs = pairs.removesuffix(b"\r")
            text = _double_bytes(pairs)
            if text is None:
                return None
            out.append(text + ("\n" if newline else "") + rest.decode("ascii"))
        elif mode == b"(I":
            if any(not 0x21 <= b <= 0x5F for b in chunk):
                return None
            out.append(bytes(b + 0x80 for b in chunk).decode("cp932"))
        elif mode == b"(J":
            out.append(chunk.decode("ascii").replace("\\", "\u00a5").replace("~", "\u203e"))
        else:
            out.append(chunk.decode("ascii"))
        if match is None:
            break
        mode, position = match.group(1), match.end()
    return "".join(out)
