"""Parsing throughput and memory: `parsing.parse_message` beside raw mail-parser, same run.

    .venv/bin/python -m bench.parsing [--count 1000] [--rounds 3] [--attachment-mb 25]

Throughput: messages per second over the mixed corpus of `bench.corpus` (NOTES.md's baseline:
short requests, some HTML-only, 10% with a 200 KB attachment), best of `--rounds`, for
`mailparser.parse_from_bytes` and for `parse_message` (and with the four details extracted).
Target: parse_message at least 0.5x mail-parser.

Memory: the peak for one mail with a 25 MB attachment, as a multiple of the mail's size, each
parser in a fresh process (peak RSS growth, Linux) and under tracemalloc. Target: at most 4x
(the standard library alone takes about 7.5x, NOTES.md).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from email.message import EmailMessage

from bench.corpus import make_corpus
from bench.report import Figure


def _mailparser(raw: bytes) -> object:
    import mailparser

    return mailparser.parse_from_bytes(raw)


def _ours(raw: bytes) -> object:
    from parsing import parse_message

    return parse_message(raw)


def _ours_with_details(raw: bytes) -> object:
    from parsing import parse_message
    from parsing.details import extract_details

    return extract_details(parse_message(raw), region="GB")


def _stdlib(raw: bytes) -> object:
    import email
    import email.policy

    message = email.message_from_bytes(raw, policy=email.policy.default)
    for part in message.walk():
        if not part.is_multipart():
            part.get_payload(decode=True)
    return message


PARSERS: dict[str, Callable[[bytes], object]] = {
    "mailparser.parse_from_bytes": _mailparser,
    "parsing.parse_message": _ours,
    "parse_message + four details": _ours_with_details,
    "stdlib (policy.default)": _stdlib,
}


def rate(parse: Callable[[bytes], object], corpus: list[bytes]) -> float:
    started = time.perf_counter()
    for raw in corpus:
        parse(raw)
    return len(corpus) / (time.perf_counter() - started)


def big_mail(megabytes: int) -> bytes:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane@school.example>"
    message["To"] = "support@desk.example"
    message["Subject"] = "The backup log"
    message.set_content("The backup failed again, log attached.\n\nJane Doe\nTel: 01772 123456\n")
    message.add_attachment(os.urandom(megabytes * 1024 * 1024), maintype="application",
                           subtype="octet-stream", filename="backup.log")
    return message.as_bytes()


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def _peak_in_child(name: str, path: str, queue: multiprocessing.Queue) -> None:
    parse = PARSERS[name]
    parse(b"From: a@b.example\r\n\r\nwarm up imports")
    fd = os.open(path, os.O_RDONLY)
    try:  # one allocation of the mail's size, as a daemon holds it after reading the database
        raw = os.read(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)
    # A spawned child starts with its parent's high-water mark; Linux resets it on request
    # (proc(5), /proc/pid/clear_refs: 5), so the peak below is this parse's alone.
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")
    before = _status_kb("VmRSS")
    tracemalloc.start()
    parse(raw)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    queue.put((len(raw), (_status_kb("VmHWM") - before) * 1024, traced))


def peak(name: str, path: str) -> tuple[int, int, int]:
    """(mail size, peak RSS growth, tracemalloc peak) while `name` parses the mail at `path`."""
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = context.Queue()
    child = context.Process(target=_peak_in_child, args=(name, path, queue))
    child.start()
    result = queue.get(timeout=600)
    child.join()
    return result


BASELINE = "mailparser.parse_from_bytes"
OURS = "parsing.parse_message"
TARGET_RATE = 0.5  # parse_message's rate, at least this times mail-parser's
TARGET_MEMORY = 4.0  # parse_message's peak, at most this times the mail's size
MEMORY_PARSERS = (OURS, BASELINE, "stdlib (policy.default)")


def throughput(count: int, rounds: int) -> dict[str, float]:
    """Each parser's best rate (msg/s) over `rounds` on `count` mails of the mixed corpus."""
    corpus = make_corpus(count)
    for parse in PARSERS.values():  # imports and caches warm before timing
        parse(corpus[0])
    best = dict.fromkeys(PARSERS, 0.0)
    for _ in range(rounds):  # interleaved, so machine noise hits every parser alike
        for name, parse in PARSERS.items():
            best[name] = max(best[name], rate(parse, corpus))
    return best


