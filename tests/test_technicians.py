"""Issue 4: technicians work tickets from their own mail client: replies and commands."""

from __future__ import annotations

import base64
import email
import email.policy
import re
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from tests.mail import mail
from tests.support.harness import DESK, STAFF, Harness, wait_until
from tests.support.sink import Received
from tests.support.threads import CUSTOMER, address_of, mails_of, open_ticket, wait_mail
from tickets.commands import CommandContext, run_command
from tickets.models import Outbox, Ticket, TicketMessage
from tickets.signing import read_reply_address

SUBJECT = "[INC0000001] Printer in room 12 is jammed"
# what our border MTA writes on mail it authenticated (RFC 8601); trusted in `trust_mx`
AUTH_PASS = (
    "mx.desk.example; dkim=pass header.d=desk.example header.s=s1; "
    "spf=pass smtp.mailfrom=tech@desk.example; dmarc=pass header.from=desk.example"
)


def trust_mx(harness: Harness) -> None:
    text = harness.config_path.read_text()
    harness.config_path.write_text(
        text.replace("staff = [", 'trusted_authserv_ids = ["mx.desk.example"]\nstaff = [', 1)
    )


def tech_mail(body: str, *, to: str = DESK, message_id: str, auth: str = AUTH_PASS,
              in_reply_to: str = "", extra_top: str = "") -> bytes:
    raw = mail(
        subject=f"RE: {SUBJECT}",
        sender=f"Tom Tech <{STAFF}>",
        to=to,
        body=body,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=in_reply_to,
        headers={"Authentication-Results": auth} if auth else {},
    )
    return extra_top.encode() + raw


def customer_replies(harness: Harness, count: int, body: str, message_id: str) -> None:
    harness.send(
        mail(subject=f"Re: {SUBJECT}", body=body, message_id=message_id), mail_from=CUSTOMER
    )
    harness.wait_processed(count)


def ticket(harness: Harness) -> dict:
    return harness.ticket_json("INC0000001")


def test_technician_answers_from_outlook_with_commands(harness: Harness) -> None:
    trust_mx(harness)
    with harness.daemon():
        ack = open_ticket(harness)
        # an authenticated technician takes the ticket
        harness.send(tech_mail("#assign me\n", message_id="<assign@desk.example>"),
                     mail_from=STAFF)
        harness.wait_processed(2)
        assert ticket(harness)["assignee"] == STAFF
        photo = email.message_from_bytes(
            mail(subject=f"Re: {SUBJECT}", body="It is a HP LaserJet 4250, tray 2.\n",
                 message_id="<jane-2@school.example>"), policy=email.policy.default)
        assert isinstance(photo, EmailMessage)
        photo.add_attachment(b"\xff\xd8\xff\xe0 not really a jpeg", maintype="image",
                             subtype="jpeg", filename="tray2.jpg")
        harness.send(photo.as_bytes(), mail_from=CUSTOMER)
        harness.wait_processed(3)
        [notice] = wait_mail(harness, "customer_reply", to=STAFF)
        assert "tray2.jpg" in notice.text() and "tray2.jpg" in notice.html()
        staff_address = address_of(notice.header("Reply-To"))
        assert "It is a HP LaserJet 4250, tray 2." in notice.text()
        assert "#status" in notice.text()  # the notice lists the commands
        signed = read_reply_address(harness.config, staff_address)
        assert signed is not None and signed.role == "staff"
        assert staff_address != address_of(ack.header("Reply-To"))
        # the technician answers the notice from Outlook, commands at the top, quote below
        body = (
            "#status actively_working_on\r\n#priority high\r\n\r\n"
            "Hello Jane, I have ordered a new fuser; it arrives tomorrow.\r\n\r\n"
            "________________________________\r\n"
            f"From: Example IT Desk <{staff_address}>\r\n"
            "Sent: Monday, November 23, 2026 9:30 AM\r\n"
            f"Subject: {SUBJECT}\r\n\r\n{notice.text()}"
        )
        harness.send(
            tech_mail(body, to=staff_address, message_id="<tom-1@desk.example>", auth="",
                      in_reply_to=notice.header("Message-ID")),
            mail_from=STAFF, to=[staff_address],
        )
        harness.wait_processed(4)
        [answer] = wait_mail(harness, "technician_reply", to=CUSTOMER)
    assert answer.rcpt_tos == [CUSTOMER]
    assert answer.mail_from == DESK  # a person's reply: not the null sender of automatic mail
    text = answer.text()
    assert "I have ordered a new fuser; it arrives tomorrow." in text
    assert "#status" not in text and "#priority" not in text and "Sent:" not in text
    assert answer.header("Auto-Submitted") == "no"
    assert DESK in answer.header("From")
    # threading in Gmail, Outlook and Thunderbird
    assert answer.header("Subject") == SUBJECT
    assert answer.header("In-Reply-To") == "<jane-2@school.example>"
    references = answer.header("References").split()
    assert references[0] == "<first@school.example>"
    assert references.index(ack.header("Message-ID")) < references.index("<jane-2@school.example>")
    assert references[-1] == "<jane-2@school.example>"
    assert notice.header("Message-ID") not in references  # staff mail stays out of the thread
    assert re.fullmatch(r"<mailgate\.[0-9a-f]{24}@desk\.example>", answer.header("Message-ID"))
    # Outlook: one conversation (the same 22-byte header block), the ticket's subject as topic
    ours, first = (base64.b64decode(m.header("Thread-Index")) for m in (answer, ack))
    assert ours[:22] == first[:22] and len(ours) == 27
    assert answer.header("Thread-Topic") == "Printer in room 12 is jammed"
    customer_address = read_reply_address(harness.config, address_of(answer.header("Reply-To")))
    assert customer_address is not None and customer_address.role == "customer"
    data = ticket(harness)
    assert (data["status"], data["priority"]) == ("actively_working_on", "high")
    assert data["sla"]["responded_at"] is not None
    assert any(h["kind"] == "responded" for h in data["history"])
    assert mails_of(harness, "command_result") == []  # everything applied: nothing to report


