"""Technician commands, one per line at the top of a mail: `#status resolved`, `#assign me`, …

One small class per command, each with a `name`, a `usage` and a `run` that either does what it
says or refuses with the reason (in the manner of GNU Mailman's rules). `run_command` is the plain
entry point: the mail channel calls it, and so can any other door (the CLI) that must apply the
same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from parsing.greetings import after_greeting
from parsing.headers import ADDRESS_IN_TEXT
from tickets import lifecycle
from tickets.desk import DeskPolicy
from tickets.events import Event
from tickets.models import Ticket


@dataclass
class CommandContext:
    session: Session
    policy: DeskPolicy
    ticket: Ticket
    now: datetime
    actor: str  # the technician's address


@dataclass(frozen=True, slots=True)
class Outcome:
    line: str  # the command as written
    accepted: bool
    detail: str  # what it did, or why it was refused
    events: tuple[Event, ...] = ()
    internal: bool = False  # `#internal`: nothing of this mail goes to the customer


class Command(Protocol):
    name: str
    usage: str

    def run(self, ctx: CommandContext, argument: str, line: str) -> Outcome: ...


def _move(ctx: CommandContext, status: str, line: str) -> Outcome:
    label = ctx.policy.status(status)
    shown = label.label if label else status
    if ctx.ticket.status == status:
        return Outcome(line, True, f"already {shown}")
    events = lifecycle.set_status(
        ctx.session, ctx.policy, ctx.ticket, status, ctx.now,
        reason=f"{line} by {ctx.actor}", actor=ctx.actor,
    )
    return Outcome(line, True, f"status is now {shown}", tuple(events))


def _known_statuses(policy: DeskPolicy) -> str:
    return ", ".join(s.key for s in policy.statuses)


class StatusCommand:
    name, usage = "status", "#status <status>"

    def run(self, ctx: CommandContext, argument: str, line: str) -> Outcome:
        if not argument:
            return Outcome(line, False, f"say which status: {_known_statuses(ctx.policy)}")
        status = ctx.policy.status(argument)
        if status is None:
            return Outcome(
                line, False,
                f"unknown status {argument!r}; known: {_known_statuses(ctx.policy)}",
            )
        return _move(ctx, status.key, line)


class PriorityCommand:
    name, usage = "priority", "#priority <low|medium|high|urgent>"

    def run(self, ctx: CommandContext, argument: str, line: str) -> Outcome:
        priority = ctx.policy.priority(argument) if argument else None
        if priority is None:
            known = ", ".join(p.key for p in ctx.policy.priorities)
            return Outcome(line, False, f"unknown priority {argument!r}; known: {known}")
        if priority.key == ctx.ticket.priority:
            return Outcome(line, True, f"already {priority.label}")
        events = lifecycle.set_priority(
            ctx.session, ctx.policy, ctx.ticket, priority.key, ctx.now,
            reason=f"{line} by {ctx.actor}", actor=ctx.actor,
        )
        return Outcome(line, True, f"priority is now {priority.label}", tuple(events))




class AssignCommand:
    name, usage = "assign", "#assign <address|me|none>"

    def run(self, ctx: CommandContext, argument: str, line: str) -> Outcome:
        if argument.lower() in ("none", "nobody", "-"):
            lifecycle.assign(
                ctx.session, ctx.policy, ctx.ticket, "", ctx.now,
                reason=f"{line} by {ctx.actor}", actor=ctx.actor,
            )
            return Outcome(line, True, "unassigned")
        if argument.lower() in ("me", ""):
            assignee = ctx.actor
        else:
            # "Alice <a@x>", and what mail clients make of a typed address: "[a@x](mailto:a@x)"
            # (HTML mail as text) or "a@x<mailto:a@x>" (Outlook's plain-text part)
            found = {a.lower() for a in ADDRESS_IN_TEXT.findall(argument)}
            if len(found) > 1:
                return Outcome(line, False, f"one address, please: {', '.join(sorted(found))}")
            assignee = found.pop() if found else argument.strip("<>").lower()
        if not ctx.policy.is_staff(assignee):
            return Outcome(line, False, f"{assignee} is not a member of staff")
        events = lifecycle.assign(
            ctx.session, ctx.policy, ctx.ticket, assignee, ctx.now,
            reason=f"{line} by {ctx.actor}", actor=ctx.actor,
        )
        return Outcome(line, True, f"assigned to {assignee}", tuple(events))


class ResolveCommand:
    name, usage = "resolve", "#resolve"

    def run(self, ctx: CommandContext, argument: str, line: str) -> Outcome:
        return _move(ctx, ctx.policy.resolved_status.key, line)


class CloseCommand:
    name, usage = "close", "#close"

    def run(self, ctx: CommandContext, argument: str, line: str) -> Outcome:
        return _move(ctx, ctx.policy.closed_status.key, line)


# What `#wait <whom>` means, as status keys of the default (Lourdes) policy.
WAIT_STATUSES = {
    "customer": "waiting_on_customer",
    "third-party": "waiting_on_third_party",
    "site-visit": "waiting_for_site_visit",
}


class WaitCommand:
    name, usage = "wait", "#wait customer|third-party|site-visit"

    def run(self, ctx: CommandContext, argument: str, line: str) -> Outcome:
        whom = re.sub(r"[\s_]+", "-", argument.strip().lower())
        key = WAIT_STATUSES.get(whom)
        if key is None:
            return Outcome(line, False, f"wait for whom? {', '.join(WAIT_STATUSES)}")
        status = ctx.policy.status(key)
        if status is None and whom == "customer":
            status = next((s for s in ctx.policy.statuses if s.awaits_customer), None)
        if status is None:
            return Outcome(line, False, f"this desk has no status {key!r}")
        return _move(ctx, status.key, line)


class DueCommand:
    name, usage = "due", "#due <YYYY-MM-DD[ HH:MM]>"

    def run(self, ctx: CommandContext, argument: str, line: str) -> Outcome:
        zone = ZoneInfo(ctx.policy.desk.timezone)
        try:
            parsed = datetime.fromisoformat(argument.strip())
        except ValueError:
            return Outcome(line, False, f"{argument!r} is not a date like 2026-11-30 or "
                                        "2026-11-30 14:00")
        if len(argument.strip()) <= 10:  # a date alone: from the start of that day
            parsed = datetime.combine(parsed.date(), time(0, 0))
        due = parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
        if due <= ctx.now:
            return Outcome(line, False, f"{argument} is in the past")
        lifecycle.set_due_date(ctx.session, ctx.policy, ctx.ticket, due, ctx.now, actor=ctx.actor)
        detail = f"due {due.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"
        # the status the scheduler wakes on that date (Awaiting Action on Specific Date)
        waiting = next((s for s in ctx.policy.statuses if s.resume_on == "due_date"), None)
        if waiting is None:
            return Outcome(line, True, detail)
        moved = _move(ctx, waiting.key, line)
        return Outcome(line, True, f"{detail}; {moved.detail}", moved.events)


class InternalCommand:
    name, usage = "internal", "#internal"

    def run(self, ctx: CommandContext, argument: str, line: str) -> Outcome:
        return Outcome(line, True, "kept as an internal note; nothing sent", internal=True)


class ConfidentialCommand:
    name, usage = "confidential", "#confidential"

    def run(self, ctx: CommandContext, argument: str, line: str) -> Outcome:
        lifecycle.make_confidential(ctx.session, ctx.policy, ctx.ticket, ctx.now, actor=ctx.actor)
        return Outcome(line, True, "confidential: updates go to the requester only")


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        StatusCommand(), PriorityCommand(), AssignCommand(), ResolveCommand(), CloseCommand(),
        WaitCommand(), DueCommand(), InternalCommand(), ConfidentialCommand(),
    )
}

_COMMAND_LINE = re.compile(r"^#([a-z][a-z_-]*)(?:[ \t]+(.*))?$", re.IGNORECASE)
# "Hi Jane," / "Hello!" / "Guten Morgen" above the commands: people greet out of habit, and a
# command below a greeting must neither be ignored nor reach the customer as text.
_SHORT_ADDRESS = re.compile(r"[^#\s][^#]{0,38}[,!]")  # 'Jane,' 'Team!' 'Dear all,'


def _greeting(line: str) -> bool:
    """A line that opens with a greeting: 'Hi Jane,', 'Hello!', 'Hi Jane, thanks for waiting';
    not 'Evening shift: printer fixed', whose words are for the customer."""
    return after_greeting(line) is not None or bool(_SHORT_ADDRESS.fullmatch(line))


@dataclass(frozen=True, slots=True)
class CommandLine:
    line: str
    name: str
    argument: str


@dataclass(frozen=True, slots=True)
class Split:
    commands: tuple[CommandLine, ...]
    body: str  # the mail below the commands
    greeting: str = ""  # a greeting line above the commands

    @property
    def text(self) -> str:
        """What the mail says to the customer: the greeting and the body, or nothing when the
        body is empty (a greeting alone is no answer to send)."""
        return f"{self.greeting}\n\n{self.body}" if self.greeting and self.body else self.body


def _command(line: str) -> CommandLine | None:
    found = _COMMAND_LINE.match(line.strip())
    if not found:
        return None
    return CommandLine(line.strip(), found.group(1).lower(), (found.group(2) or "").strip())


def split_commands(text: str) -> Split:
    """Command lines at the top of `text` (blank lines between them allowed, and one greeting
    line above them) and the rest."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    greeting = ""
    following = next((line for line in lines[start + 1 :] if line.strip()), "")
    if (
        start < len(lines)
        and _command(lines[start]) is None
        and _greeting(lines[start].strip())
        and _command(following) is not None
    ):
        greeting, start = lines[start].strip(), start + 1
    commands: list[CommandLine] = []
    index = start
    while index < len(lines):
        line = lines[index].strip()
        command = _command(line)
        if line and command is None:
            break
        if command is not None:
            commands.append(command)
        index += 1
    rest = "\n".join(lines[index:]).strip()
    if not commands:
        return Split((), text.strip())
    return Split(tuple(commands), rest, greeting)


def stray_commands(text: str) -> tuple[CommandLine, ...]:
    """Lines below the top of a mail that are known commands: not applied (commands count only
    at the top), but a sign the technician did not mean the text for the customer as it is."""
    found = (_command(line) for line in text.splitlines())
    return tuple(c for c in found if c is not None and c.name in COMMANDS)


def run_command(ctx: CommandContext, name: str, argument: str = "", line: str = "") -> Outcome:
    """Apply one command to `ctx.ticket`, or refuse it with the reason."""
    line = line or f"#{name} {argument}".strip()
    command = COMMANDS.get(name.lower())
    if command is None:
        known = ", ".join(f"#{n}" for n in COMMANDS)
        return Outcome(line, False, f"unknown command; known: {known}")
    return command.run(ctx, argument, line)


def usage() -> list[str]:
    return [c.usage for c in COMMANDS.values()]
