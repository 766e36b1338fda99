"""Backlog and memory: how fast `mailgate serve` drains a backlog, whether its memory grows with
the backlog, and the peak memory of one mail with a 25 MB attachment through the whole pipeline.

    .venv/bin/python -m bench.backlog [--quick] [--count N] [--postgres]

Backlog: N small mails (default 8,000 on SQLite and 3,000 on PostgreSQL, so that the whole
`python -m bench` stays under ten minutes; the issue's 20,000 with --count 20000; 2,000 with
--quick), and then a quarter as many, are stored
straight into a fresh database with `mailgate.intake.store.store_many` while no daemon runs (as
if they came in faster than they were processed); then `mailgate serve` starts as a subprocess
and drains them. Reported: the drain rate (mails/s until no message is left 'received') and the
serve process's peak RSS growth: the peak (VmRSS sampled every 50 ms, and VmHWM) minus VmRSS
when its SMTP door first answered. Target: growth < 150 MB whatever the backlog (both sizes).

25 MB attachment: one mail carrying a 25 MiB attachment, base64 as a client sends it, through
`mailgate ingest FILE` (store, parse, ticket, acknowledgement in the outbox) on SQLite; peak RSS
of that process (its own rusage, os.wait4) minus the same for `mailgate ingest` of a tiny mail,
as a multiple of the mail's size. Target: at most 4x.
"""

from __future__ import annotations

import base64
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.corpus import WORDS
from bench.report import Figure, run_alone
from bench.storm import (
    MAILGATE,
    POLL,
    SERVE_ENV,
    BenchError,
    Database,
    Serve,
    Sink,
    free_port,
    say,
    upgrade,
    write_config,
)

MB = 1_000_000


def mb(kib: int) -> float:
    """/proc and rusage count in KiB."""
    return kib * 1024 / MB
STORE_BATCH = 500
RSS_LIMIT_MB = 150.0


def small_mails(count: int, seed: int = 11) -> list[bytes]:
    """Short plain-text requests from the desk's known schools, each its own ticket."""
    rng = random.Random(seed)
    mails = []
    for n in range(count):
        lines = [" ".join(rng.choice(WORDS) for _ in range(10)) for _ in range(rng.randint(2, 5))]
        mails.append((
            f"From: User {n % 97} <user{n % 97}@school{n % 13}.example>\r\n"
            f"To: support@desk.example\r\n"
            f"Subject: {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} ({n})\r\n"
            f"Date: Mon, 23 Nov 2026 08:00:00 +0000\r\n"
            f"Message-ID: <backlog-{seed}-{n}@school.example>\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "Hello,\r\n\r\n" + "\r\n".join(lines) + "\r\n\r\nThanks,\r\n"
            f"User {n % 97}\r\nTel: 01527 359 999\r\n"
        ).encode())
    return mails


def big_mail(mebibytes: int = 25) -> bytes:
    """One request with a `mebibytes` MiB attachment, base64 in 76-character lines."""
    payload = base64.encodebytes(random.Random(25).randbytes(mebibytes * 1024 * 1024))
    return (
        b"From: Jane Doe <jane@school1.example>\nTo: support@desk.example\n"
        b"Subject: The backup log\nDate: Mon, 23 Nov 2026 09:00:00 +0000\n"
        b"Message-ID: <backlog-big@school1.example>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b0"\n\n--b0\n'
        b"Content-Type: text/plain; charset=utf-8\n\n"
        b"The backup failed again, log attached.\n\nJane Doe\nTel: 01772 123456\n\n--b0\n"
        b'Content-Type: application/octet-stream\nContent-Disposition: attachment; '
        b'filename="backup.log"\nContent-Transfer-Encoding: base64\n\n'
        + payload + b"\n--b0--\n"
    )


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


