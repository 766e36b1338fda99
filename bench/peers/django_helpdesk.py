"""Peer baseline: django-helpdesk 2.6.1's `get_email` ingesting a directory of .eml files.

    .venv/bin/python -m bench.peers.django_helpdesk [--count 500] [--workdir DIR]

Measures the wall time of `python manage.py get_email` alone (Django's start-up included, as
cron runs it; not the venv, not `migrate`) on SQLite with Django's defaults, over one queue of
type 'local' whose directory holds the mails, then counts the tickets it made. It exists so
that our own ingest is compared with the best-known Django peer in the same run, on the same
machine and corpus, rather than with a figure from NOTES.md: "django-helpdesk 2.6.1 (get_email
from a local directory, SQLite) ~60 mails/s on a quiet machine; one mail with an unknown
charset or raw 8-bit bytes stops its queue for good".

django-helpdesk is installed from PyPI into its own venv, cached under
~/.cache/mailgate-bench/django-helpdesk-2.6.1/, never into mailgate's venv. Its acknowledgement
to the submitter is rendered from its email template and handed to Django's in-memory backend,
never to an SMTP server: it does less than mailgate, which also queues the acknowledgement for
delivery. get_email deletes each mail file it made a ticket from and leaves the others.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

VERSION = "2.6.1"
# Exact versions that resolve and run together: 2.6.1 wants Django>=5.2; 5.2 LTS still runs on
# Python 3.11 (Django 6 needs 3.12).
PINS = (
    f"django-helpdesk=={VERSION}", "Django==5.2.19", "asgiref==3.13.0", "sqlparse==0.6.1",
    "django-cleanup==9.0.0", "django-model-utils==5.0.0", "djangorestframework==3.18.3",
    "email-reply-parser==0.5.12", "Markdown==3.11.3", "beautifulsoup4==4.15.0", "soupsieve==4.1.3",
    "nh3==0.3.8", "oauthlib==4.0.1", "requests-oauthlib==2.0.0", "requests==2.34.2",
    "certifi==2026.10.19.post1", "charset-normalizer==3.5.3", "idna==3.20", "urllib3==2.8.0",
    "typing_extensions==4.16.0",
)
PEER_VENV = Path.home() / ".cache" / "mailgate-bench" / f"django-helpdesk-{VERSION}"
MARKER = ".mailgate-pins"

SETTINGS = """\
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "mailgate-bench-only"
DEBUG = False  # DEBUG would also keep every SQL query in memory
ALLOWED_HOSTS = ["localhost"]
# The apps django-helpdesk's install guide lists as required, less 'bootstrap4form' (2.6.1
# neither depends on it nor uses it), plus 'messages', which django.contrib.admin's checks want.
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.admin",
    "django.contrib.humanize",
    "django.contrib.messages",
    "rest_framework",
    "django_cleanup.apps.CleanupConfig",
    "helpdesk",
]
HELPDESK_TEAMS_MODE_ENABLED = False  # teams need pinax-teams, an optional extra
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
ROOT_URLCONF = "peer_urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
USE_TZ = True
MEDIA_ROOT = BASE_DIR / "media"
# get_email mails the submitter on every new ticket: the in-memory backend renders and builds
# each message but reaches no SMTP server (so it does less work than mailgate's outbox).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "support@desk.example"
# Django's own logging drops these when DEBUG is off: a failed queue would go unsaid.
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"stderr": {"class": "logging.StreamHandler"}},
           "loggers": {"django.helpdesk": {"handlers": ["stderr"], "propagate": False}}}
"""
URLS = """\
from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls"))]
"""
MANAGE = """\
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""
# email_box_interval=0: due at once; logging_type 'warn' without a logging_dir sends its
# warnings (a mail left unprocessed, a queue that failed) to LOGGING's stderr, which we read.
MAKE_QUEUE = """\
from helpdesk.models import Queue
Queue.objects.create(title="Bench", slug="bench", email_address="support@desk.example",
    allow_email_submission=True, email_box_type="local", email_box_local_dir={maildir!r},
    email_box_interval=0, logging_type="warn")
"""
COUNT = """\
import json
from helpdesk.models import FollowUp, FollowUpAttachment, Ticket
print(json.dumps([Ticket.objects.count(), FollowUp.objects.count(),
    FollowUpAttachment.objects.count()]))
"""


@dataclass(frozen=True, slots=True)
class PeerRun:
    mails: int  # files given
    tickets: int  # tickets django-helpdesk made (count rows after the run)
    seconds: float  # wall time of get_email alone (not venv creation, not migrate)

    @property
    def rate(self) -> float:
        return self.mails / self.seconds if self.seconds > 0 else float("inf")



def say(text: str) -> None:
    """Progress, to standard error: the bench's table goes to standard output."""
    print(text, file=sys.stderr, flush=True)