def test_unknown_and_refused_commands_are_answered_and_the_rest_applies(
    harness: Harness,
) -> None:
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        body = ("#frobnicate now\n#priority critical\n#assign someone@elsewhere.example\n"
                "#wait customer\n\nCould you tell me the printer's model?\n")
        harness.send(tech_mail(body, message_id="<tom-2@desk.example>"), mail_from=STAFF)
        harness.wait_processed(2)
        [report] = wait_mail(harness, "command_result", to=STAFF)
        [answer] = wait_mail(harness, "technician_reply", to=CUSTOMER)
    text = report.text()
    assert "#frobnicate now" in text and "unknown command" in text
    assert "#priority critical" in text and "unknown priority 'critical'" in text
    assert "someone@elsewhere.example is not a member of staff" in text
    assert "#wait customer" in text and "Waiting on Customer" in text
    assert "Could you tell me the printer's model?" in answer.text()
    data = ticket(harness)
    assert data["status"] == "waiting_on_customer"
    assert data["priority"] == "medium"


def test_internal_note_sends_nothing_but_applies_commands(harness: Harness) -> None:
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        harness.send(tech_mail("#internal\n#resolve\n\nToner swapped, user not told yet.\n",
                               message_id="<tom-3@desk.example>"), mail_from=STAFF)
        harness.wait_processed(2)
        wait_until(lambda: ticket(harness)["status"] == "resolved", what="resolved")
    assert mails_of(harness, "technician_reply") == []
    [note] = [m for m in ticket(harness)["messages"] if m["from"] == STAFF]
    assert note["internal"] is True and note["verified"] is True
    assert note["body"] == "Toner swapped, user not told yet."


def test_due_date_waits_for_that_day(harness: Harness) -> None:
    trust_mx(harness)
    day = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    with harness.daemon():
        open_ticket(harness)
        harness.send(tech_mail(f"#due {day}\n", message_id="<tom-4@desk.example>"),
                     mail_from=STAFF)
        harness.wait_processed(2)
    data = ticket(harness)
    assert data["status"] == "awaiting_action_on_date"
    assert any(h["kind"] == "due" and day in h["detail"] for h in data["history"])


def test_forged_technician_reply_applies_nothing(harness: Harness) -> None:
    """From says tech@, but our MTA's own Authentication-Results (the topmost) says it failed;
    the 'pass' below it was written by the forger."""
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        ours = ("Authentication-Results: mx.desk.example; dkim=none; "
                "spf=fail smtp.mailfrom=desk.example; dmarc=fail header.from=desk.example\r\n")
        raw = tech_mail("#close\n#priority low\n\nClosing this, nothing to do.\n",
                        message_id="<forged@evil.example>", extra_top=ours)
        harness.send(raw, mail_from="attacker@evil.example")
        harness.wait_processed(2)
        [told] = wait_mail(harness, "command_result", to=STAFF)
    data = ticket(harness)
    assert (data["status"], data["priority"]) == ("open", "medium")
    [note] = [m for m in data["messages"] if m["from"] == STAFF]
    assert note["internal"] is True and note["verified"] is False
    assert any(h["kind"] == "unverified" for h in data["history"])
    assert mails_of(harness, "technician_reply") == []
    assert "could not be verified" in told.text()


