"""Ingest from files: `mailgate ingest FILE…` beside django-helpdesk 2.6.1's `get_email` on the
same files, in the same run.

    .venv/bin/python -m bench.ingest [--count 2000] [--quick] [--postgres]

`mailgate ingest` stores every file, then parses each, makes its ticket and queues its
acknowledgement (rendered, signed). django-helpdesk (installed by bench.peers.django_helpdesk
into its own venv from PyPI) reads the same files from a local directory into its SQLite
database. Both are timed as whole commands, interpreter start included.
Targets (issue 10): at least 5× django-helpdesk on SQLite, 3× on PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bench.corpus import make_corpus
from bench.report import Figure, run_alone

REPO = Path(__file__).resolve().parent.parent
PEER = "django-helpdesk 2.6.1 get_email (SQLite)"
TARGETS = {"sqlite": 5.0, "postgresql": 3.0}
CORPUS = REPO / "tests" / "corpus"


def write_config(folder: Path, db_url: str, smtp_port: int, smtp_out_port: int = 1) -> Path:
    path = folder / "config.toml"
    path.write_text(
        f"""
[desk]
address = "support@desk.example"
templates = "{REPO / 'templates'}"
[database]
url = "{db_url}"
[smtp_in]
port = {smtp_port}
[smtp_out]
port = {smtp_out_port}
[intake]
autoreply_limit = 1000000
""" + "".join(
            f'[[companies]]\nname = "School {n}"\ndomains = ["school{n}.example"]\n'
            for n in range(13)
        )
    )
    return path


def fresh_database(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}"
    import psycopg

    name = f"mailgate_bench_{os.getpid()}_{int(time.time())}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def mailgate(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MAILGATE_SECRET": os.environ.get("MAILGATE_SECRET", "bench-secret"),
           "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "mailgate", "--config", str(config), *args],
        capture_output=True, text=True, env=env, cwd=REPO, check=False,
    )


def ingest_rate(kind: str, files: list[Path], folder: Path) -> tuple[float, str]:
    """Mails per second of one `mailgate ingest` of every file; and what went wrong, if any."""
    url = fresh_database(kind, folder)
    try:
        config = write_config(folder, url, 0)
        upgraded = mailgate(config, "db", "upgrade")
        if upgraded.returncode != 0:
            raise RuntimeError(f"db upgrade failed: {upgraded.stderr[-500:]}")
        started = time.perf_counter()
        # --no-send: the acknowledgements are queued in the outbox, as the peer's are not sent
        run = mailgate(config, "ingest", "--no-send", *map(str, files))
        elapsed = time.perf_counter() - started
        if run.returncode != 0:
            raise RuntimeError(f"mailgate ingest exited {run.returncode}: {run.stderr[-500:]}")
        states = Counter(line.rsplit(": ", 1)[-1] for line in run.stderr.splitlines()
                         if line.startswith("message "))
        return len(files) / elapsed, ", ".join(f"{state} {n}" for state, n in sorted(
            states.items()))
    finally:
        drop_database(url)


def figures(quick: bool, kinds: Sequence[str], count: int | None = None) -> list[Figure]:
    from bench.peers.django_helpdesk import run_get_email

    count = count or (300 if quick else 2000)
    mails = make_corpus(count)
    results: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="mailgate-bench-ingest-") as tmp:
        folder = Path(tmp)
        files = []
        for n, raw in enumerate(mails):
            path = folder / f"{n}.eml"
            path.write_bytes(raw)
            files.append(path)
        print(f"ingest: django-helpdesk get_email of {count} files…", file=sys.stderr)
        (folder / "peer").mkdir()
        peer = run_get_email(mails, folder / "peer")
        peer_note = f"django-helpdesk: {peer.tickets} tickets"
        for kind in kinds:
            print(f"ingest: mailgate ingest of {count} files on {kind}…", file=sys.stderr)
            (folder / kind).mkdir()
            rate, note = ingest_rate(kind, files, folder / kind)
            results.append(Figure(
                bench="ingest", name=f"mailgate ingest, {count} files ({kind})",
                value=rate, unit="mails/s", baseline_name=PEER, baseline=peer.rate,
                target=TARGETS[kind], note=f"mailgate: {note}; {peer_note}",
            ))
        results.append(_real_world(folder / "corpus"))
    return results


def _real_world(folder: Path) -> Figure:
    """The same comparison over tests/corpus/: real mail from Zammad's and Request Tracker's
    test suites, odd charsets and broken MIME included."""
    from bench.peers.django_helpdesk import run_get_email

    sources = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".box", ".eml"))
    mails = [p.read_bytes() for p in sources]
    folder.mkdir()
    print(f"ingest: tests/corpus ({len(mails)} files), django-helpdesk and mailgate…",
          file=sys.stderr)
    (folder / "peer").mkdir()
    peer = run_get_email(mails, folder / "peer")
    (folder / "sqlite").mkdir()
    _, states = ingest_rate("sqlite", sources, folder / "sqlite")
    placed = sum(int(part.rsplit(" ", 1)[1]) for part in states.split(", ")
                 if not part.startswith("skipped"))
    return Figure(
        bench="ingest", name=f"tests/corpus: real-world files placed ({len(mails)} files)",
        value=placed, unit="files", baseline_name="django-helpdesk tickets", baseline=peer.tickets,
        note=f"mailgate: {states} (skipped: Zammad's copies of a message, stored once); "
             "django-helpdesk stops its queue at the first mail it cannot decode",
    )


def main(argv: list[str] | None = None) -> int:
    return run_alone("ingest", __doc__ or "", figures, quick="300 files",
                     count="files (default 2000)", argv=argv)


if __name__ == "__main__":
    sys.exit(main())
