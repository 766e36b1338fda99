"""Every benchmark, one table: each figure beside its baseline from the same run, and the ratio.

    .venv/bin/python -m bench [--quick] [--json PATH] [--no-postgres] [--only NAME[,NAME]]

Runs, in order: parsing, details, ingest, storm, backlog, replies, imap, sweep, calendar,
import; each module's `figures(quick, kinds)` returns its rows (`bench.report.Figure`). A
benchmark that fails is reported on one line and the others go on; the exit status is then 1.
PostgreSQL at 127.0.0.1:5432 is used beside SQLite when it answers (not with --no-postgres).
`--quick` bounds every benchmark (the whole run in under 2 minutes on 2 cores); the full run
takes under 10. The table goes to standard output, progress to standard error, and the
figures with the run's header to `--json` (default: bench-results.json here).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import logging
import mailbox
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bench.report import Figure, table, write_json

BENCHES = ("parsing", "details", "ingest", "storm", "backlog", "replies", "imap", "sweep",
           "calendar", "import")
REPO = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.split("\n")[0],
        epilog="benchmarks: " + ", ".join(BENCHES))
    parser.add_argument("--quick", action="store_true",
                        help="bounded sizes: the whole run in under 2 minutes on 2 cores")
    parser.add_argument("--json", type=Path, default=Path("bench-results.json"),
                        metavar="PATH", help="where to write the figures (default: %(default)s)")
    parser.add_argument("--no-postgres", action="store_true",
                        help="SQLite only, even when PostgreSQL at 127.0.0.1:5432 answers")
    parser.add_argument("--only", metavar="NAME[,NAME]",
                        help="run only these benchmarks (in the usual order)")
    args = parser.parse_args(argv)
    if args.only is not None:
        wanted = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in BENCHES]
        if unknown or not wanted:
            parser.error(f"--only: no benchmark named {', '.join(unknown) or '(none given)'}; "
                         f"the benchmarks are {', '.join(BENCHES)}")
        args.only = [name for name in BENCHES if name in wanted]
    else:
        args.only = list(BENCHES)
    return args


def postgres_problem() -> str | None:
    """None when PostgreSQL at 127.0.0.1:5432 answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means: SQLite only
        return one_line(exc)


def one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def ram_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def header(quick: bool, kinds: Sequence[str], postgres: str) -> dict[str, object]:
    """The run's circumstances: printed above the table and kept as the JSON's meta."""
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "ram_gib": ram_gib(),
                    "platform": f"{platform.system()} {platform.machine()}"},
        "python": platform.python_version(),
        "commit": _git("rev-parse", "--short", "HEAD") or "unknown",
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "mode": "quick" if quick else "full",
        "databases": list(kinds),
        "postgresql": postgres,
    }


def header_text(meta: dict[str, object]) -> str:
    machine = meta["machine"]
    databases = meta["databases"]
    assert isinstance(machine, dict) and isinstance(databases, list)
    ram = f"{machine['ram_gib']} GiB RAM" if machine["ram_gib"] is not None else "RAM unknown"
    dirty = " (with uncommitted changes)" if meta["uncommitted_changes"] else ""
    return "\n".join([
        f"mailgate bench, {meta['date']}",
        f"machine:   {machine['cores']} cores, {ram}, {machine['platform']}",
        f"python:    {meta['python']}",
        f"commit:    {meta['commit']}{dirty}",
        f"mode:      {meta['mode']}",
        f"databases: {', '.join(databases)}  (PostgreSQL: {meta['postgresql']})",
    ])


# --- import: `mailgate import MBOX` beside the standard library reading the same mbox ---