def test_customer_signed_address_does_not_make_a_technician(harness: Harness) -> None:
    """A customer's Reply-To is signed in another domain: replaying it as staff gets nothing."""
    with harness.daemon():
        ack = open_ticket(harness)
        customer_address = address_of(ack.header("Reply-To"))
        raw = tech_mail("#resolve\n\nDone.\n", to=customer_address, auth="",
                        message_id="<replayed@evil.example>")
        harness.send(raw, mail_from="attacker@evil.example", to=[customer_address])
        harness.wait_processed(2)
    data = ticket(harness)
    assert data["status"] == "open"
    assert [m["verified"] for m in data["messages"] if m["from"] == STAFF] == [False]


def test_confidential_ticket_reply_all(harness: Harness) -> None:
    trust_mx(harness)
    # Bob is also Jane's colleague at Example School; confidential beats that too
    text = harness.config_path.read_text()
    harness.config_path.write_text(
        text.replace("staff = [", "company_colleagues_may_reply = true\nstaff = [", 1)
    )
    with harness.daemon():
        open_ticket(harness, cc="Bob Head <head@school.example>",
                    subject="Concern about a pupil's account")
        harness.send(tech_mail("#confidential\n\nThank you, we are looking into it.\n",
                               message_id="<tom-5@desk.example>"), mail_from=STAFF)
        harness.wait_processed(2)
        [answer] = wait_mail(harness, "technician_reply", to=CUSTOMER)
        assert answer.rcpt_tos == [CUSTOMER]  # not Bob, who was on Cc of the first mail
        assert "head@school.example" not in answer.header("Cc")
        # Bob answers all: confidential tickets take only the requester and staff
        harness.send(mail(subject=f"Re: {answer.header('Subject')}",
                          sender="Bob Head <head@school.example>", cc=CUSTOMER,
                          in_reply_to=answer.header("Message-ID"), body="What happened?\n",
                          message_id="<bob-1@school.example>"),
                     mail_from="head@school.example")
        harness.wait_processed(3)
        # Jane answers all, copying Bob in again: her reply counts, Bob still sees nothing
        harness.send(mail(subject=f"Re: {answer.header('Subject')}", cc="head@school.example",
                          in_reply_to=answer.header("Message-ID"), body="Thanks.\n",
                          message_id="<jane-3@school.example>"), mail_from=CUSTOMER)
        harness.wait_processed(4)
        harness.send(tech_mail("An update for you only.\n", message_id="<tom-6@desk.example>"),
                     mail_from=STAFF)
        harness.wait_processed(5)
        answers = wait_mail(harness, "technician_reply", 2, to=CUSTOMER)
    assert all(a.rcpt_tos == [CUSTOMER] for a in answers)
    assert [t.reference for t in harness.tickets()] == ["INC0000001", "INC0000002"]
    bobs = harness.ticket_json("INC0000002")
    assert bobs["requester"]["email"] == "head@school.example"
    assert bobs["related"] == ["INC0000001"]
    data = ticket(harness)
    assert data["confidential"] is True
    assert [m["body"] for m in data["messages"] if m["from"] == CUSTOMER][-1] == "Thanks."
    assert not any(m["from"] == "head@school.example" for m in data["messages"])


def test_technicians_out_of_office_is_not_sent_to_the_customer(harness: Harness) -> None:
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        raw = mail(subject=f"Automatic reply: {SUBJECT}", sender=f"Tom Tech <{STAFF}>",
                   headers={"Auto-Submitted": "auto-replied",
                            "Authentication-Results": AUTH_PASS},
                   body="I am on leave until Monday.\n", message_id="<oof@desk.example>")
        harness.send(raw, mail_from=STAFF)
        harness.wait_processed(2)
    assert mails_of(harness, "technician_reply") == []
    with harness.session() as session:
        [note] = session.exec(
            select(TicketMessage).where(TicketMessage.from_addr == STAFF)
        ).all()
    assert note.internal and note.automated


