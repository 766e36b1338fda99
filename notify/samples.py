"""Sample data for a preview of a notification (`mailgate templates render`): a school's
requester with a jammed printer, the mail on their ticket so far, a bounce, a held request.
Written into a scratch database (`notify.preview`), never the desk's."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from tickets import sla
from tickets.desk import DeskPolicy
from tickets.models import (
    Company,
    Contact,
    InboundMessage,
    PendingRequest,
    Ticket,
    TicketMessage,
)
from tickets.references import format_reference

DOMAIN = "riverside.example"  # RFC 2606: no real school is mailed by mistake
REQUESTER = ("Sam Patel", f"sam.patel@{DOMAIN}")
PHONE = ("+441632960123", "01632 960123")  # Ofcom's numbers for drama
SUBJECT = "Printer in room 12 shows a paper jam"
FIRST_MAIL = ("Hello,\n\nthe printer in room 12 shows a paper jam and nothing prints.\n"
              "We have a parents' evening tonight.\n\nThanks,\nSam Patel\n"
              "Riverside Primary School\n01632 960123\n")
CUSTOMER_REPLY = "It is the HP LaserJet by the window. The tray light is orange now.\n"
TECHNICIAN_ANSWER = ("Hi Sam,\n\nI can be with you at 14:00. Until then, please leave the "
                     "printer switched off.\n\nAlex")


@dataclass(frozen=True, slots=True)
class Scene:
    """What a preview's event names: the ticket and the rows some kinds need."""

    ticket_id: int
    customer_message_id: int  # the requester's latest mail (customer_reply)
    returned_id: int  # our answer that came back (delivery_failed)
    bounce_id: int  # the report that brought it back
    pending_id: int  # a held request (info_request)
    assignee_added: str  # the sample assignee given to a ticket that had none


def sample_ticket(session: Session, policy: DeskPolicy, now: datetime) -> Ticket:
    """A ticket logged three hours ago, with its due times from the desk's own SLA targets."""
    opened = now - timedelta(hours=3)
    company = Company(name="Riverside Primary School", domains=[DOMAIN])
    session.add(company)
    session.flush()
    name, email = REQUESTER
    requester = Contact(email=email, name=name, company_id=company.id, phone=PHONE[0],
                        phone_original=PHONE[1], created_at=opened, updated_at=opened)
    session.add(requester)
    session.flush()
    assert requester.id is not None
    ticket = Ticket(
        reference=format_reference(policy.desk.reference_prefix, 1234,
                                   policy.desk.reference_digits),
        subject=SUBJECT, description=FIRST_MAIL, status=policy.initial_status,
        priority=policy.default_priority, requester_id=requester.id, company_id=company.id,
        requester_name=name, requester_phone=PHONE[0], requester_phone_original=PHONE[1],
        company_name=company.name, cc=[], created_at=opened, updated_at=now - timedelta(hours=1),
        status_changed_at=opened,
    )
    sla.start(ticket, policy, None, opened)
    session.add(ticket)
    session.flush()
    first = _mail(f"sample-1@{DOMAIN}", SUBJECT, FIRST_MAIL, opened)
    session.add(first)
    session.flush()
    desk = policy.desk.address
    for message in (
        _message(ticket, "in", email, name, first.message_id, FIRST_MAIL, opened, first.id),
        _message(ticket, "out", desk, policy.desk.name, f"mailgate.sample-2@{_domain(policy)}",
                 "(the acknowledgement)", opened + timedelta(seconds=2), automated=True),
        _message(ticket, "in", email, name, f"sample-3@{DOMAIN}", CUSTOMER_REPLY,
                 now - timedelta(hours=1)),
    ):
        session.add(message)
    ticket.last_customer_message_id = f"sample-3@{DOMAIN}"
    session.flush()
    return ticket


