"""Issue 11: `serve` with [http] listen exposes Prometheus metrics and /healthz, scraped for
real."""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mailgate import metrics
from mailgate.clock import utcnow
from mailgate.health import PIPELINE, Health
from mailgate.intake.store import store_many, store_raw
from mailgate.metrics import DatabaseCollector
from tests.conftest import free_port
from tests.mail import mail
from tests.support.harness import Harness, wait_until
from tests.test_observe_logs import serving
from tickets.models import MailboxState


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    status, text = get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text) for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def healthz(port: int) -> tuple[int, dict[str, Any]]:
    status, body = get(f"http://127.0.0.1:{port}/healthz")
    return status, json.loads(body)


def school_mail(n: int) -> bytes:
    return mail(message_id=f"<m{n}@school.example>", subject=f"Request {n}",
                sender=f"Person {n} <p{n}@school.example>")


def test_metrics_count_what_serve_did_and_healthz_follows_the_relay(
    harness: Harness, tmp_path: Path
) -> None:
    port = free_port()
    harness.write_config(f'\n[http]\nlisten = "127.0.0.1:{port}"\nunhealthy_after = "1s"\n')
    with serving(harness, tmp_path / "serve.log"):
        assert healthz(port) == (200, {"status": "ok", "failing": [], "degraded": []})
        before = scrape(port)
        assert value(before, "mailgate_messages_received_total", door="smtp") == 0
        assert value(before, "mailgate_database_up") == 1

        harness.send(school_mail(1), mail_from="p1@school.example")  # a new ticket
        harness.send(mail(message_id="<held@example.org>", sender="Sam <sam@example.org>"),
                     mail_from="sam@example.org")  # held for details
        harness.send(b"To: support@desk.example\r\nSubject: hi\r\n"
                     b"Message-ID: <nofrom@example.net>\r\n\r\nhello\r\n")  # quarantined
        harness.wait_processed(3)
        harness.wait_sink(2)
        after = wait_until(lambda: (s := scrape(port)) and value(
            s, "mailgate_outbox_mail_total", result="sent") == 2 and s, what="2 mails counted")
        assert value(after, "mailgate_messages_received_total", door="smtp") == 3
        assert value(after, "mailgate_messages_processed_total",
                     state="done", outcome="new_ticket") == 1
        assert value(after, "mailgate_messages_processed_total",
                     state="held", outcome="held") == 1
        assert value(after, "mailgate_messages_quarantined_total", reason="no_sender") == 1
        assert value(after, "mailgate_pipeline_latency_seconds_count") == 3
        assert value(after, "mailgate_inbound_quarantined") == 1
        assert value(after, "mailgate_pending_requests_waiting") == 1
        assert value(after, "mailgate_inbound_waiting") == 0
        assert value(after, "mailgate_outbox_rows", state="pending") == 0

        # the outgoing SMTP server goes away: the next acknowledgement cannot leave
        harness.sink.stop()
        harness.send(school_mail(2), mail_from="p2@school.example")
        _, body = wait_until(lambda: (h := healthz(port))[0] == 503 and h,
                             what="/healthz to fail")
        assert body["status"] == "failing"
        [failing] = body["failing"]
        assert failing["part"] == "smtp_out" and "cannot reach" in failing["error"]
        down = scrape(port)
        assert value(down, "mailgate_outbox_mail_total", result="retried") == 1
        assert value(down, "mailgate_outbox_rows", state="pending") == 1

        # back: the next mail goes out, and health with it
        harness.sink.restart(smtputf8=True)
        harness.send(school_mail(3), mail_from="p3@school.example")
        wait_until(lambda: healthz(port)[0] == 200, what="/healthz to recover")
        # the acknowledgement that waited out the outage goes with it, not after its backoff
        wait_until(lambda: value(scrape(port), "mailgate_outbox_mail_total", result="sent") == 4,
                   what="4 mails counted")
        assert value(scrape(port), "mailgate_outbox_rows", state="pending") == 0


def test_a_taken_port_stops_serve_at_start_naming_the_key(harness: Harness) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        harness.write_config(f'\n[http]\nlisten = "127.0.0.1:{port}"\n')
        result = harness.run_process("serve")
    err = result.stderr.decode()
    assert result.returncode == 1
    assert err.startswith("mailgate: http.listen: cannot listen on 127.0.0.1:") and err.count(
        "\n") == 1, err