def test_commands_as_plain_functions(harness: Harness) -> None:
    """`run_command` is what the mail channel calls; other doors can call it the same way."""
    harness.write_config("[intake]\nhold_incomplete_requests = false\n")
    first = harness.dir / "first.eml"
    first.write_bytes(mail())
    assert harness.cli("ingest", str(first)).code == 0
    now = datetime.now(UTC)
    with harness.session() as session:
        [row] = session.exec(select(Ticket)).all()
        ctx = CommandContext(session, harness.config, row, now, STAFF)
        results = {
            line: run_command(ctx, *line[1:].partition(" ")[::2], line=line)
            for line in (
                "#status Waiting on Customer", "#status nonsense", "#due tomorrow",
                "#due 2020-01-01", "#wait the moon", "#assign me", "#priority Urgent",
                "#confidential", "#bogus", f"#assign {STAFF}<mailto:{STAFF}>",
                f"#assign {STAFF} other@desk.example",
            )
        }
        session.commit()
    refused = {line: r.detail for line, r in results.items() if not r.accepted}
    assert set(refused) == {"#status nonsense", "#due tomorrow", "#due 2020-01-01",
                            "#wait the moon", "#bogus", f"#assign {STAFF} other@desk.example"}
    assert refused[f"#assign {STAFF} other@desk.example"].startswith("one address, please")
    assert "known: open, pending_action" in refused["#status nonsense"]
    assert "is not a date" in refused["#due tomorrow"]
    assert "in the past" in refused["#due 2020-01-01"]
    data = ticket(harness)
    assert (data["status"], data["priority"], data["assignee"], data["confidential"]) == (
        "waiting_on_customer", "urgent", STAFF, True)


def test_reply_all_straight_to_the_customer_is_recorded_not_sent_twice(harness: Harness) -> None:
    """A technician answers the customer's own mail from Outlook with Reply All (To: Jane,
    Cc: the desk): Jane has it already; the ticket keeps it in its public thread."""
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        raw = mail(subject="RE: Printer in room 12 is jammed", sender=f"Tom Tech <{STAFF}>",
                   to="Jane Doe <jane@school.example>", cc=DESK,
                   in_reply_to="<first@school.example>", references="<first@school.example>",
                   message_id="<tom-direct@desk.example>",
                   headers={"Authentication-Results": AUTH_PASS},
                   body="#wait customer\n\nWhich tray is it?\n\n-----Original Message-----\n"
                        "From: Jane Doe\nthe printer in room 12 shows a paper jam.\n")
        harness.send(raw, mail_from=STAFF, to=[DESK])
        harness.wait_processed(2)
        customer_replies(harness, 3, "Tray 2.\n", "<jane-tray@school.example>")
    assert mails_of(harness, "technician_reply") == []
    data = ticket(harness)
    [direct] = [m for m in data["messages"] if m["from"] == STAFF]
    assert (direct["direction"], direct["internal"], direct["body"]) == (
        "out", False, "Which tray is it?")
    assert data["sla"]["responded_at"] is not None
    # waiting on the customer, who answered: back to work
    assert data["status"] == "open"


def test_technician_answers_do_not_count_as_automatic_replies(harness: Harness) -> None:
    """The loop guard limits automatic mail per sender (RFC 3834); a busy conversation with a
    technician must not cost the customer the acknowledgement of their next request."""
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        for n in range(5):  # [intake] autoreply_limit defaults to 5 an hour
            harness.send(tech_mail(f"Answer number {n}.\n", message_id=f"<tom-n{n}@desk.example>"),
                         mail_from=STAFF)
        harness.wait_processed(6)
        wait_mail(harness, "technician_reply", 5, to=CUSTOMER)
        open_ticket(harness, count=2, subject="Projector in room 3",
                    message_id="<projector@school.example>")
    assert [t.reference for t in harness.tickets()] == ["INC0000001", "INC0000002"]


def test_staff_member_on_their_own_ticket_is_its_requester(harness: Harness) -> None:
    """A technician who raised a ticket (their own laptop) replies on it as its requester."""
    with harness.daemon():
        harness.send(mail(subject="My laptop will not boot", sender=f"Tom Tech <{STAFF}>",
                          message_id="<laptop@desk.example>"), mail_from=STAFF)
        harness.wait_processed(1)
        harness.send(mail(subject="Re: [INC0000001] My laptop will not boot",
                          sender=f"Tom Tech <{STAFF}>", body="It shows a blue screen now.\n",
                          message_id="<laptop-2@desk.example>"), mail_from=STAFF)
        harness.wait_processed(2)
    assert "decide: follow-up on INC0000001" in "; ".join(harness.inbound()[1].decisions)
    assert mails_of(harness, "technician_reply") == []
    [reply] = [m for m in ticket(harness)["messages"] if m["message_id"] == "laptop-2@desk.example"]
    assert (reply["body"], reply["internal"]) == ("It shows a blue screen now.", False)