class RssSampler(threading.Thread):
    """Samples a process's VmRSS every 50 ms; `peak` in kB."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopping = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.peak = max(self.peak, _status_kb(self.pid, "VmRSS"))
            self.stopping.wait(0.05)

    def stop(self) -> int:
        self.stopping.set()
        self.join()
        return self.peak


def drain(kind: str, mails: Sequence[bytes]) -> tuple[float, float, str]:
    """Store `mails` with no daemon running, then let `mailgate serve` drain them. Returns
    (mails/s, peak RSS growth in MB, a note)."""
    from mailgate.db import make_engine
    from mailgate.intake.store import store_many

    tag = f"[backlog {kind} {len(mails)}]"
    with tempfile.TemporaryDirectory(prefix="bench-backlog-") as tmp, Sink() as sink:
        folder, port = Path(tmp), free_port()
        db = Database.fresh(kind, folder)
        serve = Serve(write_config(folder, db.url, port, sink.port), port, folder / "serve.log")
        sampler: RssSampler | None = None
        try:
            upgrade(serve.config)
            engine = make_engine(db.url)
            now = datetime.now(UTC)
            for start in range(0, len(mails), STORE_BATCH):
                store_many(engine, mails[start:start + STORE_BATCH], source="smtp", now=now,
                           envelope_from="user@school.example",
                           envelope_to=["support@desk.example"])
            engine.dispose()
            say(f"{tag} stored; starting mailgate serve")
            ready = serve.start()
            assert serve.proc is not None
            pid = serve.proc.pid
            at_ready = _status_kb(pid, "VmRSS")
            early = len(mails) - db.scalar(
                "SELECT count(*) FROM inbound_message WHERE state = 'received'")
            sampler = RssSampler(pid)
            sampler.start()
            timeout = 120 + len(mails) * 0.2
            deadline = time.monotonic() + timeout
            said = time.monotonic()
            while (left := db.scalar(
                    "SELECT count(*) FROM inbound_message WHERE state = 'received'")) > 0:
                serve.check()
                if time.monotonic() - said > 10:
                    said = time.monotonic()
                    say(f"{tag} {left} left after {time.perf_counter() - ready:.0f} s")
                if time.monotonic() > deadline:
                    raise BenchError(f"{tag} timed out after {timeout:.0f} s with {left} "
                                     f"messages still 'received'")
                time.sleep(POLL)
            done = time.perf_counter()
            peak = max(sampler.stop(), _status_kb(pid, "VmHWM"))
            sampler = None
            rate = len(mails) / (done - ready)
            say(f"{tag} drained at {rate:.0f} mails/s")
            notes = [f"peak {mb(peak):.0f} MB minus RSS {mb(at_ready):.0f} MB when the door "
                     f"first answered ({early} mails processed by then)"]
            tickets = db.scalar("SELECT count(*) FROM ticket")
            if tickets != len(mails):
                notes.append(f"{tickets} tickets for {len(mails)} mails "
                             f"(inbound: {db.groups('inbound_message', 'state')})")
        except BaseException:
            say(serve.tail())
            raise
        finally:
            if sampler is not None:
                sampler.stop()
            code = serve.stop()
            db.drop()
        if code != 0:
            notes.append(f"serve exited with {code} on SIGTERM")
        if problems := serve.problems():
            notes.append(f"serve's log: {problems}")
            say(serve.tail())
    return rate, mb(peak - at_ready), "; ".join(notes)


# A fresh, small process runs `mailgate ingest` and reports its children's peak RSS: the
# bench's own (it holds the mail) would count, as a fork's RSS before exec is kept in ru_maxrss.
HELPER = """import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    code = subprocess.call(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT)
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def ingest_peak(config: Path, path: Path) -> tuple[int, str]:
    """Peak RSS (KiB) of `mailgate ingest PATH`; and what it printed."""
    log = path.with_suffix(".log")
    done = subprocess.run(
        [sys.executable, "-c", HELPER, str(log), MAILGATE, "--config", str(config), "ingest",
         str(path)], capture_output=True, text=True, env=SERVE_ENV, check=True)
    code, peak = (int(word) for word in done.stdout.split())
    said = log.read_text(errors="replace").strip()
    if code != 0:
        raise BenchError(f"mailgate ingest {path.name} exited with {code}:\n{said}")
    return peak, said


def attachment_figure() -> Figure:
    with tempfile.TemporaryDirectory(prefix="bench-big-") as tmp:
        folder = Path(tmp)
        db = Database.fresh("sqlite", folder)
        config = write_config(folder, db.url, 0, 1)  # nothing listens: only ingest runs
        upgrade(config)
        tiny, big = folder / "tiny.eml", folder / "big.eml"
        tiny.write_bytes(small_mails(1, seed=25)[0])
        raw = big_mail()
        big.write_bytes(raw)
        del raw
        size = big.stat().st_size
        say(f"[backlog] mailgate ingest of a {size / MB:.1f} MB mail")
        tiny_kb, _ = ingest_peak(config, tiny)
        big_kb, said = ingest_peak(config, big)
        states = db.groups("inbound_message", "state")
        kept = db.scalar("SELECT coalesce(max(length(content)), 0) FROM attachment")
        acks = db.scalar("SELECT count(*) FROM outbox")
        db.drop()
    growth = (big_kb - tiny_kb) * 1024 / size
    note = (f"mail {size / MB:.1f} MB; peak RSS of mailgate ingest {mb(big_kb):.0f} MB, "
            f"on a tiny mail {mb(tiny_kb):.0f} MB (the baseline subtracted); "
            f"inbound: {states}; largest attachment stored {kept / MB:.1f} MB; "
            f"outbox rows {acks}")
    if "done" not in states or kept == 0:
        note += f"; ingest said: {said[-300:]}"
    return Figure("backlog", "25 MB attachment, peak RSS growth", growth, "× mail size",
                  target=4.0, lower_is_better=True, note=note)


# The one-command run drains fewer than the 20,000 so that `python -m bench` stays under
# ten minutes at today's drain rate; `python -m bench.backlog --count 20000` drains them all.
FULL = {"sqlite": 8000, "postgresql": 3000}
QUICK = 600


def figures(quick: bool, kinds: Sequence[str], mails: int | None = None) -> list[Figure]:
    result: list[Figure] = []
    for kind in kinds:
        count = mails or (QUICK if quick else FULL[kind])
        full_rate, full_mb, full_note = drain(kind, small_mails(count))
        quarter = count // 4
        small_rate, small_mb, small_note = drain(kind, small_mails(quarter))
        result += [
            Figure("backlog", f"{kind}: drain {count:,} stored mails", full_rate, "mails/s",
                   note=f"parse, ticket, ack; {quarter:,} drained at {small_rate:.0f} mails/s"),
            Figure("backlog", f"{kind}: RSS growth, backlog {count:,}", full_mb, "MB",
                   target=RSS_LIMIT_MB, lower_is_better=True, note=full_note),
            Figure("backlog", f"{kind}: RSS growth, backlog {quarter:,}", small_mb, "MB",
                   target=RSS_LIMIT_MB, lower_is_better=True,
                   note=f"{small_note}; {full_mb - small_mb:+.0f} MB with 4x the backlog"),
        ]
    result.append(attachment_figure())
    return result


def main() -> int:
    return run_alone("backlog", __doc__ or "", figures, quick=f"{QUICK:,} mails",
                     count=f"mails stored before the drain (default {FULL})")


if __name__ == "__main__":
    sys.exit(main())
