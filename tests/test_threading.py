"""Issue 4: customer replies land on the right ticket, whatever their mail client does."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.conftest import CORPUS
from tests.mail import mail
from tests.support.harness import DESK, STAFF, Harness, wait_until
from tests.support.threads import CUSTOMER, address_of, mails_of, open_ticket, wait_mail
from tickets.models import Ticket, TicketMessage
from tickets.signing import read_reply_address

SIGNED = re.compile(r"support\+INC0000001-[a-z2-7]{16}@desk\.example")


def inbound_decisions(harness: Harness, index: int) -> str:
    return "; ".join(harness.inbound()[index].decisions)


def messages(harness: Harness, reference: str = "INC0000001", *, full: bool = False) -> list[dict]:
    args = ["tickets", "show", reference, "--json", *(["--full"] if full else [])]
    return [m for m in harness.cli(*args).json()["messages"] if m["direction"] == "in"]


def set_status(harness: Harness, status: str, *, ago: timedelta = timedelta(0)) -> None:
    """Put INC0000001 in `status` as if it had been set `ago` (the clock is real in the daemon)."""
    with harness.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == "INC0000001")).one()
        when = ticket.created_at - ago
        ticket.status, ticket.status_changed_at = status, when
        if status == "resolved":
            ticket.resolved_at = when
        if status == "closed":
            ticket.closed_at = when
        session.commit()


def test_acknowledgement_carries_a_signed_reply_address_and_threads(harness: Harness) -> None:
    with harness.daemon():
        ack = open_ticket(harness)
    reply_to = address_of(ack.header("Reply-To"))
    assert SIGNED.fullmatch(reply_to)
    assert ack.header("Subject") == "[INC0000001] Printer in room 12 is jammed"
    assert ack.header("In-Reply-To") == "<first@school.example>"
    assert ack.header("References") == "<first@school.example>"
    assert re.fullmatch(r"<mailgate\.[0-9a-f]{24}@desk\.example>", ack.header("Message-ID"))


def test_gmail_reply_through_the_signed_address(harness: Harness) -> None:
    """Gmail: 'On … wrote:' quoting, HTML with a gmail_quote, sent to our Reply-To."""
    with harness.daemon():
        ack = open_ticket(harness)
        reply_to = address_of(ack.header("Reply-To"))
        quoted = "\n".join("> " + line for line in ack.text().splitlines())
        raw = mail(
            subject="Re: [INC0000001] Printer in room 12 is jammed",
            to=f"Example IT Desk <{reply_to}>",
            message_id="<CAGmail-reply-1@mail.gmail.com>",
            in_reply_to=ack.header("Message-ID"),
            references=f"<first@school.example> {ack.header('Message-ID')}",
            body=(
                "It is jammed again, the tray 2 light is blinking.\n\n"
                f"On Mon, 23 Nov 2026 at 09:05, Example IT Desk <{reply_to}> wrote:\n{quoted}\n"
            ),
            html=(
                '<div dir="ltr">It is jammed again, the tray 2 light is blinking.</div><br>'
                '<div class="gmail_quote"><div class="gmail_attr">On Mon, 23 Nov 2026 at 09:05, '
                f"Example IT Desk &lt;{reply_to}&gt; wrote:<br></div>"
                f'<blockquote class="gmail_quote">{ack.html()}</blockquote></div>'
            ),
        )
        harness.send(raw, mail_from=CUSTOMER, to=[reply_to])
        harness.wait_processed(2)
    assert len(harness.tickets()) == 1
    assert "signed customer reply address for INC0000001" in inbound_decisions(harness, 1)
    reply = messages(harness)[1]
    assert reply["body"] == "It is jammed again, the tray 2 light is blinking."
    full = messages(harness, full=True)[1]["body"]
    assert "wrote:" in full and "Thank you for contacting" in full


def test_outlook_reply_without_tag_threads_by_in_reply_to(harness: Harness) -> None:
    """Outlook keeps In-Reply-To but the customer retyped the subject and quotes below a rule."""
    with harness.daemon():
        ack = open_ticket(harness)
        raw = mail(
            subject="RE: printer",
            message_id="<DB9PR01MB1234.eurprd01.prod.outlook.com>",
            in_reply_to=ack.header("Message-ID"),
            headers={
                "Thread-Topic": "printer",
                "Thread-Index": "AQHZ1a2b3c4d5e6f7g8h9i0j==",
                "X-MS-Has-Attach": "",
            },
            body=(
                "Still not working.\r\n\r\n"
                "________________________________\r\n"
                f"From: Example IT Desk <{DESK}>\r\n"
                "Sent: Monday, November 23, 2026 9:05 AM\r\n"
                "To: Jane Doe <jane@school.example>\r\n"
                "Subject: [INC0000001] Printer in room 12 is jammed\r\n\r\n"
                "Hello Jane Doe,\r\n\r\nThank you for contacting Example IT Desk.\r\n"
            ),
        )
        harness.send(raw, mail_from=CUSTOMER)
        harness.wait_processed(2)
    assert len(harness.tickets()) == 1
    assert f"answers message {ack.header('Message-ID')}" in inbound_decisions(harness, 1)
    assert messages(harness)[1]["body"] == "Still not working."


def test_lotus_reply_with_the_tag_under_aw(harness: Harness) -> None:
    """Lotus Notes (as in the corpus' mail007) sends neither In-Reply-To nor References."""
    with harness.daemon():
        open_ticket(harness)
        raw = mail(
            subject="AW:[INC0000001] Printer in room 12 is jammed",
            sender="Jane Doe <jane@school.example>",
            message_id="<OFC125756E.007812A5-ONC1257A1D.005B44FE@school.example>",
            body="Hallo,\n\ndas Papier klemmt wieder.\n\nMfg Jane\n",
        )
        harness.send(raw, mail_from=CUSTOMER)
        harness.wait_processed(2)
    assert len(harness.tickets()) == 1
    assert "subject tag [INC0000001]" in inbound_decisions(harness, 1)


def test_reply_all_from_a_colleague_on_cc(harness: Harness) -> None:
    with harness.daemon():
        open_ticket(harness, cc="Bob Head <head@school.example>")
        assert harness.ticket_json("INC0000001")["cc"] == ["head@school.example"]
        ack = wait_mail(harness, "acknowledgement")[0]
        raw = mail(
            subject="Re: [INC0000001] Printer in room 12 is jammed",
            sender="Bob Head <head@school.example>",
            to=DESK,
            cc="jane@school.example",
            in_reply_to="<first@school.example>",
            references="<first@school.example>",
            body="It is the same printer as last term.\n",
        )
        harness.send(raw, mail_from="head@school.example")
        harness.wait_processed(2)
        assert ack  # the colleague's reply does not need our acknowledgement to thread
    assert len(harness.tickets()) == 1
    assert "head@school.example took part in INC0000001" in inbound_decisions(harness, 1)
    assert messages(harness)[1]["from"] == "head@school.example"


def test_stranger_naming_a_reference_gets_their_own_linked_ticket(harness: Harness) -> None:
    with harness.daemon():
        open_ticket(harness)
        raw = mail(
            subject="Re: [INC0000001] Printer in room 12 is jammed",
            sender="Mallory <mallory@elsewhere.example>",
            body="Please also reset my password.\n",
            message_id="<stranger@elsewhere.example>",
        )
        harness.send(raw, mail_from="mallory@elsewhere.example")
        harness.wait_processed(2)
        [their_ack] = wait_mail(harness, "acknowledgement", to="mallory@elsewhere.example")
    assert [t.reference for t in harness.tickets()] == ["INC0000001", "INC0000002"]
    assert len(messages(harness)) == 1  # nothing was added to Jane's ticket
    theirs = harness.ticket_json("INC0000002")
    assert theirs["requester"]["email"] == "mallory@elsewhere.example"
    assert theirs["related"] == ["INC0000001"]
    assert "may not add to INC0000001" in inbound_decisions(harness, 1)
    assert their_ack.header("Subject").startswith("[INC0000002] ")


def test_tag_for_a_reference_that_does_not_exist_is_a_new_ticket_with_a_note(
    harness: Harness,
) -> None:
    with harness.daemon():
        open_ticket(harness, subject="Re: [INC0000999] projector")
    data = harness.ticket_json("INC0000001")
    assert data["related"] == []
    assert any("INC0000999, which does not exist" in h["detail"] for h in data["history"])


def test_forged_signature_is_ignored(harness: Harness) -> None:
    with harness.daemon():
        open_ticket(harness)
        forged = "support+INC0000001-aaaaaaaaaaaaaaaa@desk.example"
        raw = mail(subject="hello", to=forged, message_id="<forged@elsewhere.example>",
                   sender="Mallory <mallory@elsewhere.example>", body="let me in\n")
        harness.send(raw, mail_from="mallory@elsewhere.example", to=[forged])
        harness.wait_processed(2)
    assert f"ignored {forged.lower()}: its signature is not ours" in inbound_decisions(harness, 1)
    assert len(messages(harness)) == 1  # nothing added to INC0000001
    assert harness.inbound()[1].ticket_id != harness.tickets()[0].id


def test_same_mail_to_two_of_our_addresses_is_one_message(harness: Harness) -> None:
    with harness.daemon():
        ack = open_ticket(harness)
        reply_to = address_of(ack.header("Reply-To"))
        raw = mail(subject="Re: [INC0000001] Printer in room 12 is jammed", to=reply_to,
                   cc=DESK, in_reply_to=ack.header("Message-ID"), body="Thanks!\n",
                   message_id="<twice@school.example>")
        harness.send(raw, mail_from=CUSTOMER, to=[reply_to, DESK])  # one SMTP transaction
        harness.send(raw, mail_from=CUSTOMER, to=[DESK])  # and a second delivery of the copy
        harness.wait_processed(2)
        # a third copy that a relay altered on the way (a footer): the store cannot tell
        altered = raw.rstrip(b"\n") + b"\n\n-- \nScanned by MailGuard\n"
        harness.send(altered, mail_from=CUSTOMER, to=[reply_to])
        harness.wait_processed(3)
    assert len(harness.inbound()) == 3
    assert [m["body"] for m in messages(harness)][1:] == ["Thanks!"]
    assert "already on INC0000001: a second copy" in inbound_decisions(harness, 2)


def test_reply_while_waiting_on_customer_goes_back_to_work(harness: Harness) -> None:
    with harness.daemon():
        open_ticket(harness)
        waiting = harness.cli("tickets", "update", "INC0000001", "--status", "waiting_on_customer")
        assert waiting.code == 0, waiting.err
        assert harness.ticket_json("INC0000001")["sla"]["running"] is False  # the clock paused
        harness.send(mail(subject="Re: [INC0000001] Printer in room 12 is jammed",
                          body="It is a HP LaserJet.\n"), mail_from=CUSTOMER)
        harness.wait_processed(2)
    data = harness.ticket_json("INC0000001")
    assert data["status"] == "open"
    assert any(h["kind"] == "status" and "waiting_on_customer → open" in h["detail"]
               for h in data["history"])
    assert data["sla"]["running"] is True  # and resumed


def test_out_of_office_never_changes_a_status(harness: Harness) -> None:
    with harness.daemon():
        ack = open_ticket(harness)
        set_status(harness, "waiting_on_customer")
        harness.send(
            mail(subject="Automatic reply: [INC0000001] Printer in room 12 is jammed",
                 in_reply_to=ack.header("Message-ID"),
                 headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
                 body="I am out of the office until Monday.\n"),
            mail_from=CUSTOMER,
        )
        harness.wait_processed(2)
    data = harness.ticket_json("INC0000001")
    assert data["status"] == "waiting_on_customer"
    assert messages(harness)[1]["automated"] is True


def test_reply_to_resolved_ticket_inside_the_window_reopens_it(harness: Harness) -> None:
    with harness.daemon():
        open_ticket(harness)
        set_status(harness, "resolved", ago=timedelta(hours=-1))  # resolved an hour after opening
        harness.send(mail(subject="Re: [INC0000001] Printer in room 12 is jammed",
                          body="Sorry, it jammed again.\n"), mail_from=CUSTOMER)
        harness.wait_processed(2)
    data = harness.ticket_json("INC0000001")
    assert data["status"] == "open"
    [reopened] = [h for h in data["history"] if h["kind"] == "reopened"]
    assert "within the reopen window (72h)" in reopened["detail"]
    assert len(harness.tickets()) == 1


def test_reply_to_resolved_ticket_outside_the_window_opens_a_linked_one(
    harness: Harness,
) -> None:
    with harness.daemon():
        open_ticket(harness)
        set_status(harness, "resolved", ago=timedelta(hours=73))
        harness.send(mail(subject="Re: [INC0000001] Printer in room 12 is jammed",
                          body="It jammed again.\n", message_id="<later@school.example>"),
                     mail_from=CUSTOMER)
        harness.wait_processed(2)
        [told] = wait_mail(harness, "linked_ticket")
    assert harness.ticket_json("INC0000001")["status"] == "resolved"
    assert harness.ticket_json("INC0000002")["related"] == ["INC0000001"]
    assert "INC0000001" in told.text() and "INC0000002" in told.text()


def test_reply_to_closed_ticket_opens_a_linked_one_and_names_both(harness: Harness) -> None:
    with harness.daemon():
        open_ticket(harness)
        set_status(harness, "closed")
        harness.send(mail(subject="Re: [INC0000001] Printer in room 12 is jammed",
                          body="The printer is broken again.\n\nOn Mon, 23 Nov 2026 at 09:05, "
                               f"Example IT Desk <{DESK}> wrote:\n> Thank you for contacting\n",
                          message_id="<again@school.example>"), mail_from=CUSTOMER)
        harness.wait_processed(2)
        [told] = wait_mail(harness, "linked_ticket")
    assert harness.ticket_json("INC0000001")["status"] == "closed"
    new = harness.ticket_json("INC0000002")
    assert new["related"] == ["INC0000001"]
    # the old ticket's conversation is linked, not copied into the new one
    assert messages(harness, "INC0000002")[0]["body"] == "The printer is broken again."
    assert "> Thank you for contacting" in messages(harness, "INC0000002", full=True)[0]["body"]
    assert harness.ticket_json("INC0000001")["related"] == ["INC0000002"]
    assert told.header("Subject") == "[INC0000002] Printer in room 12 is jammed"
    assert "INC0000001" in told.text() and "INC0000002" in told.text()
    assert "INC0000001" in told.html() and "INC0000002" in told.html()
    assert told.header("In-Reply-To") == "<again@school.example>"


def test_closed_reply_may_reopen_instead(harness: Harness) -> None:
    harness.write_config('[schedule]\nclosed_reply = "reopen"\n')
    with harness.daemon():
        open_ticket(harness)
        set_status(harness, "closed")
        harness.send(mail(subject="Re: [INC0000001] Printer in room 12 is jammed",
                          body="Broken again.\n"), mail_from=CUSTOMER)
        harness.wait_processed(2)
    data = harness.ticket_json("INC0000001")
    assert data["status"] == "open"
    assert any("closed_reply = reopen" in h["detail"] for h in data["history"])
    assert len(harness.tickets()) == 1


def test_serve_refuses_to_start_without_the_secret(harness: Harness) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "MAILGATE_SECRET"}
    done = harness.run_process("serve", env=env)
    assert done.returncode == 78
    assert b"MAILGATE_SECRET is not set" in done.stderr
    assert b"Traceback" not in done.stderr
    checked = harness.run_process("check-config", env=env)
    assert b"WARNING    MAILGATE_SECRET is not set" in checked.stdout


