"""Issue 11: a mailbox's messages are counted by door, and its state shows in /metrics and in
/healthz (a real Dovecot; `serve`'s daemon in this process)."""

from __future__ import annotations

from tests.conftest import free_port
from tests.support.harness import wait_until
from tests.support.imap_box import Mailbox, numbered, status_of
from tests.test_observe_metrics import healthz, scrape, value


def test_a_mailbox_is_counted_and_its_outage_fails_healthz(box: Mailbox) -> None:
    box.configure(idle=True, poll_seconds=600)
    harness, port = box.harness, free_port()
    with harness.config_path.open("a", encoding="utf-8") as config:
        config.write(f'\n[http]\nlisten = "127.0.0.1:{port}"\nunhealthy_after = "1s"\n')
    with harness.daemon():
        wait_until(lambda: status_of(harness) == "ok", what="the follower to log in")
        # counters belong to the process, which other tests' daemons share here: compare
        before = value(scrape(port), "mailgate_messages_received_total", door="imap")
        box.append(numbered(1))
        wait_until(lambda: harness.tickets(), what="a ticket from the mailbox")
        samples = scrape(port)
        assert value(samples, "mailgate_messages_received_total", door="imap") == before + 1
        assert value(samples, "mailgate_mailbox_up", mailbox="support", status="ok") == 1
        assert healthz(port)[0] == 200

        box.server.stop()
        _, body = wait_until(lambda: (h := healthz(port))[0] == 503 and h,
                             what="/healthz to name the mailbox")
        assert [t["part"] for t in body["failing"]] == ["imap:support"]
        assert body["failing"][0]["error"].startswith("unreachable: ")
        samples = scrape(port)
        assert value(samples, "mailgate_mailbox_up", mailbox="support", status="unreachable") == 0
        assert value(samples, "mailgate_mailbox_failing_seconds", mailbox="support") >= 1
        box.server.start()
        wait_until(lambda: healthz(port)[0] == 200, timeout=60, what="a reconnect with backoff")