def memory(megabytes: int, names: Sequence[str] = MEMORY_PARSERS
           ) -> dict[str, tuple[int, int, int]]:
    """(mail size, peak RSS growth, tracemalloc peak) for each parser of `names` on one mail
    with a `megabytes` MB attachment, each in a fresh process."""
    with tempfile.NamedTemporaryFile(suffix=".eml") as handle:
        handle.write(big_mail(megabytes))
        handle.flush()
        return {name: peak(name, handle.name) for name in names}


def worst_multiple(size: int, rss: int, traced: int) -> float:
    """The peak the target is about: the larger of RSS growth and tracemalloc, x the mail."""
    return max(rss, traced) / size


def figures(quick: bool, kinds: Sequence[str]) -> list[Figure]:
    """No database: `kinds` is ignored. Quick: 300 mails, best of 2, and the memory of
    parse_message and mail-parser only; full: 1,000 mails, best of 3, and the stdlib's too."""
    count, rounds = (300, 2) if quick else (1000, 3)
    best = throughput(count, rounds)
    baseline = best[BASELINE]
    rows = [
        Figure("parsing", f"{name}, mixed mail", value, "msg/s", BASELINE, baseline,
               target=TARGET_RATE if name == OURS else None,
               note=(f"{count} mails of bench.corpus (10% with a 200 KB attachment), best of "
                     f"{rounds}" if name == OURS else ""))
        for name, value in best.items() if name != BASELINE
    ]
    megabytes = 25
    peaks = memory(megabytes, MEMORY_PARSERS[:2] if quick else MEMORY_PARSERS)
    others = ", ".join(
        f"{name} {worst_multiple(*peaks[name]):.1f}×" for name in peaks if name != OURS)
    size = peaks[OURS][0]
    rows.append(Figure(
        "parsing", f"{OURS} peak memory, {megabytes} MB attachment",
        worst_multiple(*peaks[OURS]), "× mail size", target=TARGET_MEMORY,
        lower_is_better=True,
        note=f"larger of RSS growth and tracemalloc, fresh process, {size / 1e6:.1f} MB mail; "
             f"same run: {others}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--attachment-mb", type=int, default=25)
    args = parser.parse_args()

    best = throughput(args.count, args.rounds)
    baseline = best[BASELINE]
    print(f"throughput, {args.count} mixed messages (10% with a 200 KB attachment), "
          f"best of {args.rounds}:")
    for name, value in best.items():
        print(f"  {name:<30} {value:8.0f} msg/s   {value / baseline:5.2f}x mail-parser")
    ours = best[OURS] / baseline
    print(f"  target parse_message >= 0.5x mail-parser: "
          f"{'met' if ours >= TARGET_RATE else 'MISSED'}")

    print(f"\npeak memory, one mail with a {args.attachment_mb} MB attachment "
          "(x the mail's size; fresh process each):")
    peaks = memory(args.attachment_mb)
    for name, (size, rss, traced) in peaks.items():
        print(f"  {name:<30} RSS +{rss / size:4.1f}x   tracemalloc {traced / size:4.1f}x"
              f"   ({size / 1e6:.1f} MB mail)")
    worst = worst_multiple(*peaks[OURS])
    print(f"  target parse_message <= 4x: {'met' if worst <= TARGET_MEMORY else 'MISSED'} "
          f"({worst:.1f}x)")


if __name__ == "__main__":
    main()
