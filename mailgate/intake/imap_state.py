"""Where a follower stands in its mailbox, and how its health is recorded and reported."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from mailgate.config import Config, ImapMailbox
from mailgate.pipeline import notifier_for
from notify.outbox import queue_mail
from tickets.models import MailboxState

log = logging.getLogger("mailgate.imap")

# Refused credentials, bad certificates and a missing folder need a person now; a network
# outage may heal itself.
ALERT_AT_ONCE = ("auth_failed", "tls_failed", "bad_folder")
ALERT_AFTER = timedelta(minutes=15)


def _state(session: Session, name: str) -> MailboxState:
    state = session.get(MailboxState, name)
    if state is None:
        state = MailboxState(name=name)
        session.add(state)
    return state


def load(engine: Engine, name: str) -> MailboxState:
    with Session(engine, expire_on_commit=False) as session:
        state = _state(session, name)
        session.commit()
        return state


def check_uidvalidity(engine: Engine, name: str, uidvalidity: int) -> bool:
    """Record the folder's UIDVALIDITY; True when it changed and the folder must be re-read."""
    with Session(engine) as session:
        state = _state(session, name)
        if state.uidvalidity == uidvalidity:
            return False
        changed = state.uidvalidity is not None
        if changed:
            # RFC 3501 §2.3.1.1: the old UIDs mean nothing now. Read everything again; the
            # inbound store's dedup recognises what we already have.
            log.warning(
                "mailbox %s: UIDVALIDITY changed from %s to %s; reading the whole folder again",
                name, state.uidvalidity, uidvalidity,
            )
        state.uidvalidity, state.last_uid, state.acked_uid = uidvalidity, 0, 0
        session.commit()
        return changed


def set_stored(engine: Engine, name: str, last_uid: int) -> None:
    with Session(engine) as session:
        state = _state(session, name)
        state.last_uid = max(state.last_uid, last_uid)
        session.commit()


def set_acked(engine: Engine, name: str, acked_uid: int) -> None:
    with Session(engine) as session:
        state = _state(session, name)
        state.acked_uid = max(state.acked_uid, acked_uid)
        session.commit()


def set_passed(engine: Engine, name: str, uid: int) -> None:
    """Everything up to `uid` is dealt with: nothing stored there waits to be acknowledged."""
    with Session(engine) as session:
        state = _state(session, name)
        state.last_uid = max(state.last_uid, uid)
        state.acked_uid = max(state.acked_uid, uid)
        session.commit()


def record_ok(engine: Engine, mailbox: ImapMailbox, now: datetime) -> None:
    with Session(engine) as session:
        state = _state(session, mailbox.name)
        if state.failing_since is not None:
            log.info("mailbox %s: working again (failing since %s)", mailbox.name,
                     state.failing_since.isoformat())
        state.status, state.last_ok_at = "ok", now
        state.failing_since = state.alert_sent_at = None
        session.commit()


def record_failure(
    engine: Engine, config: Config, mailbox: ImapMailbox, status: str, error: str, now: datetime
) -> None:
    """Log it (every time), keep it for `mailgate status`, and mail the admin once per outage."""
    log.error("mailbox %s (%s@%s): %s: %s", mailbox.name, mailbox.username, mailbox.host,
              status, error)
    with Session(engine) as session:
        state = _state(session, mailbox.name)
        state.status, state.last_error = status, error[:2000]
        if state.failing_since is None:
            state.failing_since = now
        due = status in ALERT_AT_ONCE or now - state.failing_since >= ALERT_AFTER
        if due and state.alert_sent_at is None and _alert(session, config, mailbox, state, now):
            state.alert_sent_at = now
        session.commit()


def _alert(
    session: Session, config: Config, mailbox: ImapMailbox, state: MailboxState, now: datetime
) -> bool:
    if not config.admin.address:
        log.error("mailbox %s is failing and no [admin] address is configured to tell",
                  mailbox.name)
        return False
    assert state.failing_since is not None
    queue_mail(
        session, notifier_for(config), now,
        kind="mailbox_failing",
        dedup_key=f"mailbox:{mailbox.name}:{state.failing_since.isoformat()}",
        ticket=None,
        to=[config.admin.address],
        context={"mailbox": mailbox, "state": state},
        subject=f"mailgate cannot read mailbox {mailbox.name}",
        auto_submitted="auto-generated",
    )
    return True
