"""Taking a batch of UIDs from the selected folder: each message whole, or left where it is.

A message is left in the folder, with only its header taken (to be quarantined with the reason),
when it is larger than the mailbox's limit or when the server answers the fetch without it
although it is still there. A message that another client expunged since our search is neither:
it is simply gone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from mailgate import chunks

BODY, HEADER, SIZE = b"BODY[]", b"BODY[HEADER]", b"RFC822.SIZE"


@dataclass(frozen=True, slots=True)
class Taken:
    uid: int
    raw: bytes


@dataclass(frozen=True, slots=True)
class Left:
    """Not taken: stays in the folder. `header` is b"" when the server would not give even that."""

    uid: int
    header: bytes
    size: int
    why: str


def sizes(client: IMAPClient, uids: Sequence[int]) -> dict[int, int]:
    """RFC822.SIZE per UID; a UID missing from the answer is left to `take` to sort out."""
    answer = client.fetch(uids, ["RFC822.SIZE"])
    return {uid: int(answer[uid][SIZE]) for uid in uids if SIZE in answer.get(uid, {})}


def by_bytes(uids: Sequence[int], size_of: dict[int, int], limit: int) -> Iterator[list[int]]:
    """Consecutive groups of at most `limit` bytes (a larger message forms a group of its own),
    so that a batch of large mail is not held in memory all at once."""
    return chunks.by_bytes(uids, lambda uid: size_of.get(uid, 0), limit)


def take(
    client: IMAPClient, uids: Sequence[int], size_of: dict[int, int], max_bytes: int
) -> list[Taken | Left]:
    """Fetch with BODY.PEEK[] (which leaves \\Seen alone), in UID order."""
    too_large = {uid for uid in uids if size_of.get(uid, 0) > max_bytes}
    wanted = [uid for uid in uids if uid not in too_large]
    bodies = _bodies(client, wanted)
    missing = [uid for uid in wanted if uid not in bodies]
    withheld: set[int] = set()
    if missing:
        # Gone (expunged by another client since the search), or withheld by the server: ask
        # once more for each one still there before giving up on it.
        for uid in present(client, missing):
            bodies.update(_bodies(client, [uid]))
            if uid not in bodies:
                withheld.add(uid)
    items: list[Taken | Left] = []
    for uid in uids:
        if uid in bodies:
            items.append(Taken(uid, bodies[uid]))
        elif uid in too_large:
            items.append(Left(uid, header(client, uid), size_of[uid],
                              f"too large: {size_of[uid]:,} bytes, over max_message_bytes "
                              f"({max_bytes:,})"))
        elif uid in withheld:
            items.append(Left(uid, header(client, uid), size_of.get(uid, 0),
                              "the server answered the fetch without it"))
    return items


def _bodies(client: IMAPClient, uids: Sequence[int]) -> dict[int, bytes]:
    if not uids:
        return {}
    answer = client.fetch(uids, ["BODY.PEEK[]"])
    # the answer may hold unsolicited FETCH data (another client's flag change): ours only
    return {uid: answer[uid][BODY] for uid in uids if answer.get(uid, {}).get(BODY) is not None}


def present(client: IMAPClient, uids: Sequence[int]) -> list[int]:
    """Which of these UIDs are still in the folder."""
    found = set(client.search(["UID", ",".join(str(uid) for uid in uids)]))
    return [uid for uid in uids if uid in found]


def header(client: IMAPClient, uid: int) -> bytes:
    """The message's header, for the quarantine; b"" when the server refuses even that."""
    try:
        answer = client.fetch([uid], ["BODY.PEEK[HEADER]"])
    except IMAPClientAbortError:
        raise  # the connection is gone: not the message's answer
    except IMAPClientError:
        return b""
    return answer.get(uid, {}).get(HEADER) or b""