def test_pipe_and_cron_without_the_secret_write_no_unsigned_mail(harness: Harness) -> None:
    """An MTA runs `ingest` with a bare environment: the mail is stored (exit 0, nothing lost)
    but no mail is written until a command that has the secret processes it; `tick` and
    `tickets update` refuse without it, saying why."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "MAILGATE_SECRET"}
    piped = harness.run_process("ingest", stdin=mail(), env=env)
    assert piped.returncode == 0
    assert b"stored, left for the daemon: the environment variable MAILGATE_SECRET is not set" \
        in piped.stderr
    assert [r.state for r in harness.inbound()] == ["received"] and harness.tickets() == []
    for command in (["tick"], ["tickets", "update", "INC0000001", "--note", "x"]):
        refused = harness.run_process(*command, env=env)
        assert refused.returncode == 78
        assert b"MAILGATE_SECRET is not set" in refused.stderr
        assert b"Traceback" not in refused.stderr
    assert harness.inbound()[0].state == "received"
    harness.tick(harness.inbound()[0].received_at)  # the secret is set here
    [ack] = harness.sink.to(CUSTOMER)
    assert SIGNED.fullmatch(address_of(ack.header("Reply-To")))


def test_mail_after_the_tag_keeps_its_subject(harness: Harness) -> None:
    """Every mail on a ticket has the same subject after the tag: Gmail threads on it."""
    with harness.daemon():
        open_ticket(harness)
        harness.send(mail(subject="Re: [INC0000001] Printer in room 12 is jammed",
                          body="More detail.\n"), mail_from=CUSTOMER)
        harness.wait_processed(2)
        wait_until(lambda: mails_of(harness, "acknowledgement"))
    subjects = {m.header("Subject") for m in harness.sink.to(CUSTOMER)}
    assert subjects == {"[INC0000001] Printer in room 12 is jammed"}


def test_colleagues_of_the_same_company_only_when_the_config_allows(harness: Harness) -> None:
    colleague = mail(subject="Re: [INC0000001] Printer in room 12 is jammed",
                     sender="Pat Teacher <pat@school.example>", message_id="<pat-1@school.example>",
                     body="Room 12's printer is jammed for me too. Pat, 01632 960123\n")
    with harness.daemon():
        open_ticket(harness)
        harness.send(colleague, mail_from="pat@school.example")
        harness.wait_processed(2)
    assert [t.reference for t in harness.tickets()] == ["INC0000001", "INC0000002"]

    text = harness.config_path.read_text()
    harness.config_path.write_text(
        text.replace("staff = [", "company_colleagues_may_reply = true\nstaff = [", 1)
    )
    again = colleague.replace(b"<pat-1@school.example>", b"<pat-2@school.example>")
    with harness.daemon():
        harness.send(again, mail_from="pat@school.example")
        harness.wait_processed(3)
    assert len(harness.tickets()) == 2
    assert "pat@school.example is a colleague at Example School" in inbound_decisions(harness, 2)
    assert messages(harness)[-1]["from"] == "pat@school.example"


@pytest.mark.parametrize(
    ("box", "sender", "our_id"),
    [
        # Thunderbird, "Re:", German "Am … schrieb" quote
        ("mail005.box", "marc.smith@example.com", "20120507061007.259.822311@portal.znuny.com"),
        # Lotus Notes, "AW:" without a space, HTML only
        ("mail007.box", "eike.ehringer@example.com",
         "20120613122802.489.352153@portal.example.com"),
        # "Antwort:", a References chain whose nearest id is ours
        ("mail013.box", "thomas.smith@example.com",
         "20121212074433.2132.457157@portal.znuny.com"),
    ],
)
def test_real_replies_from_the_corpus_thread_by_their_headers(
    harness: Harness, box: str, sender: str, our_id: str
) -> None:
    """Unmodified corpus replies, as if the mail they answer had been ours."""
    harness.write_config("[intake]\nhold_incomplete_requests = false\n")  # not what is tested
    first = harness.dir / "first.eml"
    first.write_bytes(mail(sender=sender, message_id="<first@example.com>"))
    assert harness.cli("ingest", str(first)).code == 0
    with harness.session() as session:
        ticket = session.exec(select(Ticket)).one()
        ticket_id = ticket.id
        session.add(TicketMessage(ticket_id=ticket_id, direction="out", message_id=our_id,  # type: ignore[arg-type]
                                  from_addr=DESK, created_at=ticket.created_at))
        session.commit()
    assert harness.cli("ingest", str(CORPUS / "zammad" / box)).code == 0
    [_, reply] = harness.inbound()
    assert reply.state == "done", reply.reason
    assert f"answers message <{our_id}>" in "; ".join(reply.decisions)
    assert reply.ticket_id == ticket_id
    [stored] = [m for m in messages(harness) if m["message_id"] != "first@example.com"]
    assert stored["from"] == sender and stored["body"]


def test_outlook_threads_by_thread_index_and_topic(harness: Harness) -> None:
    """Outlook groups by Thread-Index (its first 22 bytes name the conversation) and falls back
    to Thread-Topic; a customer writing from Outlook gets our mail in their own conversation."""
    theirs = "AdnT3sJ1Qm9Uyq4KTFm1lHhE4mdq9w=="  # a real 22-byte header block from Outlook
    with harness.daemon():
        ack = open_ticket(harness, headers={"Thread-Topic": "Printer in room 12 is jammed",
                                            "Thread-Index": theirs})
    index = base64.b64decode(ack.header("Thread-Index"))
    assert len(index) == 27  # the header block and one child block
    assert index[:22] == base64.b64decode(theirs)
    assert ack.header("Thread-Topic") == "Printer in room 12 is jammed"


def test_thread_index_for_a_customer_without_outlook(harness: Harness) -> None:
    with harness.daemon():
        ack = open_ticket(harness)
    index = base64.b64decode(ack.header("Thread-Index"))
    assert len(index) == 27 and index[0] == 1
    assert ack.header("Thread-Topic") == "Printer in room 12 is jammed"


def test_staff_requester_replying_to_the_reply_to_is_the_customer(harness: Harness) -> None:
    """A technician who raised their own ticket gets a customer-signed Reply-To on it: their
    answer through it is the requester's, not a technician's reply (no first response)."""
    with harness.daemon():
        harness.send(mail(subject="My laptop will not boot", sender=f"Tom Tech <{STAFF}>",
                          message_id="<laptop@desk.example>"), mail_from=STAFF)
        harness.wait_processed(1)
        [ack] = wait_mail(harness, "acknowledgement")
        reply_to = address_of(ack.header("Reply-To"))
        signed = read_reply_address(harness.config, reply_to)
        assert signed is not None and signed.role == "customer"
        harness.send(mail(subject="Re: [INC0000001] My laptop will not boot",
                          sender=f"Tom Tech <{STAFF}>", to=reply_to,
                          body="It shows a blue screen now.\n",
                          message_id="<laptop-2@desk.example>"), mail_from=STAFF, to=[reply_to])
        harness.wait_processed(2)
    assert "decide: follow-up on INC0000001" in inbound_decisions(harness, 1)
    assert mails_of(harness, "technician_reply") == []
    data = harness.ticket_json("INC0000001")
    assert data["sla"]["responded_at"] is None
    [reply] = [m for m in messages(harness) if m["message_id"] == "laptop-2@desk.example"]
    assert (reply["body"], reply["internal"]) == ("It shows a blue screen now.", False)


def test_reply_without_message_id_reaches_the_technician_with_its_text(
    harness: Harness,
) -> None:
    """No Message-ID (some scripts and old gateways): the technician's notice still carries the
    customer's words, never an internal note (which has no Message-ID either)."""
    with harness.daemon():
        open_ticket(harness)
        noted = harness.cli("tickets", "update", "INC0000001", "--assign", STAFF,
                            "--note", "INTERNAL NOTE TEXT")
        assert noted.code == 0, noted.err
        raw = mail(subject="Re: [INC0000001] Printer in room 12 is jammed",
                   body="Still jammed, CUSTOMER TEXT\n")
        raw = b"\n".join(
            line for line in raw.split(b"\n") if not line.lower().startswith(b"message-id:")
        )
        harness.send(raw, mail_from=CUSTOMER)
        harness.wait_processed(2)
        [notice] = wait_mail(harness, "customer_reply", to=STAFF)
    assert "CUSTOMER TEXT" in notice.text() and "CUSTOMER TEXT" in notice.html()
    assert "INTERNAL NOTE TEXT" not in notice.text()


