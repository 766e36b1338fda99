"""What each notification's templates may use: declared once, as data.

`notify.render` gives a template exactly these variables (and refuses a context that lacks
one), `notify.template_check` checks a desk's own templates against them when the config is
loaded, and `mailgate templates list` shows them. A variable's `shape` (a class, or the names
a mapping or an object of a layer above has) is what its attributes are checked against
(`ticket.no_such_thing` is an error); `items` is the shape of a list's elements, so that a
loop's variable is checked too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from notify.details import Shown
from tickets.desk import Desk
from tickets.models import Contact, MailboxState, PendingRequest, Ticket
from tickets.policy import Status

Shape = type | tuple[str, ...] | None  # a class, or the names it has; None: not checked


@dataclass(frozen=True, slots=True)
class Var:
    about: str
    shape: Shape = None
    items: Shape = None  # a list's elements


@dataclass(frozen=True, slots=True)
class Kind:
    to: str  # who receives it
    when: str  # what sends it
    variables: dict[str, Var] = field(default_factory=dict)


DESK = Var("the desk: name, address, timezone, reference_prefix …", Desk)
TICKET = Var("the ticket: reference, subject, status, priority, assignee, created_at, "
             "missing_details …", Ticket)
REQUESTER = Var("the person who asked: name, email, phone_original …", Contact)
STATUS = Var("the ticket's status (None if unknown): key, label, customer_label, category",
             Status)

_ACKNOWLEDGEMENT = {
    "desk": DESK,
    "ticket": TICKET,
    "requester": REQUESTER,
    "status": STATUS,
    "previous": Var("the closed ticket a reply to which opened this one ('' if none)", str),
    "skipped_attachments": Var("names of attachments over the size limit, not kept",
                               list, items=str),
    "details_shown": Var("name, company and phone as read: detail, value, check (unconfirmed)",
                         list, items=Shown),
}


def _scheduled(data_keys: tuple[str, ...]) -> dict[str, Var]:
    """What the clock's mail has (notify.scheduled); `data` is the event's own."""
    return {
        "desk": DESK,
        "ticket": TICKET,
        "requester": REQUESTER,
        "status": STATUS,
        "status_label": Var("the status as staff read it", str),
        "priority_label": Var("the priority's label", str),
        "technician": Var("the assignee's name (else address; '' if none)", str),
        "data": Var(f"what happened: {', '.join(data_keys) or 'nothing more'}", data_keys),
        "due": Var("the SLA due time, in the desk's time zone ('' if none)", str),
        "close_at": Var("when the ticket will be closed, in the desk's time zone ('' if none)",
                        str),
        "quiet_since": Var("the last update, in the desk's time zone ('' if none)", str),
        "reopens": Var("whether a reply to a closed ticket reopens it", bool),
    }


_PENDING = {
    "desk": DESK,
    "pending": Var("the held request: email, subject, missing, supplied, expires_at",
                   PendingRequest),
    "missing": Var("the details still needed, in words ('a call-back number')", list, items=str),
    "already_have": Var("the details its first mail gave: detail, value, check", list,
                        items=Shown),
    "subject": Var("the subject of the held mail", str),
    "expires_at": Var("when it is dropped, in the desk's time zone", str),
}

# mailgate.config.ImapMailbox: a layer above, so named by its attributes (a test keeps them equal)
MAILBOX_ATTRIBUTES = (
    "name", "host", "port", "security", "verify_certificates", "username", "password_env",
    "oauth2_token_command", "folder", "after", "processed_folder", "company", "poll_seconds",
    "idle", "batch_size", "max_message_bytes", "effective_port",
)

# a command's outcome, as tickets.technicians puts it in the event
RESULT_KEYS = ("line", "accepted", "detail")

KINDS: dict[str, Kind] = {
    "acknowledgement": Kind("requester", "a new ticket is logged", _ACKNOWLEDGEMENT),
    "linked_ticket": Kind("requester", "a reply to a closed ticket is logged as a new one",
                          _ACKNOWLEDGEMENT),
    "info_request": Kind("sender", "a request lacks required details: it is held and the "
                         "sender asked once", _PENDING),
    "info_request_expired": Kind("sender", "a held request got no answer in time", _PENDING),
    "assigned": Kind("requester", "the ticket is assigned", _scheduled(
        ("assignee", "previous", "reason"))),
    "reminder": Kind("requester", "waiting on the customer: schedule.waiting_reminders",
                     _scheduled(("number", "last", "close_at"))),
    "auto_closed": Kind("requester", "no answer to the reminders: the ticket is closed",
                        _scheduled(("reminders",))),
    "closed": Kind("requester", "resolved with no reply: schedule.resolved_autoclose",
                   _scheduled(())),
    "date_reached": Kind("assignee", "a waiting status's date or rota day has come",
                         _scheduled(("reason", "waited_in"))),
    "sla_warning": Kind("assignee", "an SLA target is near: schedule.sla_warning_lead",
                        _scheduled(("target", "due"))),
    "sla_breach": Kind("assignee + escalation address", "an SLA target is missed",
                       _scheduled(("target", "due"))),
    "stale": Kind("assignee", "a working ticket had no update: schedule.stale_after",
                  _scheduled(("quiet_since",))),
    "resolved": Kind("requester", "the ticket becomes resolved", {
        "desk": DESK,
        "ticket": TICKET,
        "requester": REQUESTER,
        "status": STATUS,
        "window": Var("the reopen window ('72h')", str),
    }),
    "technician_reply": Kind("requester (and Cc)", "a technician answers by mail", {
        "desk": DESK,
        "ticket": TICKET,
        "requester": REQUESTER,
        "text": Var("the technician's answer (no quotes, signature or commands)", str),
        "technician_name": Var("the technician's name ('' if unknown)", str),
        "resolved": Var("whether the same mail resolved the ticket", bool),
        "window": Var("the reopen window ('72h')", str),
    }),
    "customer_reply": Kind("assignee", "the customer replies on an assigned ticket", {
        "desk": DESK,
        "ticket": TICKET,
        "sender": Var("who replied (address)", str),
        "text": Var("what they wrote", str),
        "status": STATUS,
        "commands": Var("the command lines a technician may use", list, items=str),
        "files": Var("names of the files attached to the reply", list, items=str),
    }),
    "command_result": Kind("technician", "a technician's commands were refused or not "
                           "verified", {
        "desk": DESK,
        "ticket": TICKET,
        "results": Var("each command: line, accepted, detail", list, items=RESULT_KEYS),
        "unverified": Var("the mail could not be verified as the technician's", bool),
        "held": Var("a command below the text kept the mail from the customer", bool),
        "trusted": Var("[desk] trusted_authserv_ids", tuple, items=str),
        "commands": Var("the command lines a technician may use", list, items=str),
    }),
    "delivery_failed": Kind("assignee (or the technician who wrote)", "a technician's answer "
                            "bounced", {
        "desk": DESK,
        "ticket": TICKET,
        "recipients": Var("the addresses it did not reach", list, items=str),
        "sent_at": Var("when it was sent, in the desk's time zone", str),
        "returned_subject": Var("the subject of the returned mail", str),
        "report": Var("the mail system's report", str),
    }),
    "mailbox_failing": Kind("[admin] address", "an [[imap]] mailbox cannot be read", {
        "desk": DESK,
        "mailbox": Var("the [[imap]] section: name, host, username, folder, effective_port …",
                       MAILBOX_ATTRIBUTES),
        "state": Var("status, last_error, failing_since", MailboxState),
    }),
}
