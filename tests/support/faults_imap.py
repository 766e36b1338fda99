"""A TCP proxy between mailgate and Dovecot that cuts the IMAP conversation at a chosen point.

Faults at a chosen point, not at a chosen time: the proxy reads the client's command lines and
the server's tagged answers, so a test can kill the server after N bytes of the answer to a
`BODY.PEEK[]` fetch, or at a `MOVE` / `STORE` (before the server gets it, or after the server
did it but before the client heard). It also records, from the server's side, which UIDs each
completed fetch returned and each completed acknowledgement moved or flagged, so a test can show
that nothing was fetched or acknowledged twice.

Written by hand: a forwarding proxy that parses IMAP is a few dozen lines, and the libraries that
do fault injection (toxiproxy and the like) cut by bytes or time, not at a command.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

TAGGED_OK = re.compile(rb"^(\S+) OK\b", re.IGNORECASE)
COMMAND = re.compile(rb"^(\S+) (UID )?(\S+) ?(\S*)", re.IGNORECASE)


def uid_set(text: bytes) -> set[int]:
    """`1,3,5:7` → {1, 3, 5, 6, 7}."""
    found: set[int] = set()
    for part in text.decode().split(","):
        low, _, high = part.partition(":")
        found.update(range(int(low), int(high or low) + 1))
    return found


@dataclass
class Cut:
    """Where to cut: the `nth` command matching `command` (FETCH of bodies, MOVE or STORE).

    `when`: "before" (the server never gets the command), "after" (the server completes it, the
    client never hears so), or, for a fetch, after `after_bytes` bytes of the server's answer.
    `action` runs at the cut, before the client's connection is closed (kill the server, say).
    """

    command: str  # "FETCH", "MOVE" or "STORE"
    nth: int = 1
    when: str = "before"
    after_bytes: int = 0
    action: Callable[[], None] = lambda: None
    seen: int = 0
    fired: threading.Event = field(default_factory=threading.Event)


@dataclass
class Conversation:
    """What the server completed, as the proxy saw it."""

    fetched: list[set[int]] = field(default_factory=list)  # UIDs of each BODY.PEEK[] answered
    acknowledged: list[set[int]] = field(default_factory=list)  # each MOVE / STORE \Seen done
    connections: int = 0


class ImapProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.cut: Cut | None = None
        self.seen = Conversation()
        self.lock = threading.Lock()
        self.closing = False
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, name="imap-proxy", daemon=True).start()

    def arm(self, cut: Cut) -> Cut:
        with self.lock:
            self.cut = cut
        return cut

    def close(self) -> None:
        self.closing = True
        self.listener.close()
        for sock in list(self.sockets):
            _close(sock)

    def _accept(self) -> None:
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                _close(client)  # the server is down: so is the proxy, to the client
                continue
            self.sockets += [client, server]
            with self.lock:
                self.seen.connections += 1
            _Link(self, client, server).start()


class _Link:
    """One client connection and its server connection."""

    def __init__(self, proxy: ImapProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy, self.client, self.server = proxy, client, server
        self.commands: dict[bytes, tuple[str, set[int]]] = {}  # tag → (kind, UIDs)
        self.counting: Cut | None = None  # a fetch being cut after some bytes
        self.counted = 0
        self.holding: bytes | None = None  # the tag of a command whose answer is withheld
        self.held: Cut | None = None
        self.cut_done = False

    def start(self) -> None:
        threading.Thread(target=self._upstream, daemon=True).start()
        threading.Thread(target=self._downstream, daemon=True).start()

    def _fire(self, cut: Cut) -> None:
        if self.cut_done:
            return
        self.cut_done = True
        cut.action()
        cut.fired.set()
        _close(self.client)
        _close(self.server)

    # client → server: read command lines, classify, maybe cut
    def _upstream(self) -> None:
        pending = b""
        while True:
            try:
                data = self.client.recv(65536)
            except OSError:
                data = b""
            if not data or self.cut_done:
                _close(self.server)
                return
            pending += data
            out = b""
            while b"\r\n" in pending:
                line, pending = pending.split(b"\r\n", 1)
                if not self._command(line):
                    return
                out += line + b"\r\n"
            try:
                self.server.sendall(out)
            except OSError:
                _close(self.client)
                return

    def _command(self, line: bytes) -> bool:
        """Note the command; False when the connection was cut before it went on."""
        match = COMMAND.match(line)
        if not match or not match.group(2):
            return True
        tag, verb, uids = match.group(1), match.group(3).upper(), match.group(4)
        kind = ""
        if verb == b"FETCH" and b"BODY.PEEK[]" in line.upper():
            kind = "FETCH"
        elif verb == b"MOVE" or (verb == b"STORE" and b"\\SEEN" in line.upper()):
            kind = verb.decode()
        if not kind:
            return True
        self.commands[tag] = (kind, uid_set(uids))
        with self.proxy.lock:
            cut = self.proxy.cut
            if cut is None or cut.command != kind or cut.fired.is_set():
                return True
            cut.seen += 1
            if cut.seen != cut.nth:
                return True
            self.proxy.cut = None
        if cut.when == "before":
            self._fire(cut)
            return False
        if cut.when == "after":
            self.holding, self.held = tag, cut
        else:
            self.counting, self.counted = cut, 0
        return True

    # server → client: forward, count, note completed commands, maybe cut
    def _downstream(self) -> None:
        partial = b""
        while True:
            try:
                data = self.server.recv(65536)
            except OSError:
                data = b""
            if not data or self.cut_done:
                _close(self.client)
                return
            forward = data
            if self.counting is not None:
                room = self.counting.after_bytes - self.counted
                if len(data) >= room:
                    with contextlib.suppress(OSError):
                        self.client.sendall(data[:room])
                    self._fire(self.counting)
                    return
                self.counted += len(data)
            partial += data
            lines = partial.split(b"\r\n")
            partial = lines.pop()
            for line in lines:
                self._answer(line)
            if self.holding is not None:
                continue  # withheld from the client until the cut
            try:
                self.client.sendall(forward)
            except OSError:
                _close(self.server)
                return

    def _answer(self, line: bytes) -> None:
        match = TAGGED_OK.match(line)
        if not match or match.group(1) not in self.commands:
            return
        tag = match.group(1)
        kind, uids = self.commands.pop(tag)
        with self.proxy.lock:
            if kind == "FETCH":
                self.proxy.seen.fetched.append(uids)
            else:
                self.proxy.seen.acknowledged.append(uids)
        if tag == self.holding and self.held is not None:
            self._fire(self.held)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