def test_bad_http_values_fail_check_config_naming_the_key(harness: Harness) -> None:
    harness.write_config('\n[http]\nlisten = "9310"\nunhealthy_after = "1 business day"\n')
    result = harness.cli("check-config")
    assert result.code == 78
    assert "http.listen: " in result.err and "expected host:port" in result.err
    assert "http.unhealthy_after: " in result.err and "minutes" in result.err


def test_queue_depths_and_mailboxes_are_read_from_the_database(harness: Harness) -> None:
    """What waits counts whoever stored it (another daemon's door, say); a mailbox's state is
    the one its follower recorded."""
    now = utcnow()
    store_many(harness.engine, [school_mail(1), school_mail(2)], source="smtp", now=now)
    with harness.session() as session:
        session.add(MailboxState(name="support", status="auth_failed",
                                 failing_since=now - timedelta(minutes=10)))
        session.commit()
    collector = DatabaseCollector(harness.engine, ["support", "sales"], lambda: now)
    samples = {(s.name, tuple(s.labels.items())): s.value
               for family in collector.collect() for s in family.samples}
    assert samples[("mailgate_inbound_waiting", ())] == 2
    support = (("mailbox", "support"), ("status", "auth_failed"))
    assert samples[("mailgate_mailbox_up", support)] == 0
    assert samples[("mailgate_mailbox_failing_seconds", (("mailbox", "support"),))] == 600
    assert samples[("mailgate_mailbox_up", (("mailbox", "sales"), ("status", "new")))] == 1


def test_healthz_names_each_part_failing_longer_than_the_threshold(
    harness: Harness, monkeypatch: Any
) -> None:
    monkeypatch.setenv("IMAP_PASSWORD", "x")
    harness.write_config('\n[http]\nlisten = "127.0.0.1:0"\nunhealthy_after = "5m"\n'
                         '\n[[imap]]\nname = "support"\nhost = "imap.example"\n'
                         'username = "support"\npassword_env = "IMAP_PASSWORD"\n')
    start = utcnow()
    now = [start]
    health = Health(harness.config, harness.engine, lambda: now[0])
    health.failed(PIPELINE, "OperationalError: database is locked")
    now[0] = start + timedelta(minutes=4)
    healthy, body = health.check(worker_alive=True)
    assert healthy and [t["part"] for t in body["degraded"]] == ["pipeline"]
    now[0] = start + timedelta(minutes=5)
    healthy, body = health.check(worker_alive=True)
    assert not healthy and [t["part"] for t in body["failing"]] == ["pipeline"]
    assert body["failing"][0]["error"] == "OperationalError: database is locked"
    health.ok(PIPELINE)
    assert health.check(worker_alive=True)[0]

    with harness.session() as session:  # what the mailbox's follower records
        session.add(MailboxState(name="support", status="auth_failed", last_error="LOGIN refused",
                                 failing_since=now[0] - timedelta(minutes=6)))
        session.commit()
    healthy, body = health.check(worker_alive=False)
    assert not healthy
    assert [(t["part"], t["error"]) for t in body["failing"]] == [
        ("imap:support", "auth_failed: LOGIN refused"), ("pipeline", "the worker has stopped")]


def test_check_config_shows_where_metrics_are_served(harness: Harness) -> None:
    harness.write_config('\n[http]\nlisten = "127.0.0.1:9310"\n')
    result = harness.cli("check-config")
    assert result.code == 0, result.err
    assert "http       127.0.0.1:9310: /metrics, /healthz (unhealthy after 5m)" in result.out


def test_sla_breaches_are_counted_and_logged_with_the_reference(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    registry = metrics.registry_for()

    def breaches(target: str) -> float:
        return registry.get_sample_value("mailgate_sla_breaches_total", {"target": target}) or 0

    before = {target: breaches(target) for target in ("response", "resolution")}
    opened = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday; urgent: 30 min, 1 h
    store_raw(harness.engine, mail(subject="Whole school cannot log in", date=opened),
              source="smtp", now=opened)
    harness.tick(opened)
    [ticket] = harness.tickets()
    caplog.set_level(logging.INFO, logger="mailgate.events")
    harness.tick(opened + timedelta(minutes=30))
    assert breaches("response") == before["response"] + 1
    assert breaches("resolution") == before["resolution"]
    harness.tick(opened + timedelta(hours=1))
    assert breaches("resolution") == before["resolution"] + 1
    told = [(r.reference, r.target) for r in caplog.records  # type: ignore[attr-defined]
            if getattr(r, "event", "") == "sla_breach"]
    assert told == [(ticket.reference, "response"), (ticket.reference, "resolution")]
