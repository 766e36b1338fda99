"""A private PostgreSQL cluster for one test module: Debian's initdb and pg_ctl, a data dir and a
unix socket dir in tmp, a free TCP port on loopback. A test can restart or stop it under the
daemon (tests/test_faults_database.py); the shared server on 5432 is never touched.

initdb refuses to run as root, so when the tests run as root the cluster is made and run as the
`postgres` user (the data dir is then theirs).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path


def _binaries() -> Path | None:
    """The newest installed server's bin dir (/usr/lib/postgresql/<major>/bin), or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit()
        else 0,
    )
    return Path(found[-1]).parent if found else None


def unavailable() -> str:
    """Why a private cluster cannot be made here ('' when it can)."""
    if _binaries() is None:
        return "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user for initdb to run as"
    return ""


class PgCluster:
    def __init__(self, port: int) -> None:
        bin_dir = _binaries()
        assert bin_dir is not None, unavailable()
        self.bin = bin_dir
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="mailgate-pg-"))
        self.data = self.dir / "data"
        self.socket_dir = self.dir / "run"
        self.socket_dir.mkdir()
        self.log = self.dir / "postgres.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chmod(self.dir, 0o755)  # the postgres user must reach its data dir
            for path in (self.dir, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=self.dir
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()}\n"
                f"{self._log_tail()}"
            )
        return result

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")[-2000:]
        return ""

    def _options(self) -> str:
        # fsync off: a test cluster need not survive a power cut, and syncing slows it down
        return (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.socket_dir} -c fsync=off "
            "-c full_page_writes=off -c max_connections=50"
        )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--no-sync", "-E", "UTF8", "--locale=C")

    def start(self) -> None:
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", "60", "-o", self._options())

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every session is ended, the server comes back."""
        self._run("pg_ctl", "restart", "-D", str(self.data), "-m", "fast", "-l",
                  str(self.log), "-w", "-t", "60", "-o", self._options())

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w", "-t", "60")

    def running(self) -> bool:
        command = [str(self.bin / "pg_ctl"), "status", "-D", str(self.data)]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres",
                             autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def close(self) -> None:
        if self.data.exists() and self.running():
            with contextlib.suppress(Exception):
                self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
