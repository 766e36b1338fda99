"""Who takes part in a ticket besides its requester: the people a request or a reply copies in.

Never a mailing list (a distribution list in Cc would receive every update), never one of the
desk's own addresses (mail to it would come back in), never staff (they are told as staff), and
at most `[desk] max_participants` of them; whoever is left out is named in the ticket's history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from parsing.lists import list_addresses
from parsing.message import ParsedMessage
from tickets.desk import DeskPolicy

MAX_NAMED = 20  # addresses named per history line; a Cc of thousands is counted, not listed


@dataclass(slots=True)
class Participants:
    added: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    over_cap: list[str] = field(default_factory=list)


def choose(
    policy: DeskPolicy, parsed: ParsedMessage, *, requester: str, current: Iterable[str],
    skip_staff: bool = True,
) -> Participants:
    """Who of `parsed`'s To and Cc joins a ticket that already has `current` participants.
    `skip_staff`: False keeps staff a new request copies in (as it always has)."""
    chosen = Participants()
    taken = set(current)
    lists = list_addresses(parsed)
    seen: set[str] = set()
    for address in (*parsed.to, *parsed.cc):
        email = address.email
        if not email or email in seen or email in taken or email == requester:
            continue
        seen.add(email)
        if policy.is_desk_address(email) or (skip_staff and policy.is_staff(email)):
            continue
        if email in lists:
            chosen.lists.append(email)
        elif len(taken) + len(chosen.added) >= policy.desk.max_participants:
            chosen.over_cap.append(email)
        else:
            chosen.added.append(email)
    return chosen


def _named(addresses: list[str]) -> str:
    shown = ", ".join(addresses[:MAX_NAMED])
    more = len(addresses) - MAX_NAMED
    return f"{shown} and {more} more" if more > 0 else shown


def left_out(chosen: Participants, policy: DeskPolicy) -> list[str]:
    """History lines for the addresses that do not take part, and why."""
    lines = []
    if chosen.lists:
        lines.append(
            f"not taking part: {_named(chosen.lists)} — a mailing list (List-Id/List-Post); "
            "its members would receive every update"
        )
    if chosen.over_cap:
        lines.append(
            f"not taking part: {len(chosen.over_cap)} more addresses than the "
            f"{policy.desk.max_participants} participants a ticket may have "
            f"([desk] max_participants): {_named(chosen.over_cap)}"
        )
    return lines
