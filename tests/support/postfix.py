"""Debian's Postfix as a private instance on loopback, and mailgate installed as the README's
"Postfix in front" says: a `mailgate` user, a venv on Debian's Python, the files of deploy/postfix.

Nothing of the system's Postfix is touched: the instance has its own config directory, queue,
data directory and log under a temp dir, and listens on a free loopback port. The pipe runs as
the `mailgate` user, so everything it reads is under world-traversable folders (mode 0755).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "postfix"
POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"
POSTCONF = shutil.which("postconf") or "/usr/sbin/postconf"
POSTMAP = shutil.which("postmap") or "/usr/sbin/postmap"
DEBIAN_PYTHON = Path("/usr/bin/python3")
# Built once per machine and reused: the mailgate user must be able to read it, which rules out
# pytest's temp dirs (mode 0700) and, on some machines, the checkout itself.
VENV_CACHE = Path("/var/tmp/mailgate-postfix-test")
USER = "mailgate"

# The README's command, run as is when the user is missing
USERADD = ["useradd", "--system", "--home-dir", "/var/lib/mailgate", "--shell",
           "/usr/sbin/nologin", USER]


class PostfixError(RuntimeError):
    pass


def why_not_here() -> str:
    """Why the Postfix tests cannot run on this machine; '' when they can."""
    if not Path(POSTFIX).exists():
        if Path("/usr/sbin/sendmail").exists():
            return ("Postfix is not installed and another MTA owns /usr/sbin/sendmail "
                    "(scripts/test installs Postfix only where no MTA is)")
        return "Postfix is not installed: apt-get install postfix (scripts/test does it as root)"
    if os.geteuid() != 0:
        return "the Postfix tests run as root (they add the mailgate user and start Postfix)"
    if not DEBIAN_PYTHON.exists():
        return f"{DEBIAN_PYTHON} is missing: apt-get install python3"
    version = subprocess.run(
        [str(DEBIAN_PYTHON), "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True, text=True, check=True).stdout.split()
    if tuple(int(v) for v in version) < (3, 11):
        return f"{DEBIAN_PYTHON} is Python {'.'.join(version)}; mailgate needs 3.11"
    return ""


def run(*command: str | Path, user: str = "", check: bool = True,
        input: bytes | None = None, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """A command, as `user` when given (runuser, as the README runs mailgate's commands)."""
    argv = [str(c) for c in command]
    if user:
        argv = ["runuser", "-u", user, "--", *argv]
    # as another user, from a folder that user may enter (the checkout may be root's alone)
    done = subprocess.run(argv, capture_output=True, input=input, env=env, timeout=timeout,
                          cwd="/" if user else None, check=False)
    result = subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(errors="replace"),
        done.stderr.decode(errors="replace"))
    if check and result.returncode != 0:
        raise PostfixError(f"{argv} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


def ensure_user() -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(USER)
    run(*USERADD)
    return pwd.getpwnam(USER)


def _runtime_distributions() -> list[metadata.Distribution]:
    """mailgate's runtime dependencies, all the way down, as installed in this test venv."""
    found: dict[str, metadata.Distribution] = {}
    todo = [(req, "") for req in metadata.requires("mailgate") or []]
    while todo:
        text, extra = todo.pop()
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = requirement.name.lower().replace("_", "-")
        wanted = [(name, e) for e in requirement.extras]
        if name not in found:
            found[name] = metadata.distribution(name)
            wanted.append((name, ""))
        for dist_name, dist_extra in wanted:
            todo += [(r, dist_extra) for r in found[dist_name].requires or []]
    return sorted(found.values(), key=lambda d: d.metadata["Name"].lower())


def _copy_distributions(site: Path, distributions: list[metadata.Distribution]) -> None:
    """Copy installed distributions file by file (their RECORD) into another venv.

    Written by hand because pip installs only from wheels or sources: this copies what the test
    venv already holds, so building the mailgate user's venv needs no network.
    """
    for dist in distributions:
        for file in dist.files or []:
            if file.parts[0] == "..":
                continue  # console scripts live outside site-packages
            source = Path(str(dist.locate_file(file)))
            if source.is_file():
                target = site / file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


def _stamp(distributions: list[metadata.Distribution]) -> str:
    names = [f"{d.metadata['Name']}=={d.version}" for d in distributions]
    return "\n".join(["with bytecode", *names]) + "\n"


def mailgate_venv(workdir: Path) -> Path:
    """A venv on Debian's Python that the mailgate user can run, holding the wheel built from
    this checkout (rebuilt every time) and its dependencies (copied once, kept while the same)."""
    os.umask(0o022)
    venv = VENV_CACHE / "venv"
    distributions = _runtime_distributions()
    stamp = venv / "dependencies.txt"
    if not stamp.exists() or stamp.read_text() != _stamp(distributions):
        shutil.rmtree(venv, ignore_errors=True)
        VENV_CACHE.mkdir(mode=0o755, parents=True, exist_ok=True)
        VENV_CACHE.chmod(0o755)
        run(DEBIAN_PYTHON, "-m", "venv", "--without-pip", venv)
        [site] = (venv / "lib").glob("python3*/site-packages")
        _copy_distributions(site, distributions)
        stamp.write_text(_stamp(distributions))
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
        "-w", workdir / "dist", REPO)
    [wheel] = (workdir / "dist").glob("mailgate-*.whl")
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q",
        "--no-deps", "--no-index", "--force-reinstall", wheel)
    return venv


