"""Issue 12, fuzzing the whole pipeline: generated and mutated mail through the store and the
pipeline `ingest` runs (in process, for speed) and a handful through the real `mailgate ingest`.
No exception escapes a stage, every message ends in a ticket, a held request, or quarantine (or
screening) with a reason, and its raw bytes are kept.

Deterministic: hypothesis runs derandomized (tests/conftest.py) and the mutations draw from
random.Random(SEED), so a failure in CI reproduces. `MAILGATE_FULL=1` runs 10,000 mails."""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from sqlmodel import select

from mailgate.batches import process_states
from mailgate.intake.store import store_many
from mailgate.parsers import Waiting
from parsing.fingerprint import dedup_key
from tests.conftest import CORPUS
from tests.support.harness import Harness
from tests.support.mutate import generated_mail, mutated_mail
from tests.support.scale import FULL, sized
from tickets.models import (
    InboundMessage,
    PendingRequest,
    StoredAttachment,
    Ticket,
    TicketMessage,
)

SEED = 12
BATCH = 100  # as `ingest` stores and processes files: many to a transaction
ENDS = {"done", "held", "screened", "quarantined"}
SEEDS = sorted(
    p.read_bytes() for p in CORPUS.rglob("*")
    if p.is_file() and p.suffix != ".yml" and "README" not in p.name
)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday morning, inside business hours


def _generated(count: int) -> list[bytes]:
    """`count` mails from the hypothesis strategies (derandomized: the same on every run)."""
    mails: list[bytes] = []

    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(generated_mail())
    def collect(raw: bytes) -> None:
        mails.append(raw)

    collect()
    return mails