def test_files_the_technician_attaches_reach_the_customer(harness: Harness) -> None:
    trust_mx(harness)
    pdf = b"%PDF-1.4\n% a short guide\n" + bytes(range(256)) * 20
    with harness.daemon():
        open_ticket(harness)
        message = email.message_from_bytes(
            tech_mail("Please follow the attached guide.\n", message_id="<tom-pdf@desk.example>"),
            policy=email.policy.default,
        )
        assert isinstance(message, EmailMessage)
        message.add_attachment(pdf, maintype="application", subtype="pdf",
                               filename="Druckeranleitung für Raum 12.pdf")
        harness.send(message.as_bytes(), mail_from=STAFF)
        harness.wait_processed(2)
        [answer] = wait_mail(harness, "technician_reply", to=CUSTOMER)
    received = answer.message
    assert received.get_content_type() == "multipart/mixed"
    [attached] = list(received.iter_attachments())
    assert attached.get_filename() == "Druckeranleitung für Raum 12.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == pdf
    assert "Please follow the attached guide." in answer.text()


def test_command_results_keep_to_the_automatic_reply_limit(harness: Harness) -> None:
    """Each unverified staff mail is answered, but no more than `[intake] autoreply_limit`
    an hour: a forger (or a loop with another robot) must not get an answer per mail."""
    harness.write_config("\n[intake]\nautoreply_limit = 2\n")
    with harness.daemon():
        open_ticket(harness)
        for n in range(4):
            harness.send(tech_mail("#close\n", auth="", message_id=f"<forged-{n}@evil.example>"),
                         mail_from="attacker@evil.example")
        harness.wait_processed(5)
        wait_mail(harness, "command_result", 2, to=STAFF)
    with harness.session() as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "command_result")).all()
    assert len(rows) == 2
    assert "more than 2 automatic mails" in "; ".join(harness.inbound()[4].decisions)
    assert ticket(harness)["status"] == "open"


def test_the_requester_is_told_when_the_ticket_is_resolved(harness: Harness) -> None:
    """Resolving starts the reopen window (Lourdes: 'You will get an email to confirm all is
    fixed after 72 hours'): the requester hears of it once, whichever door resolved it."""
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        # by mail command alone: a notice of its own
        harness.send(tech_mail("#priority high\n#resolve\n", message_id="<tom-r1@desk.example>"),
                     mail_from=STAFF)
        harness.wait_processed(2)
        [notice] = wait_mail(harness, "resolved", to=CUSTOMER)
        customer_replies(harness, 3, "Still jammed, sorry.\n", "<jane-r1@school.example>")
        assert ticket(harness)["status"] == "open"  # reopened
        # at the command line
        resolved = harness.cli("tickets", "update", "INC0000001", "--status", "resolved",
                               "--as", STAFF)
        assert resolved.code == 0, resolved.err
        wait_mail(harness, "resolved", 2, to=CUSTOMER)
        customer_replies(harness, 4, "No, still jammed.\n", "<jane-r2@school.example>")
        # with an answer: the answer says it is resolved, no second mail
        harness.send(tech_mail("#resolve\n\nI replaced the pickup roller; it prints again.\n",
                               message_id="<tom-r2@desk.example>"), mail_from=STAFF)
        harness.wait_processed(5)
        [answer] = wait_mail(harness, "technician_reply", to=CUSTOMER)
    assert notice.rcpt_tos == [CUSTOMER]
    assert notice.header("Subject") == "[INC0000001] Printer in room 12 is jammed"
    for text in (" ".join(notice.text().split()), " ".join(notice.html().split())):
        assert "has been resolved" in text and "reply to this email within 72h to reopen" in text
    assert notice.header("Auto-Submitted") == "auto-generated"
    assert "pickup roller" in answer.text()
    assert "INC0000001 is now resolved" in answer.text() and "to reopen it" in answer.html()
    assert ticket(harness)["status"] == "resolved"
    with harness.session() as session:
        kinds = [r.kind for r in session.exec(select(Outbox).order_by(Outbox.id)).all()]
    # no mail for the priority change nor for the reopenings
    assert kinds == ["acknowledgement", "resolved", "resolved", "technician_reply"]


