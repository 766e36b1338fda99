"""A technician's mail on a ticket: commands at the top, the rest answered to the customer.

A From header is trivially forged, so a staff mail acts only when it is verified: it came
through a staff-signed reply address, or the topmost Authentication-Results header, written by a
host in `[desk] trusted_authserv_ids`, vouches for its From domain. Anything else is kept as an
internal note flagged unverified and applies nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from parsing.authresults import authenticated_sender, parse_authentication_results
from parsing.reply import split_reply
from tickets import history, lifecycle
from tickets.commands import (
    CommandContext,
    Outcome,
    run_command,
    split_commands,
    stray_commands,
)
from tickets.events import Event
from tickets.models import Contact, Ticket
from tickets.replies import new_text, store_reply

if TYPE_CHECKING:  # the pipeline imports this module
    from tickets.pipeline.context import Intake


def verification(intake: Intake) -> str:
    """Why this staff mail is to be believed, or '' when it is not."""
    if intake.signed_role == "staff":
        return "sent through a staff-signed reply address"
    trusted = {a.lower() for a in intake.policy.desk.trusted_authserv_ids}
    headers = intake.parsed.header_all("authentication-results")
    if not trusted or not headers:
        return ""
    # RFC 8601 §5: only our own border host's header counts; it is the topmost one (every hop
    # prepends), and the MTA must remove any copy of it that arrived from outside.
    top = parse_authentication_results(headers[0])
    if top is None or top.authserv_id not in trusted:
        return ""
    return authenticated_sender(top, intake.sender)


def apply_technician_reply(intake: Intake, ticket: Ticket) -> None:
    text = new_text(intake.parsed)
    if intake.automated:  # the technician's own out-of-office: nothing for the customer
        store_reply(intake, ticket, body=text, internal=True)
        history.record(
            intake.session, ticket, "note", f"automatic mail from {intake.sender} kept as a note",
            intake.now, intake.sender,
        )
        return
    verified = verification(intake)
    if not verified:
        _unverified(intake, ticket, text)
        return
    # commands first: the reply parser would take a line after them for a sign-off
    split = split_commands(intake.parsed.text)
    # the quoted history goes before the greeting comes back: "Hi Jane,\n#resolve\n\nOn … wrote:"
    # is no answer to send, only a greeting over a quote
    split = replace(split, body=split_reply(split.body).text if split.body else "")
    context = CommandContext(intake.session, intake.policy, ticket, intake.now, intake.sender)
    outcomes = [run_command(context, c.name, c.argument, c.line) for c in split.commands]
    outcomes += [_stray(c.line) for c in stray_commands(split.text)]
    internal = any(o.internal for o in outcomes)
    intake.decide("apply", f"technician mail verified: {verified}")
    public = bool(split.text) and not internal
    direct = public and _addressed_requester(intake, ticket)
    if direct:
        # Reply-all from Outlook to the customer's own mail: they have it already. Keep it in
        # the public thread (its Message-ID threads what follows), do not send it again.
        store_reply(intake, ticket, body=split.text, direction="out")
        intake.decide("apply", "the requester was addressed directly: recorded, not sent again")
    else:
        store_reply(intake, ticket, body=split.text or text, internal=True)
    if public:
        lifecycle.record_public_reply(
            intake.session, intake.policy, ticket, intake.now, actor=intake.sender
        )
    if public and not direct:
        intake.events.append(
            Event(
                kind="technician_replied",
                ticket_id=ticket.id,
                key=f"message:{intake.inbound.id}",
                data={"text": split.text, "technician": intake.sender,
                      "technician_name": intake.sender_name,
                      # files the technician attached go along; a signature's logo does not
                      "attachments": [
                          (a.filename, a.content_type, a.content)
                          for a in intake.parsed.attachments
                          if a.content is not None and not a.inline
                      ]},
            )
        )
    for outcome in outcomes:
        intake.events.extend(
            # the answer the requester gets from this mail says it is resolved (notify.replies)
            replace(e, notify=False) if public and not direct and e.kind == "status_changed"
            else e
            for e in outcome.events
        )
    lifecycle.touched(ticket, intake.policy, intake.now)
    refused = [o for o in outcomes if not o.accepted]
    if refused:
        held = bool(split.text) and any(o.internal and not o.accepted for o in outcomes)
        intake.events.append(
            _results_event(intake, ticket, outcomes, unverified=False, held=held)
        )


def _stray(line: str) -> Outcome:
    """A command below the text: not applied, and the mail is not sent as it stands (it may be
    an `#internal` note, or say more than the technician meant the customer to read)."""
    return Outcome(
        line, False,
        "commands count only at the top of the mail (a greeting line above them is fine)",
        internal=True,
    )


def _addressed_requester(intake: Intake, ticket: Ticket) -> bool:
    requester = intake.session.get(Contact, ticket.requester_id)
    return requester is not None and requester.email in {
        a.email for a in (*intake.parsed.to, *intake.parsed.cc)
    }


def _unverified(intake: Intake, ticket: Ticket, text: str) -> None:
    store_reply(intake, ticket, body=text, internal=True, verified=False)
    history.record(
        intake.session, ticket, "unverified",
        f"mail from staff address {intake.sender} could not be verified (no staff-signed reply "
        "address, no trusted Authentication-Results pass): kept as an internal note, "
        "nothing applied",
        intake.now, intake.sender,
    )
    intake.decide("apply", "staff mail not verified: internal note, nothing applied")
    intake.events.append(_results_event(intake, ticket, [], unverified=True))


def _results_event(
    intake: Intake, ticket: Ticket, outcomes: list[Outcome], *, unverified: bool,
    held: bool = False,
) -> Event:
    return Event(
        kind="command_result",
        ticket_id=ticket.id,
        key=f"commands:{intake.inbound.id}",
        # an answer to mail, so the automatic-reply limit holds (forged mail could loop)
        notify=intake.may_autorespond,
        data={
            "technician": intake.sender,
            "unverified": unverified,
            "held": held,  # a stray command kept the text from the customer
            "in_reply_to": intake.parsed.message_id,
            "results": [
                {"line": o.line, "accepted": o.accepted, "detail": o.detail} for o in outcomes
            ],
        },
    )
