"""deploy/postfix, verified: Debian's Postfix delivers to mailgate both ways the README shows.

Each test installs a desk as the README's "Postfix in front" says (the `mailgate` user, a venv on
Debian's Python holding the wheel of this checkout, `mailgate init`, the database folder owned by
mailgate, the files of deploy/postfix with only paths and ports changed), runs a private Postfix
on a free loopback port, speaks SMTP to it as a customer's server would, and looks at the result
with the real `mailgate` command run as the mailgate user. The acknowledgement goes to a real SMTP
sink, the desk's [smtp_out].
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import signal
import smtplib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port
from tests.mail import mail
from tests.support.harness import crlf, wait_until
from tests.support.postfix import (
    USER,
    Postfix,
    deploy_file,
    ensure_user,
    mailgate_venv,
    private_root,
    run,
    why_not_here,
)
from tests.support.sink import SmtpSink

DESK = "support@example.org"  # the address of deploy/postfix, used as it stands
CUSTOMER = "jane.doe@acme.example"
# A request with every detail (name, company, number): it becomes a ticket at once
REQUEST = mail(
    sender=f"Jane Doe <{CUSTOMER}>", to=DESK, subject="Printer in room 4 jams",
    body="Hello,\n\nthe printer in room 4 jams on every job.\n\nJane Doe\nAcme Ltd\n0113 496 0123",
    message_id="<printer-4@acme.example>",
)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if reason := why_not_here():
        if os.environ.get("MAILGATE_REQUIRE_POSTFIX") == "1":
            pytest.fail(f"MAILGATE_REQUIRE_POSTFIX=1 but {reason}")
        pytest.skip(reason)
    ensure_user()
    return mailgate_venv(tmp_path_factory.mktemp("postfix-wheel"))


def set_key(text: str, section: str, key: str, value: str) -> str:
    """`key = value` in `[section]` of a config `mailgate init` wrote, as a person edits it
    (uncommenting the key where the file shows it commented out, as `# port = 25`)."""
    lines, current, done = text.splitlines(keepends=True), "", False
    for number, line in enumerate(lines):
        if header := re.match(r"\[+([\w.]+)\]+\s*(#.*)?$", line):
            current = header.group(1)
        elif current == section and re.match(rf"(# )?{key}\s*=", line) and not done:
            lines[number] = f"{key} = {value}\n"
            done = True
    assert done, f"[{section}] {key} is not in the config mailgate init writes"
    return "".join(lines)


@dataclass
class Desk:
    """One desk installed as the README says, with its own Postfix."""

    root: Path
    venv: Path
    config: Path
    lib: Path
    postfix: Postfix
    listener_port: int
    paths: dict[str, str]
    serving: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def mailgate(self, *args: str) -> Any:
        """`runuser -u mailgate -- /opt/mailgate/bin/mailgate --config … ARGS --json`."""
        done = run(self.venv / "bin" / "mailgate", "--config", self.config, *args, "--json",
                   user=USER)
        return json.loads(done.stdout)

    def tickets(self) -> list[dict[str, Any]]:
        return self.mailgate("tickets", "list")

    def use_transport(self, name: str) -> None:
        """cp deploy/postfix/NAME /etc/postfix/transport && postmap /etc/postfix/transport"""
        transport = self.postfix.dir / "transport"
        transport.write_text(deploy_file(name, self.paths))
        run("postmap", "-c", self.postfix.dir, transport)

    def serve(self) -> None:
        """`mailgate serve` as the mailgate user, as deploy/mailgate.service runs it."""
        user = pwd.getpwnam(USER)
        secret = (self.config.parent / "mailgate.env").read_text().strip().split("=", 1)[1]
        process = subprocess.Popen(
            [str(self.venv / "bin" / "mailgate"), "--config", str(self.config), "serve"],
            user=user.pw_uid, group=user.pw_gid, extra_groups=[], cwd=self.lib,
            env={"PATH": "/usr/bin:/bin", "MAILGATE_SECRET": secret},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.serving.append(process)

        def listening() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"serve exited {process.returncode}: "
                                     f"{process.stderr.read().decode() if process.stderr else ''}")
            try:
                with smtplib.SMTP("127.0.0.1", self.listener_port, timeout=5):
                    return True
            except OSError:
                return False

        wait_until(listening, timeout=30, what="mailgate's listener")

    def send(self, to: list[str], raw: bytes) -> None:
        """A customer's mail server hands Postfix a message."""
        with smtplib.SMTP("127.0.0.1", self.postfix.port, timeout=30) as client:
            client.sendmail(CUSTOMER, to, crlf(raw))

    def wait_tickets(self, count: int) -> list[dict[str, Any]]:
        try:
            return wait_until(lambda: len(rows := self.tickets()) >= count and rows,
                              timeout=45, what=f"{count} ticket(s)")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nPostfix's log:\n{self.postfix.log_tail()}") from None

    def wait_logged(self, pattern: re.Pattern[str], times: int = 1) -> None:
        """Postfix's log says it delivered (it logs once the pipe or the listener is done)."""
        try:
            wait_until(lambda: len(pattern.findall(self.postfix.log_tail(500))) >= times,
                       timeout=45,
                       what=f"{pattern.pattern} in Postfix's log")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nPostfix's log:\n{self.postfix.log_tail()}") from None

    def close(self) -> None:
        for process in self.serving:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        self.postfix.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def desk(venv: Path, db_url: str, sink: SmtpSink) -> Iterator[Desk]:
    root = private_root()
    etc, lib = root / "etc" / "mailgate", root / "var" / "lib" / "mailgate"
    wrapper = root / "usr" / "local" / "sbin" / "mailgate-ingest"
    listener_port = free_port()
    try:
        postfix = Postfix(root / "postfix", free_port())
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    paths = {
        "/opt/mailgate": str(venv),
        "/etc/mailgate": str(etc),
        "/usr/local/sbin/mailgate-ingest": str(wrapper),
        "/etc/postfix": str(postfix.dir),
        "[127.0.0.1]:2525": f"[127.0.0.1]:{listener_port}",
    }
    instance = Desk(root, venv, etc / "config.toml", lib, postfix, listener_port, paths)
    try:
        # the README's steps, in its order
        run(venv / "bin" / "mailgate", "init", etc)
        run("chgrp", USER, etc / "mailgate.env")
        run("chmod", "0640", etc / "mailgate.env")
        run("install", "-d", "-o", USER, "-g", USER, "-m", "0750", lib)
        url = f"sqlite:///{lib}/mailgate.db" if db_url.startswith("sqlite") else db_url
        text = instance.config.read_text()
        for section, key, value in (
            ("desk", "address", f'"{DESK}"'),
            ("database", "url", f'"{url}"'),
            ("smtp_in", "port", str(listener_port)),
            ("smtp_out", "host", '"127.0.0.1"'),
            ("smtp_out", "port", str(sink.port)),
        ):
            text = set_key(text, section, key, value)
        instance.config.write_text(text)
        run(venv / "bin" / "mailgate", "--config", instance.config, "db", "upgrade", user=USER)
        wrapper.parent.mkdir(parents=True)
        wrapper.write_text(deploy_file("mailgate-ingest", paths))
        wrapper.chmod(0o755)
        settings = [line for line in deploy_file("main.cf", paths).splitlines()
                    if line.strip() and not line.startswith("#")]
        postfix.postconf(*settings)
        with (postfix.dir / "master.cf").open("a") as master:
            master.write(deploy_file("master.cf", paths))
        yield instance
    finally:
        instance.close()


