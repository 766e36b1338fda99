"""Waiting for news in the selected folder: IDLE (RFC 2177), and what imaplib already holds."""

from __future__ import annotations

import ssl
import threading
import time

from imapclient import IMAPClient

IDLE_TICK = 0.5  # how often an idle follower looks at its stop flag


def buffered_input(client: IMAPClient) -> bool:
    """Whether imaplib holds server output in its buffer that nobody has parsed yet.

    A change that lands just before IDLE starts is reported at once, often in the same packet as
    the "+ idling" continuation (Dovecot does so). imaplib reads both into its buffer to get the
    continuation, and imapclient's idle_check, which waits on the socket, never sees the rest: the
    push would wait for the next change, or for `poll_seconds`.
    """
    sock = client.socket()
    timeout = sock.gettimeout()
    sock.settimeout(0.0)  # peek fills an empty buffer from the socket: must not block
    try:
        return bool(client._imap.file.peek(1))
    except (BlockingIOError, ssl.SSLWantReadError):
        return False
    finally:
        sock.settimeout(timeout)


def news_arrived(client: IMAPClient) -> bool:
    """Whether the server announced new mail (EXISTS) in a response to one of our commands.

    imaplib files unsolicited responses in `untagged_responses` (imapclient reads them from there
    too); the server tells a client of each new message once, so one announced while we were busy
    would otherwise wait for the next change before IDLE saw it.
    """
    pending = client._imap.untagged_responses
    pending.pop("RECENT", None)  # comes with EXISTS for new mail; alone (after MOVE) it is not
    return bool(pending.pop("EXISTS", None))


def idle_until_news(client: IMAPClient, stopping: threading.Event, renew_after: float) -> None:
    """IDLE until the folder changes, the server goes away, `stopping` is set, or `renew_after`
    seconds have passed; the caller searches the folder after it in every case."""
    client.idle()
    started = time.monotonic()
    try:
        if buffered_input(client):
            return  # news that came with IDLE's continuation: look now
        while not stopping.is_set():
            if time.monotonic() - started > renew_after:
                return
            tick = time.monotonic()
            responses = client.idle_check(timeout=IDLE_TICK)
            for response in responses:
                if response[0] == b"BYE":
                    raise ConnectionError(f"server said BYE: {response!r}")
                if len(response) > 1 and response[1] in (b"EXISTS", b"RECENT"):
                    return
            if not responses and time.monotonic() - tick < IDLE_TICK / 2:
                # readable but no line: the server closed the connection (idle_done raises)
                return
    finally:
        client.idle_done()
