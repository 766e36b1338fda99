"""Issue 3: malformed input never crashes the parser or the pipeline (hypothesis + named cases)."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsing import parse_message
from parsing.answer import answer_details
from parsing.details import extract_details
from tests.conftest import CORPUS
from tests.support.harness import Harness

SEEDS = sorted(
    p.read_bytes() for p in CORPUS.rglob("*")
    if p.is_file() and p.suffix != ".yml" and "README" not in p.name and p.stat().st_size < 60_000
)
HEAD = b"From: Jane Doe <jane@school.example>\r\nTo: support@desk.example\r\nSubject: fuzz\r\n"


def _multipart(parts: list[bytes], boundary: bytes = b"b") -> bytes:
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return (HEAD + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\""
            + boundary + b"\"\r\n\r\n" + body + b"--" + boundary + b"--\r\n")


def _nested(depth: int) -> bytes:
    inner = b"Content-Type: text/plain\r\n\r\nthe printer is broken"
    for level in range(depth):
        boundary = b"n%d" % level
        inner = (b"Content-Type: multipart/mixed; boundary=\"" + boundary + b"\"\r\n\r\n--"
                 + boundary + b"\r\n" + inner + b"\r\n--" + boundary + b"--")
    return HEAD + b"MIME-Version: 1.0\r\n" + inner + b"\r\n"


NAMED = {
    "truncated MIME": SEEDS[len(SEEDS) // 2][: len(SEEDS[len(SEEDS) // 2]) // 2],
    "truncated in a header": HEAD[:30],
    "multipart without boundary parameter": HEAD
    + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n\r\nhello\r\n--x--\r\n",
    "boundary never used": HEAD
    + b"Content-Type: multipart/mixed; boundary=zzz\r\n\r\nno parts at all here\r\n",
    "no close delimiter": _multipart([b"Content-Type: text/plain\r\n\r\nbody"])[:-9],
    "NUL bytes": HEAD.replace(b"fuzz", b"fu\x00zz") + b"\r\nthe\x00printer\x00is\x00broken\x00",
    "5,000 parts": _multipart(
        [b"Content-Type: text/plain\r\n\r\npart %d" % i for i in range(5000)]
    ),
    "100-deep nesting": _nested(100),
    "1 MB header line": HEAD + b"X-Long: " + b"a" * 1_000_000 + b"\r\n\r\nbody\r\n",
    "200 KB From without an address": HEAD.replace(b"Jane Doe <jane@school.example>",
                                                   b"a" * 200_000) + b"\r\nbody\r\n",
    "20,000 uuencode begin lines": HEAD + b"\r\n" + b"begin 644 x.bin\r\n" * 20_000,
    "1 MB subject without spaces": HEAD.replace(b"fuzz", b"s" * 1_000_000) + b"\r\nbody\r\n",
    "bad base64 body": HEAD
    + b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8=@@!!x\r\n",
    "bad base64 attachment": _multipart([
        b"Content-Type: text/plain\r\n\r\nsee attached",
        b"Content-Type: image/png; name=a.png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b"iVBORw0KGgo=\r\n!!!!\r\nAAA",
    ]),
    "big lifted base64 run followed by garbage": _multipart([
        b"Content-Type: text/plain\r\n\r\nsee attached",
        b"Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + (base64.encodebytes(b"x" * 700_000).replace(b"\n", b"\r\n")) + b"=garbage==\r\n",
    ]),
    "base64-looking text in a 7bit part": HEAD + b"Content-Type: text/plain\r\n\r\n"
    + (b"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n" * 12_000),
    "empty": b"",
    "only a blank line": b"\r\n",
    "binary noise": bytes(range(256)) * 64,
}


@pytest.mark.parametrize("raw", NAMED.values(), ids=list(NAMED))
def test_named_malformed_mail_parses(raw: bytes) -> None:
    started = time.monotonic()
    parsed = parse_message(raw)
    extract_details(parsed)
    assert time.monotonic() - started < 20


def test_lifted_text_part_keeps_its_text() -> None:
    parsed = parse_message(NAMED["base64-looking text in a 7bit part"])
    assert parsed.text.count("QUFB") > 1000  # parsed again without lifting, nothing replaced


def test_deep_nesting_and_many_parts_are_reported() -> None:
    assert any("nesting deeper" in d for d in parse_message(NAMED["100-deep nesting"]).defects)
    many = parse_message(NAMED["5,000 parts"])
    assert any("more than 2000 MIME parts" in d for d in many.defects)
    assert "part 0" in many.text


def _mutate(raw: bytes, data: st.DataObject) -> bytes:
    for _ in range(data.draw(st.integers(0, 6))):
        if not raw:
            break
        at = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert", "drop", "repeat"]))
        if action == "flip":
            raw = raw[:at] + bytes([raw[at] ^ data.draw(st.integers(1, 255))]) + raw[at + 1 :]
        elif action == "cut":
            raw = raw[:at]
        elif action == "insert":
            raw = raw[:at] + data.draw(st.sampled_from(
                [b"\x00", b"\r\n", b"\n\n", b"--", b"=?", b"?=", b"\xff\xfe", b"boundary=",
                 b"Content-Type: multipart/mixed; boundary=x\r\n", b"\r\n--x\r\n"]
            )) + raw[at:]
        elif action == "drop":
            raw = raw[:at] + raw[at + data.draw(st.integers(1, 200)) :]
        else:
            raw = raw[:at] + raw[at : at + 500] * 3 + raw[at:]
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_mail_never_crashes_the_parser(data: st.DataObject) -> None:
    raw = _mutate(data.draw(st.sampled_from(SEEDS)), data)
    parsed = parse_message(raw, max_attachment_bytes=50_000)
    extract_details(parsed)
    answer_details(parsed, ("name", "company", "phone", "description"), "GB")
    assert isinstance(parsed.text, str)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_parser(raw: bytes) -> None:
    parse_message(HEAD + raw)
    parse_message(raw)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_mutated_and_malformed_mail_through_the_pipeline(harness: Harness) -> None:
    """Through `mailgate ingest`: every message stored and ending with a state and a reason,
    none quarantined because the pipeline raised."""
    folder = harness.dir / "mail"
    folder.mkdir()
    paths: list[Path] = []
    for index, raw in enumerate(NAMED.values()):
        paths.append(folder / f"named-{index}.eml")
        paths[-1].write_bytes(raw)

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        path = folder / f"mutated-{len(paths)}.eml"
        path.write_bytes(_mutate(data.draw(st.sampled_from(SEEDS)), data))
        paths.append(path)

    collect()
    result = harness.cli("ingest", *(str(p) for p in paths))
    assert result.code == 0, result.err
    rows = harness.inbound()
    assert rows
    for row in rows:
        assert row.state in ("done", "screened", "quarantined", "held"), row.state
        assert not row.reason.startswith("pipeline error"), row.reason
        assert row.state == "done" or row.reason


_PIECES = st.sampled_from([
    b"=?", b"?=", b"?Q?", b"?B?", b"utf-8", b"x\x00y", b"\xff", b"\xe9", b'"', b"<", b">", b",",
    b";", b"@", b"*0*=", b"*1=", b"''", b"%E4", b"name=", b"filename*=", b"charset=", b" ",
    b"\r\n ", b"a", b"Z", b"(", b")", b"\\", b"multipart/mixed", b"boundary=", b"--",
])
_NAMES = st.sampled_from([
    b"From", b"To", b"Cc", b"Reply-To", b"Subject", b"Content-Type", b"Content-Disposition",
    b"Content-Transfer-Encoding", b"Message-ID", b"In-Reply-To", b"References", b"Date",
    b"Return-Path", b"Sender",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_NAMES, st.lists(_PIECES, max_size=25).map(b"".join)), max_size=8),
       st.binary(max_size=200))
def test_garbled_headers_never_crash_the_parser(
    headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    fields = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    extract_details(parse_message(fields + b"\r\n" + body))
    part = (b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n"
            + fields + b"\r\n" + body + b"\r\n--q--\r\n")
    extract_details(parse_message(part))  # the same fields on a MIME part