def test_replies_quoted_in_german_french_and_spanish_keep_only_the_new_text(
    harness: Harness,
) -> None:
    """Gmail and Outlook write the quote header in the reader's language; none of what they
    quote (our own acknowledgement) may end up as the customer's words on the ticket."""
    with harness.daemon():
        ack = open_ticket(harness)
        quoted = "\n".join("> " + line for line in ack.text().splitlines())
        replies = {
            "AW": "Der Drucker klemmt immer noch.\n\nAm Mi., 25. Nov. 2026 um 09:05 Uhr schrieb "
                  f"Example IT Desk <{DESK}>:\n{quoted}\n",
            "Réf. ": "L'imprimante est toujours bloquée.\n\nLe mer. 25 nov. 2026 à 09:05, "
                     f"Example IT Desk <{DESK}> a écrit :\n{quoted}\n",
            "RV": "La impresora sigue atascada.\n\nEl mié, 25 nov 2026 a las 9:05, Example IT "
                  f"Desk (<{DESK}>) escribió:\n{quoted}\n",
            "WG": "Bitte ansehen.\n\n-----Ursprüngliche Nachricht-----\nVon: Example IT Desk "
                  f"[mailto:{DESK}]\nGesendet: Mittwoch, 25. November 2026 09:05\n"
                  f"An: Jane Doe\nBetreff: [INC0000001] x\n\n{ack.text()}",
            "RE": f"Sigue sin funcionar.\n\nDe: Example IT Desk <{DESK}>\nEnviado el: miércoles, "
                  f"25 de noviembre de 2026 9:05\nPara: Jane Doe\nAsunto: x\n\n{ack.text()}",
        }
        for n, (prefix, body) in enumerate(replies.items()):
            harness.send(mail(subject=f"{prefix}: [INC0000001] Printer in room 12 is jammed",
                              body=body, message_id=f"<lang-{n}@school.example>"),
                         mail_from=CUSTOMER)
        harness.wait_processed(1 + len(replies))
    assert len(harness.tickets()) == 1
    assert [m["body"] for m in messages(harness)][1:] == [
        "Der Drucker klemmt immer noch.",
        "L'imprimante est toujours bloquée.",
        "La impresora sigue atascada.",
        "Bitte ansehen.",
        "Sigue sin funcionar.",
    ]
    assert "escribió" in messages(harness, full=True)[3]["body"]  # the whole mail is kept


