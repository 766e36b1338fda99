"""Mail for the pipeline fuzz test (issue 12): hypothesis strategies that build headers and MIME
trees, and byte- and structure-level mutations of real mail driven by a seeded random.Random,
so that a failure in CI reproduces from the seed it prints."""

from __future__ import annotations

import base64
import random
import re

from hypothesis import strategies as st

DESK = b"support@desk.example"

# --- generated mail (hypothesis) ---------------------------------------------------------------
_LOCAL = st.text("abcdefghijklmnopqrstuvwxyz0123456789._-+", min_size=1, max_size=12)
_DOMAIN = st.sampled_from(["school.example", "example.org", "desk.example", "xn--bcher-kva.example",
                           "localhost", "", "[127.0.0.1]", "a.b.c.d.example"])
_NAME = st.text(max_size=30)
_WORDS = st.sampled_from([
    "printer", "broken", "password", "reset", "urgent", "Re:", "Fwd:", "AW:", "[INC0000001]",
    "INC0000002", "laptop", "room 12", "call me on 01632 960123", "Grüße", "日本語", "Привет",
    "=?utf-8?q?caf=C3=A9?=", "=?iso-8859-1?b?SOlsbG8=?=", "=?bogus?x?abc?=", "=?", "?=", "\x00",
    "\t", "\r", ";", ",", "<", ">", "\"", "(", ")", "@", "\\", "out of office", "undeliverable",
])
_TEXT = st.lists(st.one_of(_WORDS, st.text(max_size=20)), max_size=30).map(" ".join)
_CHARSETS = st.sampled_from(["utf-8", "us-ascii", "iso-8859-1", "windows-1252", "gb2312",
                             "iso-2022-jp", "koi8-r", "utf-16", "x-unknown", "", "utf-8\x00"])
_ENCODINGS = st.sampled_from(["7bit", "8bit", "quoted-printable", "base64", "binary", "x-uue",
                              "bogus", ""])
_TYPES = st.sampled_from(["text/plain", "text/html", "application/pdf", "image/png",
                          "application/zip", "application/ms-tnef", "message/rfc822",
                          "message/delivery-status", "text/rfc822-headers", "text/calendar",
                          "application/octet-stream", "", "garbage"])


@st.composite
def addresses(draw: st.DrawFn) -> str:
    email = f"{draw(_LOCAL)}@{draw(_DOMAIN)}"
    shape = draw(st.integers(0, 4))
    name = draw(_NAME).replace("\r", " ").replace("\n", " ")
    return [email, f"{name} <{email}>", f'"{name}" <{email}>', name, "<>"][shape]


def _encode(text: str, charset: str, encoding: str) -> bytes:
    try:
        data = text.encode(charset or "utf-8", "replace")
    except (LookupError, ValueError):  # an unknown charset, or one with a NUL in its name
        data = text.encode("utf-8", "surrogateescape")
    if encoding == "base64":
        return base64.encodebytes(data)
    if encoding == "quoted-printable":
        import quopri

        return quopri.encodestring(data)
    return data


@st.composite
def leaf_parts(draw: st.DrawFn) -> bytes:
    content_type = draw(_TYPES)
    charset = draw(_CHARSETS)
    encoding = draw(_ENCODINGS)
    body = _encode(draw(_TEXT), charset, encoding)
    if draw(st.booleans()):
        body += draw(st.binary(max_size=300))
    lines = []
    if content_type:
        params = f"; charset=\"{charset}\"" if draw(st.booleans()) else ""
        if draw(st.booleans()):
            params += f"; name=\"{draw(_TEXT)[:60]}\""
        lines.append(f"Content-Type: {content_type}{params}")
    if encoding:
        lines.append(f"Content-Transfer-Encoding: {encoding}")
    if draw(st.booleans()):
        disposition = draw(st.sampled_from(["attachment", "inline", "bogus", ""]))
        lines.append(f"Content-Disposition: {disposition}; filename*=utf-8''{draw(_LOCAL)}%E4.txt")
    if draw(st.booleans()):
        lines.append(f"Content-ID: <{draw(_LOCAL)}@x>")
    header = "\r\n".join(lines).encode("utf-8", "surrogateescape")
    return header + b"\r\n\r\n" + body


def _multipart(children: list[bytes], subtype: str, boundary: str) -> bytes:
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + child + b"\r\n" for child in children)
    return (f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\n".encode()
            + b"preamble\r\n" + body + b"--" + boundary.encode() + b"--\r\n")