def _acknowledgement(sink: SmtpSink, reference: str) -> Any:
    [sent] = wait_until(lambda: [m for m in sink.messages if reference in m.header("Subject")],
                        timeout=45, what=f"the acknowledgement of {reference}")
    return sent


def test_postfix_pipes_a_request_to_mailgate_ingest_which_answers_at_once(
    desk: Desk, sink: SmtpSink
) -> None:
    desk.use_transport("transport-pipe")
    desk.postfix.start()
    # only the addresses of the transport map: anyone else at the domain is refused by Postfix
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        desk.send(["nobody@example.org"], REQUEST)
    assert refused.value.recipients["nobody@example.org"][0] == 550

    desk.send([DESK], REQUEST)
    [ticket] = desk.wait_tickets(1)
    assert ticket["subject"] == "Printer in room 4 jams"
    assert ticket["requester"] == {"name": "Jane Doe", "email": CUSTOMER, "company": "Acme Ltd",
                                   "phone": "+441134960123"}
    desk.wait_logged(re.compile(r"relay=mailgate, .* status=sent \(delivered via mailgate"))
    # no daemon runs: `ingest`, run by the pipe as the mailgate user, sent the acknowledgement
    ack = _acknowledgement(sink, ticket["reference"])
    assert ack.rcpt_tos == [CUSTOMER]
    assert parseaddr(ack.header("From"))[1] == DESK

    # the customer answers the signed Reply-To (support+INC…@) and the desk's address in one
    # mail: Postfix pipes it once per address (the D flag, recipient limit 1), onto the ticket
    reply_to = parseaddr(ack.header("Reply-To"))[1]
    assert reply_to.startswith(f"support+{ticket['reference']}-") and reply_to.endswith(
        "@example.org")
    desk.send([reply_to, DESK], mail(sender=f"Jane Doe <{CUSTOMER}>", to=reply_to,
                             subject=f"Re: {ack.header('Subject')}",
                             body="It jams on the second tray only.\n\nJane",
                             message_id="<printer-4-reply@acme.example>"))

    def messages() -> list[dict[str, Any]]:
        shown = desk.mailgate("tickets", "show", ticket["reference"])
        return [m for m in shown["messages"] if m["direction"] == "in"]

    try:
        replies = wait_until(lambda: len(found := messages()) >= 2 and found, timeout=45,
                             what="the reply on the ticket")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nPostfix's log:\n{desk.postfix.log_tail()}") from None
    desk.wait_logged(re.compile(rf"to=<{re.escape(reply_to)}>, relay=mailgate, .* status=sent"))
    desk.wait_logged(re.compile(rf"to=<{DESK}>, relay=mailgate, .* status=sent"), times=2)
    assert "second tray" in replies[-1]["body"]
    assert len(messages()) == 2 and len(desk.tickets()) == 1  # the second copy is a duplicate


def test_postfix_relays_a_request_to_the_listener_of_mailgate_serve(
    desk: Desk, sink: SmtpSink
) -> None:
    desk.use_transport("transport-listener")
    desk.serve()
    desk.postfix.start()
    desk.send([DESK], REQUEST)
    [ticket] = desk.wait_tickets(1)
    assert ticket["subject"] == "Printer in room 4 jams"
    assert ticket["requester"]["email"] == CUSTOMER
    desk.wait_logged(re.compile(
        rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:{desk.listener_port}, .* status=sent"))
    ack = _acknowledgement(sink, ticket["reference"])
    assert ack.rcpt_tos == [CUSTOMER]


def test_the_readme_shows_the_files_the_tests_use() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### Postfix in front", 1)[1].split("\n## ", 1)[0]
    deploy = Path(__file__).resolve().parent.parent / "deploy" / "postfix"
    for name in ("main.cf", "master.cf", "mailgate-ingest", "transport-pipe",
                 "transport-listener"):
        body = [line for line in (deploy / name).read_text().splitlines()
                if line.strip() and not line.startswith("#")]
        for line in body:
            assert line in section, f"README's Postfix section lacks {name}'s line {line!r}"
