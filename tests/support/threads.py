"""Helpers for conversation tests: the mails of one kind that reached the sink, reply addresses."""

from __future__ import annotations

from email.utils import getaddresses

from sqlmodel import select

from tests.mail import mail
from tests.support.harness import Harness, wait_until
from tests.support.sink import Received
from tickets.models import Outbox

CUSTOMER = "jane@school.example"


def kinds(harness: Harness) -> dict[str, str]:
    """Message-ID (with brackets) → the outbox kind that produced it."""
    with harness.session() as session:
        return {f"<{r.message_id}>": r.kind for r in session.exec(select(Outbox)).all()}


def mails_of(harness: Harness, kind: str, to: str | None = None) -> list[Received]:
    by_id = kinds(harness)
    found = [m for m in list(harness.sink.messages) if by_id.get(m.header("Message-ID")) == kind]
    return [m for m in found if to is None or to in m.rcpt_tos]


def wait_mail(harness: Harness, kind: str, count: int = 1, to: str | None = None) -> list[Received]:
    return wait_until(
        lambda: len(found := mails_of(harness, kind, to)) >= count and found,
        what=f"{count} {kind} mail(s){f' to {to}' if to else ''}",
    )


def address_of(header: str) -> str:
    [(_, address)] = getaddresses([header])
    return address


def open_ticket(harness: Harness, *, count: int = 1, **kwargs: str) -> Received:
    """The customer writes in; returns our acknowledgement (the daemon must be running)."""
    kwargs.setdefault("message_id", "<first@school.example>")
    harness.send(mail(**kwargs), mail_from=CUSTOMER)  # type: ignore[arg-type]
    harness.wait_processed(count)
    [ack] = wait_mail(harness, "acknowledgement", count)[-1:]
    return ack
