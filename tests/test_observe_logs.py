"""Issue 11: `serve` logs one structured event per message and per mail, as JSON lines when
its stderr is not a terminal; no mail body and no secret at the default level."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.mail import mail
from tests.support.harness import REPO, Harness, wait_until

BODY = "the projector in hall B flickers purple since Monday"
SMTP_PASSWORD = "hunter2-smtp-password-not-for-logs"
SIGNING_SECRET = "signing-secret-not-for-logs"


@contextlib.contextmanager
def serving(harness: Harness, log_path: Path, *options: str) -> Iterator[subprocess.Popen]:
    """`mailgate serve` in a child process, its stderr going to `log_path`."""
    with log_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "mailgate", *options, "--config", str(harness.config_path),
             "serve"],
            stdout=subprocess.DEVNULL, stderr=stderr, cwd=REPO,
        )
        try:
            wait_until(lambda: "serving" in log_path.read_text() or process.poll() is not None,
                       timeout=60, what="serve to start")
            assert process.poll() is None, log_path.read_text()
            yield process
        finally:
            process.terminate()
            process.wait(timeout=60)


def events(log_path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log_path.read_text().splitlines()]


def one(found: list[dict[str, Any]], **fields: object) -> dict[str, Any]:
    matches = [e for e in found if all(e.get(k) == v for k, v in fields.items())]
    assert len(matches) == 1, (fields, found)
    return matches[0]


def test_serve_logs_each_message_and_mail_as_json_events(
    harness: Harness, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("MAILGATE_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("MAILGATE_SMTP_PASSWORD", SMTP_PASSWORD)
    harness.write_config('password_env = "MAILGATE_SMTP_PASSWORD"')
    log_path = tmp_path / "serve.log"
    with serving(harness, log_path):
        # a new ticket from a known school, acknowledged
        harness.send(mail(message_id="<new@school.example>", body=BODY),
                     mail_from="jane@school.example")
        [ack] = harness.wait_sink(1)
        # the customer's reply to the acknowledgement: a follow-up on the same ticket
        harness.send(mail(message_id="<reply@school.example>",
                          subject=f"Re: {ack.header('Subject')}",
                          in_reply_to=ack.header("Message-ID"), body="Still flickering."),
                     mail_from="jane@school.example")
        # a stranger's request lacking details: held, and asked for them
        harness.send(mail(message_id="<held@example.org>", sender="Sam <sam@example.org>",
                          body=BODY), mail_from="sam@example.org")
        # no From at all: quarantined
        harness.send(b"To: support@desk.example\r\nSubject: hello\r\n"
                     b"Message-ID: <nofrom@example.net>\r\n\r\n" + BODY.encode() + b"\r\n")
        harness.wait_processed(4)
        harness.wait_sink(2)  # the held request's question to Sam
        # the relay refuses the next acknowledgement for good: a bounce
        harness.sink.refuse_with = "550 5.1.1 mailbox unavailable"
        harness.send(mail(message_id="<bounced@school.example>", sender="Joe <joe@school.example>",
                          subject="Scanner offline"), mail_from="joe@school.example")
        wait_until(lambda: '"bounced"' in log_path.read_text(), what="the bounce in the log")
    text = log_path.read_text()
    found = events(log_path)  # every line is JSON
    assert all({"time", "level", "logger", "message"} <= set(e) for e in found)
    [ticket, other] = harness.tickets()
    reference = ticket.reference

    received = one(found, event="received", message_id="new@school.example")
    assert received["door"] == "smtp" and received["level"] == "INFO"
    new = one(found, event="processed", message_id="new@school.example")
    assert (new["outcome"], new["state"], new["reference"]) == ("new_ticket", "done", reference)
    assert new["inbound_id"] == received["inbound_id"]
    sent = [e for e in found if e.get("event") == "sent"]
    assert {(e["kind"], e["reference"]) for e in sent} >= {("acknowledgement", reference)}
    assert all(e["outbox_id"] and e["message_id"] for e in sent)
    follow_up = one(found, event="processed", message_id="reply@school.example")
    assert (follow_up["outcome"], follow_up["reference"]) == ("follow_up", reference)
    held = one(found, event="processed", message_id="held@example.org")
    assert held["state"] == "held" and held["pending_id"] and not held["reference"]
    quarantined = one(found, event="quarantined", message_id="nofrom@example.net")
    assert quarantined["level"] == "WARNING"
    assert "From" in quarantined["reason"] and quarantined["reason_kind"] == "no_sender"
    bounced = one(found, event="bounced")
    assert bounced["reference"] == other.reference and bounced["kind"] == "acknowledgement"
    assert "550" in bounced["reason"] and bounced["level"] == "ERROR"
    assert len([e for e in found if e.get("event") == "received"]) == 5

    assert "projector" not in text and "flickering" not in text  # no mail body
    assert SMTP_PASSWORD not in text and SIGNING_SECRET not in text


def test_text_on_request_and_json_by_default_for_pipe_mode(harness: Harness) -> None:
    raw = mail(message_id="<piped@school.example>", body=BODY)
    as_text = harness.run_process("--log-format", "text", "ingest", "--no-send", stdin=raw)
    assert as_text.returncode == 0, as_text.stderr
    lines = as_text.stderr.decode().splitlines()
    [received] = [line for line in lines if "event=received" in line]
    assert " INFO mailgate.events: message " in received
    assert "door=pipe" in received and "message_id=piped@school.example" in received
    [processed] = [line for line in lines if "event=processed" in line]
    assert "reference=INC0000001" in processed and "outcome=new_ticket" in processed

    again = harness.run_process("ingest", "--no-send", stdin=mail(
        message_id="<piped2@school.example>", subject="Another"))
    assert again.returncode == 0, again.stderr
    found = [json.loads(line) for line in again.stderr.decode().splitlines()
             if line.startswith("{")]  # ingest also says what it did in plain words
    assert one(found, event="received")["door"] == "pipe"
    assert one(found, event="processed")["reference"] == "INC0000002"
    assert BODY not in as_text.stderr.decode()



def test_auto_is_text_on_a_terminal(harness: Harness) -> None:
    """What a person running `mailgate ingest` by hand sees: no JSON."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "mailgate", "--config", str(harness.config_path), "ingest",
             "--no-send"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=follower, cwd=REPO,
        )
        os.close(follower)  # the child holds it now: its exit ends the reading below
        assert process.stdin is not None
        process.stdin.write(mail(message_id="<by-hand@school.example>"))
        process.stdin.close()
        output = b""
        with contextlib.suppress(OSError):  # EIO once the child has exited
            while chunk := os.read(leader, 65536):
                output += chunk
        process.wait(timeout=120)
    finally:
        os.close(leader)
    assert process.returncode == 0
    text = output.decode()
    [received] = [line for line in text.splitlines() if "event=received" in line]
    assert not received.startswith("{") and "INFO mailgate.events: message 1 received" in received