def test_thread_of_one_ticket_and_tag_of_another_goes_where_the_sender_belongs(
    harness: Harness,
) -> None:
    """References are stronger evidence than a tag, but only for a ticket the sender may add
    to: Bob answers, with his own ticket's tag, a mail of Jane's thread someone forwarded him."""
    bob = "Bob Head <bob@school.example>"
    with harness.daemon():
        jane_ack = open_ticket(harness)
        harness.send(mail(subject="Projector in the hall flickers", sender=bob,
                          message_id="<bob-1@school.example>"), mail_from="bob@school.example")
        harness.wait_processed(2)
        # Jane: her own thread, Bob's tag in the subject: the thread wins, Bob's ticket is safe
        harness.send(mail(subject="Re: [INC0000002] Projector in the hall flickers",
                          in_reply_to=jane_ack.header("Message-ID"),
                          references=f"<first@school.example> {jane_ack.header('Message-ID')}",
                          body="Sorry, wrong subject: the printer again.\n",
                          message_id="<jane-x@school.example>"), mail_from=CUSTOMER)
        # Bob: Jane's thread, his own tag: his own ticket, never Jane's
        harness.send(mail(subject="Re: [INC0000002] Projector in the hall flickers", sender=bob,
                          in_reply_to=jane_ack.header("Message-ID"),
                          references=f"<first@school.example> {jane_ack.header('Message-ID')}",
                          body="It flickers again.\n", message_id="<bob-x@school.example>"),
                     mail_from="bob@school.example")
        harness.wait_processed(4)
    assert [t.reference for t in harness.tickets()] == ["INC0000001", "INC0000002"]
    assert [m["body"] for m in messages(harness)][1:] == [
        "Sorry, wrong subject: the printer again."]
    assert [m["body"] for m in messages(harness, "INC0000002")][1:] == ["It flickers again."]
    # `tickets show` says why each mail is where it is
    shown = harness.cli("tickets", "show", "INC0000002").out
    assert f"(match: answers message {jane_ack.header('Message-ID')}; match: also names " \
           "INC0000002 (subject tag [INC0000002]); authorize: bob@school.example is the " \
           "requester of INC0000002; subject tag [INC0000002] chosen over INC0000001)\n" \
           "    It flickers again." in shown