@st.composite
def mime_trees(draw: st.DrawFn, depth: int = 0) -> bytes:
    if depth >= 4 or draw(st.integers(0, 2)) == 0:
        return draw(leaf_parts())
    subtype = draw(st.sampled_from(["mixed", "alternative", "related", "report", "signed",
                                    "encrypted", "digest"]))
    children = draw(st.lists(mime_trees(depth + 1), min_size=0, max_size=4))
    boundary = draw(st.sampled_from(["b", "=_b", "", "--", "b" * 80, f"lvl{depth}"]))
    return _multipart(children, subtype, boundary)


@st.composite
def generated_mail(draw: st.DrawFn) -> bytes:
    """A whole mail: the usual headers, each possibly missing, repeated or garbled, over a MIME
    tree of up to four levels."""
    fields: list[tuple[str, str]] = []
    if draw(st.integers(0, 9)):
        fields.append(("From", draw(addresses())))
    fields.append(("To", draw(st.sampled_from([DESK.decode(), "other@example.org", ""]))))
    for name in ("Cc", "Reply-To", "Sender", "Return-Path"):
        if draw(st.integers(0, 4)) == 0:
            fields.append((name, ", ".join(draw(st.lists(addresses(), max_size=5)))))
    fields.append(("Subject", draw(_TEXT)))
    if draw(st.booleans()):
        fields.append(("Message-ID", f"<{draw(_LOCAL)}@{draw(_DOMAIN)}>"))
    for name in ("In-Reply-To", "References"):
        if draw(st.integers(0, 3)) == 0:
            fields.append((name, " ".join(
                f"<{draw(_LOCAL)}@{draw(_DOMAIN)}>" for _ in range(draw(st.integers(1, 4))))))
    if draw(st.booleans()):
        fields.append(("Date", draw(st.sampled_from([
            "Tue, 01 Dec 2026 09:00:00 +0000", "yesterday", "Mon, 31 Feb 1900 25:61:61 +9999",
            "", "Fri, 13 Dec 9999 23:59:59 -1200"]))))
    for name, value in draw(st.lists(st.tuples(
        st.sampled_from(["Auto-Submitted", "Precedence", "List-Id", "X-Auto-Response-Suppress",
                         "Authentication-Results", "X-Priority", "Importance", "Received"]),
        _TEXT), max_size=3)):
        fields.append((name, value))
    head = "".join(f"{name}: {value}\r\n" for name, value in fields)
    data = head.encode("utf-8", "surrogateescape") + b"MIME-Version: 1.0\r\n"
    return data + draw(mime_trees())


# --- mutated real mail (random.Random) ---------------------------------------------------------
_TOKENS = [b"\x00", b"\r\n", b"\n\n", b"\r\n\r\n", b"--", b"=?", b"?=", b"\xff\xfe", b"\xe9",
           b"boundary=", b"Content-Type: multipart/mixed; boundary=x\r\n", b"\r\n--x\r\n",
           b"Content-Transfer-Encoding: base64\r\n", b"charset=\"x-bogus\"", b"=\r\n", b"=XX",
           b"begin 644 f.bin\r\n", b"\t", b" ", b":", b"<", b">", b"@"]


def mutate_bytes(raw: bytes, rng: random.Random) -> bytes:
    """One to six byte-level edits: flip, cut, insert a MIME-ish token, drop, repeat."""
    for _ in range(rng.randint(1, 6)):
        if not raw:
            return rng.choice(_TOKENS)
        at = rng.randrange(len(raw))
        action = rng.choice(["flip", "cut", "insert", "drop", "repeat"])
        if action == "flip":
            raw = raw[:at] + bytes([raw[at] ^ rng.randint(1, 255)]) + raw[at + 1:]
        elif action == "cut":
            raw = raw[:at]
        elif action == "insert":
            raw = raw[:at] + rng.choice(_TOKENS) + raw[at:]
        elif action == "drop":
            raw = raw[:at] + raw[at + rng.randint(1, 200):]
        else:
            raw = raw[:at] + raw[at:at + 500] * rng.randint(2, 4) + raw[at:]
    return raw


_BOUNDARY = re.compile(rb'boundary="?([^";\r\n]+)"?', re.IGNORECASE)


def _split(raw: bytes) -> tuple[list[bytes], bytes]:
    """Header fields (with their folded lines) and the body."""
    cut = re.search(rb"\r?\n\r?\n", raw)
    head, body = (raw[:cut.start()], raw[cut.end():]) if cut else (raw, b"")
    fields: list[bytes] = []
    for line in re.split(rb"\r?\n", head):
        if fields and line[:1] in (b" ", b"\t"):
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    return fields, body