def fuzz_mail(count: int) -> list[bytes]:
    """`count` different messages (by the store's dedup key: a copy would only test dedup),
    half generated, half mutated real mail from tests/corpus/."""
    keys: set[str] = set()

    def new(raw: bytes) -> bool:
        key = dedup_key(raw)
        fresh = key not in keys
        keys.add(key)
        return fresh

    generated = [raw for raw in _generated(count) if new(raw)][: count // 2]
    rng = random.Random(SEED)
    mutated: list[bytes] = []
    while len(generated) + len(mutated) < count:
        raw = mutated_mail(SEEDS, rng)
        if new(raw):
            mutated.append(raw)
    return generated + mutated


def _through_pipeline(harness: Harness, mails: list[bytes]) -> dict[int, str]:
    """What `ingest` does with its files, in process: store a batch in one transaction, then
    run the stored messages through the pipeline; each message's final state by id."""
    config, engine = harness.config, harness.engine
    states: dict[int, str] = {}
    for start in range(0, len(mails), BATCH):
        batch = mails[start:start + BATCH]
        stored = store_many(engine, batch, source="fuzz", now=NOW,
                            envelope_from="customer@example.org",
                            envelope_to=["support@desk.example"])
        fresh = {s.id: raw for s, raw in zip(stored, batch, strict=True) if not s.duplicate}
        waiting = [Waiting(inbound_id, raw, len(raw)) for inbound_id, raw in fresh.items()]
        states.update(process_states(engine, config, waiting, NOW))
    return states


def _ticket_named(reason: str, references: set[str]) -> bool:
    return reason.startswith("duplicate") and any(ref in reason for ref in references)


@pytest.mark.faults
@pytest.mark.long
def test_fuzzed_mail_through_the_pipeline(harness: Harness) -> None:
    count = sized(300, 10_000)
    started = time.monotonic()
    mails = fuzz_mail(count)
    made = time.monotonic() - started
    states = _through_pipeline(harness, mails)
    took = time.monotonic() - started - made

    with harness.session() as session:
        rows = {r.id: r for r in session.exec(select(InboundMessage)).all()}
        ticketed = set(session.exec(select(TicketMessage.inbound_id)).all())
        pending = set(session.exec(select(PendingRequest.inbound_id)).all())
        references = set(session.exec(select(Ticket.reference)).all())
    by_state = Counter(row.state for row in rows.values())
    print(f"fuzz ({'full' if FULL else 'bounded'}, seed {SEED}): {len(mails)} different mails, "
          f"stored {len(rows)}, "
          + ", ".join(f"{state} {n}" for state, n in sorted(by_state.items()))
          + f"; made in {made:.1f} s, processed in {took:.1f} s; mail set "
          + hashlib.sha256(b"\0".join(mails)).hexdigest()[:12])
    why = Counter(r.reason.split(":")[0][:60] for r in rows.values() if r.state == "quarantined")
    print("quarantined because: " + "; ".join(f"{n} {reason}" for reason, n in why.most_common(6)))

    assert set(states) == set(rows), "every stored message went through the pipeline"
    problems = []
    for inbound_id, row in rows.items():
        if row.reason.startswith("pipeline error"):
            problems.append((inbound_id, "an exception escaped a stage", row.reason))
        elif row.state not in ENDS or not row.reason:
            problems.append((inbound_id, "no end with a reason", f"{row.state}: {row.reason}"))
        elif row.state == "done" and not (  # on a ticket, or a copy of a message that is
                inbound_id in ticketed or _ticket_named(row.reason, references)):
            problems.append((inbound_id, "done without a ticket", row.reason))
        elif row.state == "held" and inbound_id not in pending:
            problems.append((inbound_id, "held without a held request", row.reason))
    if problems:  # the mail itself, so that a failure in CI can be replayed from its output
        with harness.session() as session:
            first = session.exec(select(InboundMessage.raw).where(
                InboundMessage.id == problems[0][0])).one()
        pytest.fail(f"{len(problems)} problem(s), the first {problems[:5]}; its mail: "
                    f"{bytes(first)[:4000]!r}")
    # raw bytes kept: every mail is stored byte for byte, or is a duplicate of one that is
    kept = {row.sha256 for row in rows.values()}
    digests = {hashlib.sha256(raw).hexdigest() for raw in mails}
    with harness.session() as session:
        for row in list(rows.values())[:: max(1, len(rows) // 50)]:  # a sample, read whole
            raw = session.exec(select(InboundMessage.raw).where(
                InboundMessage.id == row.id)).one()
            assert hashlib.sha256(raw).hexdigest() == row.sha256
    assert kept <= digests
    assert by_state["done"] > len(rows) // 10, "the fuzz must reach ticket creation too"


@pytest.mark.faults
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_fuzzed_mail_through_the_ingest_command(harness: Harness, tmp_path: Path) -> None:
    """A handful through the real `mailgate ingest` process, as an MTA runs it."""
    mails = fuzz_mail(40)[::2]  # both kinds
    paths = []
    for index, raw in enumerate(mails):
        paths.append(tmp_path / f"fuzz-{index}.eml")
        paths[-1].write_bytes(raw)
    result = harness.run_process("ingest", "--no-send", *(str(p) for p in paths))
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    rows = harness.inbound()
    by_state = Counter(row.state for row in rows)
    print(f"ingest process: {len(mails)} files, stored {len(rows)}, "
          + ", ".join(f"{state} {n}" for state, n in sorted(by_state.items())))
    assert b"Traceback" not in result.stderr
    assert rows
    for row in rows:
        assert row.state in ENDS and row.reason, (row.id, row.state, row.reason)
        assert not row.reason.startswith("pipeline error"), row.reason


@pytest.mark.faults
def test_control_characters_in_an_attachments_headers(harness: Harness) -> None:
    """Found by the fuzz on PostgreSQL, which refuses NUL in text: a NUL in a part's
    Content-Type or Content-ID made the whole message a pipeline error."""
    raw = (b"From: Jane Doe <jane@school.example>\r\nTo: support@desk.example\r\n"
           b"Subject: scan\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n"
           b"Content-Type: text/plain\r\n\r\nThe printer in room 12 is broken.\r\n--q\r\n"
           b"Content-Type: appli\x00cation/pd\x00f\r\nContent-ID: <a\x00b@x>\r\n\r\n%PDF\r\n"
           b"--q--\r\n")
    states = _through_pipeline(harness, [raw])
    [row] = harness.inbound()
    print(f"NUL in Content-Type and Content-ID: {row.state}: {row.reason}")
    assert list(states.values()) == ["done"], row.reason
    with harness.session() as session:
        stored = session.exec(select(StoredAttachment)).one()
    assert (stored.content_type, stored.content_id) == ("application/pdf", "ab@x")