def test_reply_addresses_as_relays_and_clients_change_them(harness: Harness) -> None:
    """Upper-cased by a relay: still ours. Signature cut short: counts no more than a tag, so
    the requester's mail still lands on her ticket and a stranger's gets one of its own."""
    with harness.daemon():
        ack = open_ticket(harness)
        reply_to = address_of(ack.header("Reply-To"))
        shouted = reply_to.upper()
        harness.send(mail(subject="no tag", to=shouted, body="Sent to the upper-cased address.\n",
                          message_id="<up@school.example>"), mail_from=CUSTOMER, to=[shouted])
        harness.wait_processed(2)
        cut = reply_to.replace(reply_to.split("-")[1].split("@")[0][-4:] + "@", "@")
        assert cut != reply_to
        harness.send(mail(subject="no tag either", to=cut, body="Sent to a cut address.\n",
                          message_id="<cut@school.example>"), mail_from=CUSTOMER, to=[cut])
        harness.send(mail(subject="hello", to=cut, sender="Mallory <mallory@elsewhere.example>",
                          body="Let me in.\n", message_id="<cut-m@elsewhere.example>"),
                     mail_from="mallory@elsewhere.example", to=[cut])
        harness.wait_processed(4)
    assert "signed customer reply address for INC0000001" in inbound_decisions(harness, 1)
    assert "its signature is not ours" in inbound_decisions(harness, 2)
    assert [m["body"] for m in messages(harness)][1:] == [
        "Sent to the upper-cased address.", "Sent to a cut address."]
    assert [t.reference for t in harness.tickets()] == ["INC0000001", "INC0000002"]
    mallory = harness.ticket_json("INC0000002")
    assert (mallory["requester"]["email"], mallory["related"]) == (
        "mallory@elsewhere.example", ["INC0000001"])