def add_scene(
    session: Session, policy: DeskPolicy, ticket: Ticket, now: datetime, *, bounce: bool = False
) -> Scene:
    """Give `ticket` (sample or copied) what its kind's event can name: an assignee, a held
    request of someone else's, and with `bounce` a technician's answer and the report that
    brought it back (only then: they would show in the thread's References)."""
    assert ticket.id is not None
    assignee_added = ""
    if not ticket.assignee:
        ticket.assignee = assignee_added = sample_technician(policy)
    messages = list(session.exec(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
        .order_by(TicketMessage.id)  # type: ignore[arg-type]
    ).all())
    customer = [m for m in messages if m.direction == "in" and not m.automated]
    returned = bounced = None
    if bounce:
        returned, bounced = _bounce(session, policy, ticket, messages, now)
    pending = _pending(session, policy, now)
    session.flush()
    assert pending.id is not None
    return Scene(
        ticket_id=ticket.id,
        customer_message_id=(customer[-1].id or 0) if customer else 0,
        returned_id=(returned.id or 0) if returned else 0,
        bounce_id=(bounced.id or 0) if bounced else 0,
        pending_id=pending.id,
        assignee_added=assignee_added,
    )


def _bounce(
    session: Session, policy: DeskPolicy, ticket: Ticket, messages: list[TicketMessage],
    now: datetime,
) -> tuple[TicketMessage, TicketMessage]:
    """The ticket's latest answer by a technician (a sample one if it has none), and a
    mail system's report that it could not be delivered."""
    requester = session.get(Contact, ticket.requester_id)
    address = requester.email if requester else REQUESTER[1]
    domain = address.rpartition("@")[2]
    answers = [m for m in messages if m.direction == "out" and not m.automated]
    returned = answers[-1] if answers else _message(
        ticket, "out", policy.desk.address, policy.desk.name,
        f"mailgate.sample-4@{_domain(policy)}", TECHNICIAN_ANSWER, now - timedelta(minutes=30),
        to=[address])
    report = _message(
        ticket, "in", f"MAILER-DAEMON@mx.{domain}", "Mail Delivery System",
        f"sample-5@mx.{domain}",
        f"<{address}>: host mx.{domain} said: 550 5.1.1 <{address}>: Recipient address "
        "rejected: User unknown in virtual mailbox table",
        now - timedelta(minutes=29), automated=True, subject="Undelivered Mail Returned to Sender")
    session.add_all([returned, report])
    session.flush()
    return returned, report


def sample_technician(policy: DeskPolicy) -> str:
    """The first technician of the rota, else of the staff, else one made up."""
    if policy.technicians:
        return policy.technicians[0].address
    if policy.desk.staff:
        return policy.desk.staff[0]
    return f"alex.morgan@{_domain(policy)}"


def _pending(session: Session, policy: DeskPolicy, now: datetime) -> PendingRequest:
    asked = now - timedelta(hours=1)
    body = "Hi, my laptop will not start since this morning. Jo"
    mail = _mail("sample-6@example.net", "Laptop will not start", body, asked)
    session.add(mail)
    session.flush()
    assert mail.id is not None
    pending = PendingRequest(
        inbound_id=mail.id, email="jo.bloggs@example.net", missing=["company", "phone"],
        supplied={"name": "Jo Bloggs"}, subject="Laptop will not start",
        message_id=f"mailgate.sample-7@{_domain(policy)}", created_at=asked,
        expires_at=asked + timedelta(hours=policy.intake.pending_expiry_hours),
    )
    session.add(pending)
    return pending


def _mail(message_id: str, subject: str, body: str, at: datetime) -> InboundMessage:
    raw = (f"From: someone@{DOMAIN}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n"
           f"\r\n{body}").encode()
    return InboundMessage(received_at=at, source="smtp", message_id=message_id,
                          dedup_key=message_id[:64], sha256=hashlib.sha256(raw).hexdigest(),
                          size=len(raw), state="processed", raw=raw)


def _message(
    ticket: Ticket, direction: str, from_addr: str, from_name: str, message_id: str,
    body: str, at: datetime, inbound_id: int | None = None, *, automated: bool = False,
    to: list[str] | None = None, subject: str = "",
) -> TicketMessage:
    assert ticket.id is not None
    return TicketMessage(
        ticket_id=ticket.id, direction=direction, message_id=message_id, inbound_id=inbound_id,
        from_addr=from_addr, from_name=from_name, to=to or [], subject=subject or ticket.subject,
        body=body, full_body=body, automated=automated, created_at=at,
    )


def _domain(policy: DeskPolicy) -> str:
    return policy.desk.address.rpartition("@")[2] or "localhost"
