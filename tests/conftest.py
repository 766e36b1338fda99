"""Shared fixtures: a database per test (SQLite always, PostgreSQL when it answers), a real
SMTP sink, a config file, and the CLI run in-process."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.dovecot import Dovecot
from tests.support.harness import Harness
from tests.support.imap_box import Mailbox
from tests.support.sink import SmtpSink

# The suite is deterministic: the generated mail is the same on every run, so CI cannot fail
# by luck. `HYPOTHESIS_PROFILE=explore scripts/test -k fuzz` searches new inputs instead.
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=2000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

REPO = Path(__file__).resolve().parent.parent
# Real-world mail from Zammad's and Request Tracker's test suites, copied byte for byte from the
# team's shared corpus so that a clean clone tests on it (tests/corpus/README.md)
CORPUS = REPO / "tests" / "corpus"
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test"
_counter = itertools.count()


def postgres_answers() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            pass
    except OSError:
        return False
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mailgate.db import make_engine, upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if not postgres_answers():
        if os.environ.get("MAILGATE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT}")
        pytest.skip(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT}")
    import psycopg

    from mailgate.db import make_engine, upgrade

    name = f"mailgate_tpl_{os.getpid()}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}")
    upgrade(engine)
    engine.dispose()
    yield name
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "mailgate.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    import psycopg

    name = f"mailgate_t_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    """A real SMTP server on loopback that keeps what it receives."""
    server = SmtpSink(port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def harness(
    tmp_path: Path, db_url: str, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Harness]:
    # the secret that signs reply addresses ([desk] secret_env); `serve` refuses to run without
    monkeypatch.setenv("MAILGATE_SECRET", "test-secret-not-for-production")
    instance = Harness(tmp_path, db_url, sink, smtp_in_port=free_port())
    yield instance
    instance.close()


def write_config(path: Path, body: str) -> Path:
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    """One private Dovecot for the module; every test gets a fresh user (an empty mailbox)."""
    server = Dovecot(free_port(), tls_port=free_port())
    server.start()
    yield server
    server.close()


@pytest.fixture
def box(dovecot: Dovecot, harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    if dovecot.process is None:  # a test stopped it and failed before starting it again
        dovecot.start()
    return Mailbox(dovecot, harness, monkeypatch)
