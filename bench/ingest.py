"""Ingest throughput: `mailgate ingest FILE…` (store, parse, ticket, acknowledgement in the
outbox, one transaction per message) and the SMTP listener, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.ingest [--count 2000] [--postgres]

Prints mails per second beside the peers measured in NOTES.md (django-helpdesk ~60/s,
Request Tracker ~3.4/s on this machine kind).
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.corpus import make_corpus

PEERS = {"django-helpdesk 2.6.1": 60.0, "Request Tracker 5.0.3": 3.4}


def write_config(folder: Path, db_url: str, smtp_port: int) -> Path:
    path = folder / "config.toml"
    repo = Path(__file__).resolve().parent.parent
    path.write_text(
        f"""
[desk]
address = "support@desk.example"
templates = "{repo / 'templates'}"
[database]
url = "{db_url}"
[smtp_in]
port = {smtp_port}
[smtp_out]
port = 1
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

    name = f"mailgate_bench_{int(time.time())}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def bench_ingest(kind: str, mails: list[bytes]) -> float:
    from mailgate.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = write_config(folder, fresh_database(kind, folder), 0)
        assert main(["--config", str(config), "db", "upgrade"]) == 0
        files = []
        for n, raw in enumerate(mails):
            path = folder / f"{n}.eml"
            path.write_bytes(raw)
            files.append(str(path))
        started = time.perf_counter()
        assert main(["--config", str(config), "ingest", *files]) == 0
        elapsed = time.perf_counter() - started
    return len(mails) / elapsed


def bench_smtp(kind: str, mails: list[bytes], clients: int = 4) -> tuple[float, float, float]:
    """Accept rate (250 after commit) and p99 latency with several clients; then the time for
    the daemon's pipeline to turn them all into tickets."""
    from sqlmodel import Session, func, select

    from mailgate.config import load_config
    from mailgate.daemon import Daemon
    from mailgate.db import make_engine, upgrade
    from tickets.models import InboundMessage

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        config_path = write_config(folder, fresh_database(kind, folder), port)
        config = load_config(str(config_path))
        engine = make_engine(config.database_url)
        upgrade(engine)
        daemon = Daemon(config, engine)
        daemon.start()
        latencies: list[float] = []
        lock = threading.Lock()

        def client(chunk: list[bytes]) -> None:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for raw in chunk:
                    began = time.perf_counter()
                    smtp.sendmail("user@school.example", ["support@desk.example"],
                                  raw.replace(b"\n", b"\r\n"))
                    with lock:
                        latencies.append(time.perf_counter() - began)

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(mails[i::clients],))
                   for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        accepted = time.perf_counter() - started
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with Session(engine) as session:
                left = session.exec(select(func.count()).select_from(InboundMessage)
                                    .where(InboundMessage.state == "received")).one()
            if left == 0:
                break
            daemon.wake.set()
            time.sleep(0.05)
        to_tickets = time.perf_counter() - started
        daemon.stop()
        p99 = statistics.quantiles(latencies, n=100)[98]
    return len(mails) / accepted, p99, len(mails) / to_tickets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true", help="also on 127.0.0.1:5432")
    args = parser.parse_args()
    # mail is processed and acknowledged only with the signing secret, as in production
    os.environ.setdefault("MAILGATE_SECRET", "bench-secret")
    import logging

    logging.disable(logging.INFO)
    mails = make_corpus(args.count)
    size = sum(len(m) for m in mails) / 1e6
    print(f"corpus: {len(mails)} mails, {size:.1f} MB, 10% with a 200 KB attachment")
    kinds = ["sqlite", *(["postgresql"] if args.postgres else [])]
    best_peer = max(PEERS.values())
    for kind in kinds:
        rate = bench_ingest(kind, mails)
        print(f"[{kind}] mailgate ingest FILE…: {rate:7.1f} mails/s "
              f"({rate / best_peer:.1f}× django-helpdesk, the faster peer)")
        accept, p99, end_to_end = bench_smtp(kind, mails)
        print(f"[{kind}] SMTP, 4 clients: accepted {accept:7.1f} mails/s, p99 {p99 * 1000:.0f} ms; "
              f"all tickets made at {end_to_end:7.1f} mails/s")
    for peer, rate in PEERS.items():
        print(f"peer (NOTES.md): {peer}: ~{rate} mails/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