def _tail(text: str, lines: int = 12) -> str:
    kept = [line for line in text.splitlines() if not line.startswith("WARNING: Location")]
    return "\n".join(kept[-lines:])


def _run(args: Sequence[str | Path], what: str, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {done.returncode}):\n"
                           f"{_tail(done.stdout + done.stderr)}")
    return done.stdout


def _works(python: Path) -> bool:
    marker = PEER_VENV / MARKER
    if not python.exists() or not marker.exists() or marker.read_text() != "\n".join(PINS):
        return False
    check = subprocess.run([python, "-c", "import django, helpdesk"], capture_output=True)
    return check.returncode == 0


def peer_python() -> Path:
    """The peer venv's python, installing django-helpdesk into it first if need be."""
    python = PEER_VENV / "bin" / "python"
    if _works(python):
        return python
    say(f"installing django-helpdesk {VERSION} into {PEER_VENV} (first run only) …")
    start = time.perf_counter()
    shutil.rmtree(PEER_VENV, ignore_errors=True)
    PEER_VENV.parent.mkdir(parents=True, exist_ok=True)
    try:
        base = shutil.which("python3") or sys.executable
        _run([base, "-m", "venv", PEER_VENV], f"creating the venv {PEER_VENV}")
        _run([python, "-m", "pip", "install", "--disable-pip-version-check", *PINS],
             f"installing django-helpdesk {VERSION} ({', '.join(PINS[:2])}) with pip")
    except RuntimeError:
        shutil.rmtree(PEER_VENV, ignore_errors=True)
        raise
    (PEER_VENV / MARKER).write_text("\n".join(PINS))
    say(f"installed django-helpdesk {VERSION} in {time.perf_counter() - start:.0f} s")
    return python


def run_get_email(mails: Sequence[bytes], workdir: Path) -> PeerRun:
    """Write `mails` as .eml files for a fresh django-helpdesk project in `workdir`, and time
    its get_email over them."""
    python = peer_python()
    workdir.mkdir(parents=True, exist_ok=True)
    maildir = workdir / "mail"
    shutil.rmtree(maildir, ignore_errors=True)
    shutil.rmtree(workdir / "media", ignore_errors=True)
    (workdir / "db.sqlite3").unlink(missing_ok=True)
    maildir.mkdir()
    (workdir / "peer_settings.py").write_text(SETTINGS)
    (workdir / "peer_urls.py").write_text(URLS)
    (workdir / "manage.py").write_text(MANAGE)
    for n, mail in enumerate(mails):
        (maildir / f"{n:06d}.eml").write_bytes(mail)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELPDESK_", "DJANGO_"))}
    env.pop("PYTHONPATH", None)
    manage: list[str | Path] = [python, "manage.py"]
    say(f"django-helpdesk: migrating a fresh SQLite database in {workdir} …")
    _run([*manage, "migrate", "--no-input"], "django-helpdesk's migrate", workdir, env)
    _run([*manage, "shell", "-c", MAKE_QUEUE.format(maildir=str(maildir))],
         "creating the helpdesk queue", workdir, env)

    say(f"django-helpdesk: get_email over {len(mails)} mails …")
    start = time.perf_counter()
    done = subprocess.run(
        [*manage, "get_email"], capture_output=True, text=True, cwd=workdir, env=env
    )
    seconds = time.perf_counter() - start

    counted = _run([*manage, "shell", "-c", COUNT], "counting tickets", workdir, env)
    tickets, followups, attachments = json.loads(counted.strip().splitlines()[-1])
    left = len(list(maildir.iterdir()))
    say(f"django-helpdesk: {tickets} tickets, {followups} follow-ups, {attachments} attachments; "
          f"{left} mail files left unprocessed")
    if done.returncode != 0 or left or "Queue processing failed" in done.stderr:
        say(f"django-helpdesk: get_email exited {done.returncode}; last lines of its output:\n"
              f"{_tail(done.stdout + done.stderr, 8)}")
    return PeerRun(mails=len(mails), tickets=tickets, seconds=seconds)


def main() -> int:
    from bench.corpus import make_corpus

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--workdir", type=Path, help="keep the Django project here")
    args = parser.parse_args()
    mails = make_corpus(args.count)
    try:
        with tempfile.TemporaryDirectory(prefix="peer-django-helpdesk-") as tmp:
            run = run_get_email(mails, args.workdir or Path(tmp))
    except RuntimeError as exc:
        say(f"django-helpdesk peer: {exc}")
        return 1
    print(f"django-helpdesk {VERSION} get_email (local directory, SQLite): {run.mails} mails, "
          f"{run.tickets} tickets in {run.seconds:.2f} s = {run.rate:.1f} mails/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