def deploy_file(name: str, replacements: dict[str, str]) -> str:
    """A file of deploy/postfix with only its paths and ports replaced."""
    text = (DEPLOY / name).read_text()
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


class Postfix:
    """A private Postfix: config directory `dir`, SMTP on 127.0.0.1:`port`."""

    def __init__(self, root: Path, port: int) -> None:
        self.dir = root
        self.port = port
        self.log = root / "maillog"
        self.master_pid = 0
        root.mkdir(mode=0o755)
        (root / "queue").mkdir(mode=0o755)  # postfix start makes its subfolders and data/
        # Debian's shipped main.cf and master.cf, made private: the newcomer's Postfix
        shutil.copy("/usr/share/postfix/main.cf.debian", root / "main.cf")
        shutil.copy("/etc/postfix/master.cf.proto", root / "master.cf")
        self.postconf(
            f"queue_directory = {root / 'queue'}",
            f"data_directory = {root / 'data'}",
            # no syslog here: Postfix logs to a file, which must be under an allowed prefix
            f"maillog_file_prefixes = {root}",
            f"maillog_file = {self.log}",
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            "mydestination = localhost",
            "alias_maps =",
            "alias_database =",
            # the test's client is a stranger: only relay_domains lets its mail in
            "mynetworks =",
            # mail for anyone but the desk fails rather than leave this machine
            "default_transport = error",
            "relay_transport = error",
        )
        self.postconf("-MX", "smtp/inet")
        self.postconf("-M", f"127.0.0.1:{port}/inet=127.0.0.1:{port} inet n - n - - smtpd")
        # a chroot would need copies of /etc files in the private queue directory
        self.postconf("-F", "*/*/chroot = n")

    def postconf(self, *args: str) -> str:
        if args and not args[0].startswith("-"):
            args = ("-e", *args)
        return run(POSTCONF, "-c", self.dir, *args).stdout

    def start(self) -> None:
        if run(POSTFIX, "-c", self.dir, "start", check=False).returncode != 0:
            raise PostfixError(f"postfix start failed:\n{self.log_tail()}")
        pid_file = self.dir / "queue" / "pid" / "master.pid"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if pid_file.exists() and pid_file.read_text().strip():
                self.master_pid = int(pid_file.read_text().split()[0])
                if self._answers():
                    return
            time.sleep(0.05)
        raise PostfixError(f"Postfix did not answer on port {self.port}:\n{self.log_tail()}")

    def _answers(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                return sock.recv(100).startswith(b"220")
        except OSError:
            return False

    def stop(self) -> None:
        if not self.master_pid:
            return
        run(POSTFIX, "-c", self.dir, "stop", check=False)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _alive(self.master_pid):
            time.sleep(0.05)
        if _alive(self.master_pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.master_pid, signal.SIGKILL)
        self.master_pid = 0

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def _alive(pid: int) -> bool:
    """Running, not a zombie (a stopped master waits for its reaper)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def private_root() -> Path:
    """A temp dir the mailgate user can traverse (pytest's tmp_path is root's alone)."""
    root = Path(tempfile.mkdtemp(prefix="mailgate-postfix-"))
    root.chmod(0o755)
    return root