def test_tickets_update_follows_the_mail_commands_rules(harness: Harness) -> None:
    """`tickets update` runs the same commands as a technician's mail: the same refusals (one
    line, exit 64, nothing changed) and the same effects."""
    past = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    day = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    with harness.daemon():
        open_ticket(harness)

    def update(*args: str) -> tuple[int, str, dict]:
        result = harness.cli("tickets", "update", "INC0000001", "--as", STAFF, "--json", *args)
        return result.code, result.err.strip(), result.json() if result.code == 0 else {}

    code, err, _ = update("--assign", STAFF, "--due", past)
    assert code == 64 and "is in the past" in err and "\n" not in err
    data = ticket(harness)
    assert data["assignee"] == "" and not any(h["kind"] == "due" for h in data["history"])
    code, _, shown = update("--priority", "Medium", "--due", day)
    assert code == 0 and shown["status"] == "awaiting_action_on_date"
    # a date alone is the start of that day in the desk's time zone (23:00 UTC the day before
    # in summer)
    due = datetime.fromisoformat(shown["due_date"]).astimezone(ZoneInfo("Europe/London"))
    assert due.date().isoformat() == day and due.time() == time(0)
    assert not any(h["kind"] == "priority" for h in ticket(harness)["history"])
    assert update("--assign", STAFF)[2]["assignee"] == STAFF
    assert update("--assign", "none")[2]["assignee"] == ""
    code, err, _ = update("--status", "nonsense")
    assert code == 64 and err.count("\n") == 0 and "unknown status 'nonsense'" in err


OUTLOOK_HTML = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal'
    "{{margin:0cm}}</style></head><body lang=EN-GB><div class=WordSection1>{lines}"
    "<div><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>"
    "<p class=MsoNormal><b>From:</b> Jane Doe &lt;jane@school.example&gt;<br><b>Sent:</b> "
    "25 November 2026 10:05<br><b>To:</b> support@desk.example<br><b>Subject:</b> "
    f"{SUBJECT}<o:p></o:p></p></div></div><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
    "<p class=MsoNormal>the printer in room 12 shows a paper jam.<o:p></o:p></p></div></body>"
    "</html>"
)


def outlook_paragraphs(*lines: str) -> str:
    return "".join(
        f"<p class=MsoNormal>{line or '<o:p>&nbsp;</o:p>'}<o:p></o:p></p>" for line in lines
    )


def test_outlook_html_only_reply_with_commands_in_the_first_lines(harness: Harness) -> None:
    """Outlook sends HTML alone, one <p> per line and a header block above the quote."""
    trust_mx(harness)
    html = OUTLOOK_HTML.format(lines=outlook_paragraphs(
        "#priority high", "#wait customer",
        # Outlook makes a typed address a link: '[tech@…](mailto:tech@…)' once made text
        f'#assign <a href="mailto:{STAFF}">{STAFF}</a>',
        "", "Hi Jane, is it tray 1 or tray 2?", "", "Regards", "Tom",
    ))
    with harness.daemon():
        open_ticket(harness)
        harness.send(mail(subject=f"RE: {SUBJECT}", sender=f"Tom Tech <{STAFF}>", body="",
                          html=html, message_id="<tom-html@desk.example>",
                          headers={"Authentication-Results": AUTH_PASS}), mail_from=STAFF)
        harness.wait_processed(2)
        [answer] = wait_mail(harness, "technician_reply", to=CUSTOMER)
    text = answer.text()
    assert "Hi Jane, is it tray 1 or tray 2?" in text
    assert "#" not in text and "From:" not in text and "paper jam" not in text
    data = ticket(harness)
    assert (data["status"], data["priority"], data["assignee"]) == (
        "waiting_on_customer", "high", STAFF)
    assert mails_of(harness, "command_result") == []  # nothing refused


def test_commands_below_a_greeting_line_apply_and_never_reach_the_customer(
    harness: Harness,
) -> None:
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        # habit: a greeting first, then the commands
        harness.send(tech_mail("Hi Jane,\n#resolve\n\nThe fuser was replaced; it prints again.\n",
                               message_id="<tom-g1@desk.example>"), mail_from=STAFF)
        harness.wait_processed(2)
        [answer] = wait_mail(harness, "technician_reply", to=CUSTOMER)
        assert ticket(harness)["status"] == "resolved"
        # an internal note below a greeting to colleagues stays internal
        harness.send(tech_mail("Hi team,\n#internal\nShe ignores the toner warnings.\n",
                               message_id="<tom-g2@desk.example>"), mail_from=STAFF)
        harness.wait_processed(3)
    text = answer.text().replace("\r\n", "\n")
    assert text.startswith("Hi Jane,\n\nThe fuser was replaced; it prints again.")
    assert "#resolve" not in text
    assert len(mails_of(harness, "technician_reply")) == 1  # the note went to nobody
    [note] = [m for m in ticket(harness)["messages"] if m["message_id"] == "tom-g2@desk.example"]
    assert note["internal"] is True and "toner warnings" in note["body"]
    assert not any("toner warnings" in m.text() for m in harness.sink.to(CUSTOMER))