def import_missing() -> str | None:
    """None when `mailgate --help` lists an `import` command, else why it is not run."""
    try:
        done = subprocess.run([sys.executable, "-m", "mailgate", "--help"], cwd=REPO,
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"`mailgate --help` did not run ({one_line(exc)})"
    return None if lists_import(done.stdout) else "`mailgate import` does not exist yet"


def lists_import(help_text: str) -> bool:
    """Whether `mailgate --help` lists an `import` command (one line each, or argparse's
    `{serve,ingest,…}`)."""
    return re.search(r"(?m)^ {2,6}import(\s|$)|\{[^}]*\bimport\b[^}]*\}", help_text) is not None


def write_mbox(mails: Sequence[bytes], path: Path) -> None:
    """An mbox of `mails` as mail clients write it: a From_ line before each, and body lines
    starting with "From " quoted (mboxrd)."""
    with path.open("wb") as out:
        for raw in mails:
            body = re.sub(rb"(?m)^(>*From )", rb">\1", raw.replace(b"\r\n", b"\n"))
            out.write(b"From bench@school.example Mon Nov 23 08:00:00 2026\n")
            out.write(body if body.endswith(b"\n") else body + b"\n")
            out.write(b"\n")


def mbox_read_rate(path: Path) -> tuple[int, float]:
    """The standard library's `mailbox.mbox` reading every message of `path`: (count, msg/s)."""
    started = time.perf_counter()
    box = mailbox.mbox(path, create=False)
    try:
        count = sum(1 for _ in box)
    finally:
        box.close()
    return count, count / (time.perf_counter() - started)


def import_rate(kind: str, folder: Path, mbox: Path, count: int) -> float:
    from bench.ingest import drop_database, fresh_database, write_config
    from mailgate.cli import main as mailgate

    folder.mkdir()
    url = fresh_database(kind, folder)
    config = str(write_config(folder, url, 0))
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # "database at revision …"
            upgraded = mailgate(["--config", config, "db", "upgrade"])
        if upgraded != 0:
            raise RuntimeError("mailgate db upgrade failed")
        started = time.perf_counter()
        status = mailgate(["--config", config, "import", str(mbox)])
        elapsed = time.perf_counter() - started
    finally:
        drop_database(url)
    if status != 0:
        raise RuntimeError(f"mailgate import exited with {status}")
    return count / elapsed


def import_figures(quick: bool, kinds: Sequence[str]) -> list[Figure]:
    """`mailgate import` of an mbox of bench.corpus's mixed mail (quick: 2,000; full: 20,000)
    on each kind, beside `mailbox.mbox` reading the same file in the same run."""
    from bench.corpus import make_corpus

    count = 2000 if quick else 20_000
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        mbox = Path(tmp) / "bench.mbox"
        write_mbox(make_corpus(count, seed=13), mbox)
        read, baseline = mbox_read_rate(mbox)
        if read != count:
            raise RuntimeError(f"mailbox.mbox read {read} of the {count} mails written")
        size = mbox.stat().st_size / 1e6
        for kind in kinds:
            rate = import_rate(kind, Path(tmp) / kind, mbox, count)
            rows.append(Figure("import", f"mailgate import ({kind})", rate, "mails/s",
                               "mailbox.mbox reading the file", baseline,
                               note=f"{count:,} mails, {size:.0f} MB mbox" if not rows else ""))
    return rows


# --- the run ---

def run_bench(name: str, quick: bool, kinds: Sequence[str]) -> list[Figure]:
    if name == "import":
        return import_figures(quick, kinds)
    module = importlib.import_module(f"bench.{name}")  # lazily: one broken module stops one bench
    figures = module.figures(quick, list(kinds))
    if not isinstance(figures, list) or not all(isinstance(f, Figure) for f in figures):
        raise TypeError(f"bench.{name}.figures returned {type(figures).__name__}, "
                        "not a list of Figure")
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # mail is processed and acknowledged only with the signing secret, as in production
    os.environ.setdefault("MAILGATE_SECRET", "bench-secret")
    # as bench.ingest and bench.imap: no INFO chatter, and no warnings of the outbox retrying
    # the unreachable port the benches' configs send to; errors still show
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    logging.disable(logging.INFO)

    kinds = ["sqlite"]
    if args.no_postgres:
        postgres = "not used (--no-postgres)"
    elif (problem := postgres_problem()) is None:
        postgres = "127.0.0.1:5432 answers"
        kinds.append("postgresql")
    else:
        postgres = f"127.0.0.1:5432 does not answer ({problem}); SQLite only"
    meta = header(args.quick, kinds, postgres)
    print(header_text(meta), flush=True)

    figures: list[Figure] = []
    durations: dict[str, float] = {}
    failed: dict[str, str] = {}
    not_run: dict[str, str] = {}
    started_all = time.perf_counter()
    for n, name in enumerate(args.only, 1):
        if name == "import" and (reason := import_missing()) is not None:
            not_run[name] = reason
            print(f"[{n}/{len(args.only)}] {name}: not run: {reason}", file=sys.stderr)
            continue
        print(f"[{n}/{len(args.only)}] {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            rows = run_bench(name, args.quick, kinds)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a failing bench must not stop the run
            durations[name] = time.perf_counter() - started
            failed[name] = one_line(exc)
            traceback.print_exc(file=sys.stderr)
            print(f"[{n}/{len(args.only)}] bench {name} failed after {durations[name]:.1f} s: "
                  f"{failed[name]}", file=sys.stderr, flush=True)
            continue
        durations[name] = time.perf_counter() - started
        figures += rows
        print(f"[{n}/{len(args.only)}] {name}: {durations[name]:.1f} s, {len(rows)} figures",
              file=sys.stderr, flush=True)
    total = time.perf_counter() - started_all

    print()
    print(table(figures))
    print()
    for name, reason in not_run.items():
        print(f"{name}: not run — {reason}")
    for name, reason in failed.items():
        print(f"bench {name} failed: {reason}")
    print("durations: " + ", ".join(f"{name} {seconds:.1f} s"
                                    for name, seconds in durations.items())
          + f"; total {total:.1f} s")
    meta.update(durations={name: round(s, 2) for name, s in durations.items()},
                total_seconds=round(total, 2), failed=failed, not_run=not_run)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    write_json(figures, args.json, meta)
    print(f"JSON: {args.json.resolve()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