def test_staff_signed_address_forwarded_to_the_customer_gives_no_technician_powers(
    harness: Harness,
) -> None:
    """The technician forwards a staff notice to the customer, who answers through its
    staff-signed Reply-To: a customer's follow-up; their '#resolve' line is just text."""
    with harness.daemon():
        open_ticket(harness)
        assert harness.cli("tickets", "update", "INC0000001", "--assign", STAFF).code == 0
        harness.send(mail(subject="Re: [INC0000001] Printer in room 12 is jammed",
                          body="Tray 2.\n", message_id="<tray@school.example>"),
                     mail_from=CUSTOMER)
        harness.wait_processed(2)
        [notice] = wait_mail(harness, "customer_reply", to=STAFF)
        staff_address = address_of(notice.header("Reply-To"))
        signed = read_reply_address(harness.config, staff_address)
        assert signed is not None and signed.role == "staff"
        harness.send(mail(subject="Fwd: [INC0000001] Printer in room 12 is jammed",
                          to=staff_address, body="#resolve\nIt works now, thanks.\n",
                          message_id="<fwd@school.example>"), mail_from=CUSTOMER,
                     to=[staff_address])
        harness.wait_processed(3)
        wait_mail(harness, "customer_reply", 2, to=STAFF)
    assert "decide: follow-up on INC0000001" in inbound_decisions(harness, 2)
    data = harness.ticket_json("INC0000001")
    assert data["status"] == "open"
    assert messages(harness)[-1]["body"] == "#resolve\nIt works now, thanks."
    assert mails_of(harness, "technician_reply") == []