QUOTES = {
    "Gmail": f"On Mon, 23 Nov 2026 at 09:00, Jane Doe <{CUSTOMER}> wrote:\n"
             "> The printer in room 12 is jammed.\n",
    "Outlook": f"________________________________\nFrom: Jane Doe <{CUSTOMER}>\n"
               "Sent: Monday, November 23, 2026 9:00 AM\nTo: IT Desk\n"
               f"Subject: {SUBJECT}\n\nThe printer in room 12 is jammed.\n",
    "Original Message": f"-----Original Message-----\nFrom: Jane Doe <{CUSTOMER}>\n"
                        "Sent: 23 November 2026 09:00\n\nThe printer in room 12 is jammed.\n",
}


@pytest.mark.parametrize("client", list(QUOTES))
def test_a_greeting_over_commands_and_a_quote_alone_sends_nothing(
    harness: Harness, client: str
) -> None:
    """"Hi Jane," then #resolve then only the quoted history: the customer is not mailed a
    bare greeting (nor their own words back), and no first response is recorded for it."""
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        body = f"Hi Jane,\n#resolve\n\n{QUOTES[client]}"
        harness.send(tech_mail(body, message_id="<tom-q1@desk.example>"), mail_from=STAFF)
        harness.wait_processed(2)
        # no answer to carry the news: the resolved notice of its own goes out instead
        wait_mail(harness, "resolved", to=CUSTOMER)
    with harness.session() as session:
        kinds = [r.kind for r in session.exec(select(Outbox).order_by(Outbox.id)).all()]
    assert kinds == ["acknowledgement", "resolved"]
    data = ticket(harness)
    assert data["status"] == "resolved"
    assert data["sla"]["responded_at"] is None
    [kept] = [m for m in data["messages"] if m["message_id"] == "tom-q1@desk.example"]
    assert kept["internal"] is True


def test_a_command_below_the_text_is_not_applied_and_the_mail_not_sent(
    harness: Harness,
) -> None:
    """Commands count only at the top. One further down is not applied, and since the mail
    was evidently not written for the customer as it stands, it is not sent either: the
    technician is told both."""
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        harness.send(tech_mail("#priority high\n\nCalled the supplier, no stock until Friday.\n"
                               "#internal\n", message_id="<tom-s1@desk.example>"),
                     mail_from=STAFF)
        harness.wait_processed(2)
        [report] = wait_mail(harness, "command_result", to=STAFF)
    assert mails_of(harness, "technician_reply") == []
    data = ticket(harness)
    assert data["priority"] == "high"  # the command at the top applied
    [kept] = [m for m in data["messages"] if m["message_id"] == "tom-s1@desk.example"]
    assert kept["internal"] is True and "no stock until Friday" in kept["body"]
    assert data["sla"]["responded_at"] is None  # nothing public: no first response
    text = " ".join(report.text().split())
    assert "NOT sent to the customer" in text
    assert "#internal NOT APPLIED: commands count only at the top of the mail" in text
    assert "#priority high done" in text
    assert "not sent to the customer" in " ".join(report.html().split())


def test_technician_answering_a_closed_ticket(harness: Harness) -> None:
    """A technician may still answer on a Closed ticket: the customer gets it, the ticket
    stays Closed (a '#status' line would reopen it), and the customer's answer to it opens a
    new ticket linked to the old one, as any reply to a closed ticket does."""
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        closed = harness.cli("tickets", "update", "INC0000001", "--status", "closed",
                             "--as", STAFF)
        assert closed.code == 0, closed.err
        harness.send(tech_mail("For the record: the new fuser is under warranty until 2028.\n",
                               message_id="<tom-closed@desk.example>"), mail_from=STAFF)
        harness.wait_processed(2)
        [answer] = wait_mail(harness, "technician_reply", to=CUSTOMER)
        assert ticket(harness)["status"] == "closed"
        harness.send(mail(subject=f"Re: {answer.header('Subject')}",
                          in_reply_to=answer.header("Message-ID"),
                          body="Thanks. Could you look at the scanner too?\n",
                          message_id="<jane-after@school.example>"), mail_from=CUSTOMER)
        harness.wait_processed(3)
        [told] = wait_mail(harness, "linked_ticket", to=CUSTOMER)
    assert "warranty until 2028" in answer.text()
    assert ticket(harness)["status"] == "closed"
    assert harness.ticket_json("INC0000002")["related"] == ["INC0000001"]
    assert "INC0000001" in told.text() and "INC0000002" in told.text()


