"""Faults: the IMAP server killed mid-fetch and mid-move, the followed folder deleted (issue 12).

`mailgate serve` follows a private Dovecot through `tests.support.faults_imap.ImapProxy`, which
kills Dovecot at a chosen point of the conversation (after N bytes of a fetch's answer, at the
MOVE or STORE that acknowledges a batch), then the test starts Dovecot again. The daemon is not
restarted. Afterwards every APPENDed mail is one ticket (or quarantined with a reason), each
acknowledged once by mail and once in the mailbox, and the proxy's record of what the server
completed shows that no message was fetched or moved twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlmodel import select

from mailgate.clock import utcnow
from tests.mail import mail
from tests.support.faults_imap import Conversation, Cut, ImapProxy
from tests.support.harness import Harness, crlf, wait_until
from tests.support.imap_box import ADMIN, Mailbox, state_of, status_of
from tests.support.scale import FULL, sized
from tickets.models import Outbox

pytestmark = pytest.mark.faults

SETTLED = {"done", "quarantined", "held", "screened"}


def request(n: int) -> bytes:
    """A request of about 3 KB from its own sender at the school (a ticket at once)."""
    return mail(
        sender=f"User {n} <user{n}@school.example>", subject=f"Request {n}",
        message_id=f"<fault-{n}@school.example>",
        body=f"Hello,\n\nrequest number {n}.\n\n" + "The printer jams again. " * 120 + "\nUser",
    )


def append_all(box: Mailbox, mails: list[bytes], folder: str = "INBOX") -> None:
    with box.client() as client:
        for raw in mails:
            client.append(folder, crlf(raw))


@pytest.fixture
def proxy(box: Mailbox) -> Iterator[ImapProxy]:
    server = ImapProxy(box.server.port)
    yield server
    server.close()


def kill(box: Mailbox) -> None:
    box.server.stop()  # SIGKILL to Dovecot's whole process group, as in a crash


def ride_out_the_outage(box: Mailbox, cut: Cut) -> None:
    """Wait for the cut, see the outage reported, start Dovecot again, see the mailbox heal."""
    harness = box.harness
    assert cut.fired.wait(60), "the conversation never reached the cut"
    wait_until(lambda: status_of(harness) == "unreachable", what="the outage to be recorded")
    status = harness.cli("status")
    assert status.code == 1 and "support FAILING since" in status.out, status.out
    box.server.start()
    wait_until(lambda: status_of(harness) == "ok", timeout=60, what="the follower to reconnect")


def settle(harness: Harness, expected: int) -> None:
    """Until every stored message is processed and every mail it caused is delivered."""
    def settled() -> bool:
        rows = harness.inbound()
        if len(rows) < expected or any(row.state not in SETTLED for row in rows):
            return False
        with harness.session() as session:
            return not session.exec(
                select(Outbox).where(Outbox.state.in_(("pending", "sending")))  # type: ignore[attr-defined]
            ).first()
    wait_until(settled, timeout=120, what=f"{expected} messages processed and answered")


def count(harness: Harness, appended: list[str], seen: Conversation, uids: int) -> str:
    """Check the issue's counts; return them as one line for the test output."""
    tickets = [t.subject for t in harness.tickets()]
    rows = harness.inbound()
    quarantined = [row for row in rows if row.state == "quarantined"]
    assert all(row.reason for row in quarantined), "quarantined without a reason"
    assert len(tickets) == len(set(tickets)), "a duplicate ticket"
    assert set(tickets) <= set(appended)
    assert len(tickets) + len(quarantined) == len(appended), "a message lost"
    assert all(row.state in SETTLED for row in rows), "a message stuck mid-processing"
    with harness.session() as session:
        outbox = list(session.exec(select(Outbox)).all())
    assert all(row.state == "sent" for row in outbox), [(r.kind, r.state) for r in outbox]
    acks = Counter(row.ticket_id for row in outbox if row.kind == "acknowledgement")
    assert len(acks) == len(tickets) and set(acks.values()) <= {1}, "an acknowledgement twice"
    delivered = len(harness.sink.messages)
    assert delivered == len(outbox), "a mail delivered twice, or not at all"
    fetched = Counter(uid for batch in seen.fetched for uid in batch)
    acknowledged = Counter(uid for batch in seen.acknowledged for uid in batch)
    everything = set(range(1, uids + 1))
    assert set(fetched) == everything and set(fetched.values()) == {1}, fetched
    assert set(acknowledged) == everything and set(acknowledged.values()) == {1}, acknowledged
    return (f"appended {len(appended)}, acknowledged in the mailbox {len(acknowledged)}, "
            f"tickets {len(tickets)}, quarantined {len(quarantined)}, acknowledgements "
            f"{sum(acks.values())}, mails delivered {delivered}, duplicates 0, "
            f"fetched twice 0, moved or flagged twice 0, connections {seen.connections}")


def still_serving(box: Mailbox, before: int) -> None:
    """A new mail is taken without a restart."""
    box.append(request(100_000))
    wait_until(lambda: len(box.harness.tickets()) == before + 1, what="a ticket after the fault")
    assert box.harness.cli("status").code == 0