def test_tag_naming_the_reference_the_new_ticket_is_given(harness: Harness) -> None:
    """Another desk with the same prefix tags its mail [INC0000001] before this desk has any
    ticket: the new ticket is INC0000001, and is not linked to itself."""
    harness.write_config("[intake]\nhold_incomplete_requests = false\n")  # not what is tested
    first = harness.dir / "other-desk.eml"
    first.write_bytes(mail(subject="[INC0000001] Your printer is jammed",
                           sender="Other Desk <support@other.example>"))
    assert harness.cli("ingest", str(first)).code == 0
    [inbound] = harness.inbound()
    assert inbound.state == "done", inbound.reason
    data = harness.ticket_json("INC0000001")
    assert (data["subject"], data["related"]) == ("Your printer is jammed", [])
    assert any("named INC0000001, which does not exist (it is now this ticket's own reference)"
               in h["detail"] for h in data["history"])


def test_a_references_header_of_seventy_thousand_ids_is_still_matched(harness: Harness) -> None:
    """More ids than a database takes as query parameters (PostgreSQL: 65,535) must neither
    fail nor leave the mail waiting: the nearest ones decide."""
    harness.write_config("[intake]\nhold_incomplete_requests = false\n")  # not what is tested
    first = harness.dir / "first.eml"
    first.write_bytes(mail(message_id="<first@school.example>"))
    assert harness.cli("ingest", str(first)).code == 0
    junk = " ".join(f"<junk-{n}@relay.example>" for n in range(70_000))
    reply = harness.dir / "reply.eml"
    reply.write_bytes(mail(subject="Re: printer", in_reply_to="<first@school.example>",
                           body="Still jammed.\n", message_id="<long@school.example>",
                           headers={"References": f"{junk} <first@school.example>"}))
    assert harness.cli("ingest", str(reply)).code == 0
    [_, stored] = harness.inbound()
    assert (stored.state, stored.reason) == ("done", "follow up: INC0000001")