def _bounce_of(returned: Received, recipient: str, *, action: str = "failed",
               report_type: str = "delivery-status") -> bytes:
    """A Postfix delivery status notification (RFC 3464) returning the header of `returned`;
    or, with `report_type="disposition-notification"`, a read receipt (RFC 8098)."""
    header = returned.raw.partition(b"\r\n\r\n")[0].decode()
    fields = (
        f"Reporting-MTA: dns; mx.school.example\n\nFinal-Recipient: rfc822; {recipient}\n"
        f"Action: {action}\nStatus: 5.1.1\n"
        if report_type == "delivery-status"
        else f"Final-Recipient: rfc822; {recipient}\nDisposition: manual-action/MDN-sent-"
        "manually; displayed\n"
    )
    return (
        "From: MAILER-DAEMON@mx.school.example (Mail Delivery System)\n"
        f"To: {DESK}\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <bounce-1@mx.school.example>\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type={report_type}; boundary="B1"\n\n'
        "--B1\nContent-Type: text/plain; charset=us-ascii\n\n"
        "This is the mail system at host mx.school.example.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n\n"
        f"<{recipient}>: host mx.school.example said: 550 5.1.1 User unknown\n\n"
        f"--B1\nContent-Type: message/{report_type}\n\n{fields}\n"
        f"--B1\nContent-Type: text/rfc822-headers\n\n{header}\n\n--B1--\n"
    ).encode()


def test_a_bounce_of_a_technicians_answer_reaches_the_technician(harness: Harness) -> None:
    """The customer's address is wrong: the answer bounces. The ticket records it, its status
    stays, the technician who wrote it is told, and the mail system gets no answer."""
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        harness.send(tech_mail("#wait customer\n\nWhich tray is jammed?\n",
                               message_id="<tom-b1@desk.example>"), mail_from=STAFF)
        harness.wait_processed(2)
        [answer] = wait_mail(harness, "technician_reply", to=CUSTOMER)
        before = ticket(harness)["status"]
        harness.send(_bounce_of(answer, CUSTOMER), mail_from="")
        harness.wait_processed(3)
        [notice] = wait_mail(harness, "delivery_failed", to=STAFF)
    data = ticket(harness)
    assert data["status"] == before == "waiting_on_customer"
    [bounce] = [h for h in data["history"] if h["kind"] == "bounce"]
    assert CUSTOMER in bounce["detail"] and answer.header("Message-ID").strip("<>") in bounce[
        "detail"]
    kept = [m for m in data["messages"] if m["message_id"] == "bounce-1@mx.school.example"]
    assert kept and "User unknown" in kept[0]["body"]
    text = " ".join(notice.text().split())
    assert f"could not be delivered to {CUSTOMER}" in text
    assert "550 5.1.1 User unknown" in text and f"Subject: {answer.header('Subject')}" in text
    assert notice.rcpt_tos == [STAFF] and notice.header("Auto-Submitted") == "auto-generated"
    assert not [m for m in harness.sink.messages if "mx.school.example" in " ".join(m.rcpt_tos)]


@pytest.mark.parametrize(
    ("report_type", "action"),
    [("disposition-notification", ""), ("delivery-status", "delayed")],
)
def test_a_read_receipt_or_a_delay_notice_is_no_bounce(
    harness: Harness, report_type: str, action: str
) -> None:
    """A read receipt says the answer arrived; a delay notice that it may still: neither is
    recorded as a failed delivery, and no technician is alarmed."""
    trust_mx(harness)
    with harness.daemon():
        open_ticket(harness)
        harness.send(tech_mail("Which tray is jammed?\n", message_id="<tom-b2@desk.example>"),
                     mail_from=STAFF)
        harness.wait_processed(2)
        [answer] = wait_mail(harness, "technician_reply", to=CUSTOMER)
        harness.send(_bounce_of(answer, CUSTOMER, action=action, report_type=report_type),
                     mail_from="")
        harness.wait_processed(3)
    data = ticket(harness)
    assert not [h for h in data["history"] if h["kind"] == "bounce"]
    with harness.session() as session:
        kinds = [r.kind for r in session.exec(select(Outbox).order_by(Outbox.id)).all()]
    assert kinds == ["acknowledgement", "technician_reply"]