@pytest.mark.long  # 1,000 mails in batches of 100 with MAILGATE_FULL=1
def test_dovecot_killed_mid_fetch_of_a_large_batch(box: Mailbox, proxy: ImapProxy) -> None:
    total, batch = sized(45, 1000), sized(15, 100)
    mails = [request(n) for n in range(total)]
    box.configure(port=proxy.port, after="move", batch_size=batch, poll_seconds=600)
    append_all(box, mails)
    # half way through the answer to the second batch's fetch
    half = sum(len(crlf(raw)) for raw in mails[batch:2 * batch]) // 2
    cut = proxy.arm(Cut("FETCH", nth=2, when="bytes", after_bytes=half,
                        action=lambda: kill(box)))
    harness = box.harness
    with harness.daemon():
        ride_out_the_outage(box, cut)
        settle(harness, total)
        assert box.messages() == {} and len(box.messages("Processed")) == total
        line = count(harness, [f"Request {n}" for n in range(total)], proxy.seen, total)
        still_serving(box, total)
    print(f"\nIMAP killed mid-fetch ({'full' if FULL else 'bounded'}): {line}")


@pytest.mark.long
@pytest.mark.parametrize(("after", "when"), [("move", "before"), ("move", "after"),
                                             ("flag", "after")])
def test_dovecot_killed_at_the_move(box: Mailbox, proxy: ImapProxy, after: str,
                                    when: str) -> None:
    """`before`: the server never got the MOVE; `after`: it moved the batch, and died before
    the daemon heard so. Either way each message is moved (or flagged) once."""
    total, batch = sized(45, 1000), sized(15, 100)
    box.configure(port=proxy.port, after=after, batch_size=batch, poll_seconds=600)
    append_all(box, [request(n) for n in range(total)])
    cut = proxy.arm(Cut("MOVE" if after == "move" else "STORE", nth=2, when=when,
                        action=lambda: kill(box)))
    harness = box.harness
    with harness.daemon():
        ride_out_the_outage(box, cut)
        settle(harness, total)
        if after == "move":
            assert box.messages() == {} and len(box.messages("Processed")) == total
        else:
            assert len(box.messages()) == total
            assert all(b"\\Seen" in flags for flags in box.messages().values())
        line = count(harness, [f"Request {n}" for n in range(total)], proxy.seen, total)
        still_serving(box, total)
    print(f"\nIMAP killed at the {after} ({when} the server did it): {line}")


def test_followed_folder_deleted_and_recreated(box: Mailbox) -> None:
    """Deleted under the daemon: reported at once (status, one admin mail), taken up again when
    it is back; mail restored into it from a backup is not a second ticket."""
    first, later = 5, 5
    box.configure(folder="Support", after="move", poll_seconds=600)
    harness = box.harness
    with box.client() as client:
        client.create_folder("Support")
    append_all(box, [request(n) for n in range(first)], "Support")
    with harness.daemon():
        settle(harness, first)
        with box.client() as client:
            client.delete_folder("Support")
        wait_until(lambda: status_of(harness) == "bad_folder", what="the folder's loss reported")
        status = harness.cli("status")
        assert status.code == 1 and 'folder = "Support" does not exist' in status.out
        with box.client() as client:
            client.create_folder("Support")
        # a restore from backup brings back a mail already a ticket, beside new mail
        append_all(box, [request(0)] + [request(n) for n in range(first, first + later)],
                   "Support")
        settle(harness, first + later)
        wait_until(lambda: status_of(harness) == "ok", what="the folder taken up again")
        harness.tick(utcnow())  # the admin's alert, if the worker has not sent it yet
        settle(harness, first + later)
        tickets = sorted(t.subject for t in harness.tickets())
        assert tickets == sorted(f"Request {n}" for n in range(first + later))
        rows = harness.inbound()
        assert len(rows) == first + later  # the restored copy was recognised, not stored again
        with harness.session() as session:
            outbox = list(session.exec(select(Outbox)).all())
        kinds = Counter(row.kind for row in outbox)
        assert kinds == {"acknowledgement": first + later, "mailbox_failing": 1}, kinds
        assert len(harness.sink.to(ADMIN)) == 1
        assert len(harness.sink.messages) == len(outbox)
        assert box.messages("Support") == {}
        still_serving_in(box, "Support", first + later)
    print(f"\nIMAP folder deleted and recreated: appended {first + later + 1} (one restored "
          f"copy), tickets {len(tickets)}, duplicates 0, acknowledgements "
          f"{kinds['acknowledgement']}, admin alerts 1, quarantined 0")


def still_serving_in(box: Mailbox, folder: str, before: int) -> None:
    append_all(box, [request(100_000)], folder)
    wait_until(lambda: len(box.harness.tickets()) == before + 1, what="a ticket after the fault")


def test_processed_folder_deleted_under_the_daemon(box: Mailbox) -> None:
    """Someone deletes the folder mail is moved to: it is made again at the next move."""
    box.configure(after="move", poll_seconds=600)
    harness = box.harness
    box.append(request(0))
    with harness.daemon():
        settle(harness, 1)
        wait_until(lambda: len(box.messages("Processed")) == 1, what="the first move")
        with box.client() as client:
            client.delete_folder("Processed")
        box.append(request(1))
        settle(harness, 2)
        wait_until(lambda: len(box.messages("Processed")) == 1, what="the second move")
        assert box.messages() == {}
        state = state_of(harness)
        assert (state.status, state.failing_since, state.last_error) == ("ok", None, ""), (
            state.last_error)  # not even a passing failure
        with harness.session() as session:
            kinds = Counter(row.kind for row in session.exec(select(Outbox)).all())
        assert kinds == {"acknowledgement": 2}, kinds
    print("\nIMAP processed folder deleted: appended 2, tickets 2, acknowledgements 2, "
          "failures 0")
