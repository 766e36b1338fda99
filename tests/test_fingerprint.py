"""The dedup key hashes the body a chunk at a time; the key must stay what it was (keys are
stored: a changed key would let a redelivered message in twice)."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parsing.fingerprint
from parsing.fingerprint import dedup_key

CORPUS = Path(__file__).parent / "corpus"


def _key_of_whole_body(raw: bytes) -> str:
    """The key as it was computed before chunking: the whole body normalised at once."""
    import re

    match = re.search(rb"\r?\n\r?\n", raw)
    head, body = (raw, b"") if match is None else (raw[: match.start()], raw[match.end():])
    from email.parser import BytesHeaderParser

    from parsing.headers import parse_message_ids

    headers = BytesHeaderParser().parsebytes(head + b"\n\n")
    digest = hashlib.sha256()
    ids = parse_message_ids(str(headers.get("Message-ID", "")))
    if ids:
        digest.update(b"id:" + ids[0].encode("utf-8", "surrogateescape"))
    else:
        for name in ("from", "to", "cc", "subject", "date"):
            value = " ".join(str(headers.get(name, "")).split())
            digest.update(f"{name}:{value}\n".encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    lines = body.replace(b"\r\n", b"\n").split(b"\n")
    digest.update(b"\n".join(line.rstrip() for line in lines).rstrip(b"\n"))
    return digest.hexdigest()


def test_every_corpus_message_keeps_its_key() -> None:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".box", ".eml"))
    assert len(files) > 60
    for path in files:
        raw = path.read_bytes()
        assert dedup_key(raw) == _key_of_whole_body(raw), path


_lines = st.lists(
    st.sampled_from([b"", b" ", b"\t", b"text", b"text  ", b"a\r", b"\r", b" lead", b"\x0c"]),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(lines=_lines, ending=st.sampled_from([b"\n", b"\r\n"]), chunk=st.integers(1, 12))
def test_chunk_boundaries_do_not_change_the_key(
    lines: list[bytes], ending: bytes, chunk: int
) -> None:
    raw = b"From: a@b.example\r\nSubject: x\r\n\r\n" + ending.join(lines)
    original = parsing.fingerprint._CHUNK
    parsing.fingerprint._CHUNK = chunk
    try:
        assert dedup_key(raw) == _key_of_whole_body(raw)
    finally:
        parsing.fingerprint._CHUNK = original


def test_the_key_of_a_large_mail_holds_no_copy_of_its_body() -> None:
    attachment = (b"QUJD" * 19 + b"\r\n") * 200_000  # 15 MB of base64 lines
    raw = b"From: a@b.example\r\nMessage-ID: <big@b.example>\r\n\r\n" + attachment
    tracemalloc.start()
    try:
        dedup_key(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < len(raw) / 2, f"{peak / len(raw):.2f}× the mail"


@pytest.mark.parametrize("raw", [b"", b"no header end", b"Subject: x\n\n", b"Subject: x\n\n\n\n"])
def test_odd_messages_keep_their_key(raw: bytes) -> None:
    assert dedup_key(raw) == _key_of_whole_body(raw)
