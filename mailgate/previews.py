"""Notifications previewed with sample or real data (`mailgate templates render`), and every
kind rendered once with sample data to find what only rendering shows (`check-config`,
`serve`). Nothing is sent and the desk's database is only read: see `notify.preview`."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from mailgate.config import SHIPPED_TEMPLATES, Admin, Config, ConfigError, ImapMailbox
from mailgate.intake import imap_state
from mailgate.pipeline import notifier_for
from notify.preview import PreviewError, copied_scene, render_kind, sample_scene, scratch_session
from notify.samples import DOMAIN
from notify.template_check import SUFFIXES, template_files, unchanged
from notify.template_vars import KINDS
from tickets.models import MailboxState, Outbox

# kinds about no ticket: a --ticket has nothing to give them
NOT_ABOUT_A_TICKET = ("info_request", "info_request_expired", "mailbox_failing")


@dataclass(frozen=True, slots=True)
class Preview:
    kind: str
    raw: bytes  # the mail as it would be handed to the SMTP server
    note: str = ""  # what the preview made up beside the ticket's data


def preview(
    config: Config, kind: str, now: datetime, *, engine: Engine | None = None,
    reference: str | None = None,
) -> Preview:
    """`kind` for the sample ticket, or for the real ticket `reference` read through `engine`."""
    if kind not in KINDS:
        raise PreviewError(f"no notification kind {kind!r}; the kinds are {', '.join(KINDS)}")
    with scratch_session() as scratch:
        if kind == "mailbox_failing":
            return Preview(kind, _mailbox_failing(scratch, config, now).raw)
        if reference is None:
            scene = sample_scene(scratch, config, kind, now)
        else:
            assert engine is not None
            with Session(engine) as source:
                scene = copied_scene(source, scratch, config, kind, reference, now)
                source.rollback()  # read only: nothing was written, nothing is kept
        row = render_kind(scratch, notifier_for(config), kind, scene, now)
        note = (f"the ticket has no assignee: the preview assigns {scene.assignee_added}"
                if reference and scene.assignee_added and kind not in NOT_ABOUT_A_TICKET
                else "")
        return Preview(kind, row.raw, note)


def _mailbox_failing(scratch: Session, config: Config, now: datetime) -> Outbox:
    """The outage alert as `imap_state` writes it, for the desk's first mailbox (or a sample)."""
    mailbox = config.imap[0] if config.imap else ImapMailbox(
        host=f"imap.{DOMAIN}", username=config.desk.address, password_env="MAILGATE_IMAP_PASSWORD"
    )
    state = MailboxState(
        name=mailbox.name, status="auth_failed", failing_since=now - timedelta(minutes=20),
        last_error="LOGIN failed: [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
    )
    if not config.admin.address:
        config = config.model_copy(update={"admin": Admin(address=f"it-admin@{DOMAIN}")})
    imap_state._alert(scratch, config, mailbox, state, now)
    row = scratch.exec(select(Outbox).where(Outbox.kind == "mailbox_failing")).first()
    assert row is not None
    return row


def require_renderable(config: Config, source: str, now: datetime) -> None:
    """Refuse a desk's own templates that fail when rendered with sample data (what the check
    of their variables at load cannot see: an attribute of an attribute, a filter on the wrong
    type), naming file and line: `check-config` and `serve` say so now, not at 3 a.m."""
    if problems := rendering_problems(config, now):
        raise ConfigError("\n".join(f"{source}: desk.templates: {p}" for p in problems))


def rendering_problems(config: Config, now: datetime) -> list[str]:
    """Each kind rendered with sample data: where a template fails, by file and line. Nothing
    to do for the shipped templates (the tests render them) or an unchanged copy of them."""
    if all(unchanged(path, SHIPPED_TEMPLATES) for kind in KINDS
           for path in template_files(config.templates_dir, kind)):
        return []
    problems = []
    for kind in KINDS:
        try:
            preview(config, kind, now)
        except Exception as exc:
            where = _template_frame(exc)
            if where is None:
                raise  # not a template's doing: a fault of ours, with its traceback
            path, line = where
            message = " ".join(str(getattr(exc, "message", None) or exc).split())
            problems.append(f"{path} line {line}: rendering {kind} with sample data: {message}")
    return problems


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template line of the traceback (Jinja puts the templates' own lines in)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.endswith(SUFFIXES)]
    return (frames[-1].filename, frames[-1].lineno or 0) if frames else None