def _join(fields: list[bytes], body: bytes) -> bytes:
    return b"\r\n".join(fields) + b"\r\n\r\n" + body


def mutate_structure(raw: bytes, rng: random.Random) -> bytes:
    """One or two edits of the mail's structure, the kind relays and broken clients make."""
    for _ in range(rng.randint(1, 2)):
        fields, body = _split(raw)
        action = rng.choice([
            "drop header", "repeat header", "shuffle headers", "unfold", "lose boundary",
            "no close delimiter", "bogus charset", "claim base64", "wrap in multipart",
            "forward it", "bare LF", "8-bit header", "long header", "many addresses",
            "deep nesting", "many parts", "truncate body", "swap head and body",
        ])
        if action == "drop header" and fields:
            fields.pop(rng.randrange(len(fields)))
        elif action == "repeat header" and fields:
            fields.insert(rng.randrange(len(fields) + 1), rng.choice(fields))
        elif action == "shuffle headers":
            rng.shuffle(fields)
        elif action == "unfold":  # a mangling gateway drops the continuation's whitespace
            fields = [f.replace(b"\r\n ", b"\r\n").replace(b"\r\n\t", b"\r\n") for f in fields]
        elif action == "lose boundary":
            raw_boundary = _BOUNDARY.search(raw)
            if raw_boundary:
                body = body.replace(raw_boundary.group(1), b"other", rng.randint(1, 3))
        elif action == "no close delimiter":
            body = re.sub(rb"\r?\n--[^\r\n]+--\s*$", b"", body)
        elif action == "bogus charset":
            fields = [re.sub(rb"charset=\"?[^\";\r\n]*\"?", b"charset=\"x-made-up\"", f)
                      for f in fields]
        elif action == "claim base64":
            fields = [f for f in fields if not f.lower().startswith(b"content-transfer")]
            fields.append(b"Content-Transfer-Encoding: base64")
        elif action == "wrap in multipart":
            inner = [f for f in fields if f.lower().startswith(b"content-")]
            outer = [f for f in fields if not f.lower().startswith(b"content-")]
            body = _multipart([_join(inner, body)], "mixed", "wrap")
            return b"\r\n".join(outer) + b"\r\n" + body
        elif action == "forward it":
            wrapper = (b"From: Fwd <fwd@school.example>\r\nTo: " + DESK + b"\r\nSubject: Fwd\r\n"
                       + _multipart([b"Content-Type: text/plain\r\n\r\nsee below",
                                     b"Content-Type: message/rfc822\r\n\r\n" + raw],
                                    "mixed", "fwd"))
            return wrapper
        elif action == "bare LF":
            return raw.replace(b"\r\n", b"\n")
        elif action == "8-bit header":
            fields.insert(rng.randrange(len(fields) + 1),
                          b"Subject: " + bytes(rng.randrange(128, 256) for _ in range(40)))
        elif action == "long header":
            fields.append(b"X-Long: " + b"x" * rng.randint(10_000, 200_000))
        elif action == "many addresses":
            fields.append(b"Cc: " + b", ".join(
                b"user%d@list.example" % i for i in range(rng.randint(100, 3000))))
        elif action == "deep nesting":
            inner = [f for f in fields if f.lower().startswith(b"content-")]
            outer = [f for f in fields if not f.lower().startswith(b"content-")]
            part = _join(inner, body)
            for level in range(rng.randint(10, 60)):
                part = _multipart([part], "mixed", f"d{level}")
            return b"\r\n".join(outer) + b"\r\n" + part
        elif action == "many parts":
            part = b"Content-Type: text/plain\r\n\r\npart"
            body = _multipart([part] * rng.randint(100, 3000), "mixed", "many")
            fields = [f for f in fields if not f.lower().startswith(b"content-type")]
            fields.append(body.split(b"\r\n\r\n", 1)[0])
            body = body.split(b"\r\n\r\n", 1)[1]
        elif action == "truncate body" and body:
            body = body[:rng.randrange(len(body))]
        elif action == "swap head and body":
            return body + b"\r\n\r\n" + b"\r\n".join(fields)
        raw = _join(fields, body)
    return raw


def mutated_mail(seeds: list[bytes], rng: random.Random) -> bytes:
    """A corpus mail changed at the byte level, the structure level, or both."""
    raw = rng.choice(seeds)
    kind = rng.randrange(3)
    if kind in (0, 2):
        raw = mutate_structure(raw, rng)
    if kind in (1, 2):
        raw = mutate_bytes(raw, rng)
    return raw
