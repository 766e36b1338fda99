"""Issue 12: a distribution list in Cc does not receive every update. Participants are capped per
ticket ([desk] max_participants), mailing lists (List-Id/List-Post) and the desk's own aliases
never take part, and the ticket's history says who was left out and why."""

from __future__ import annotations

import pytest

from parsing import parse_message
from parsing.lists import list_addresses
from tests.mail import mail
from tests.support.harness import DESK, STAFF, Harness
from tests.support.threads import CUSTOMER, open_ticket, wait_mail
from tests.test_technicians import tech_mail, trust_mx

pytestmark = pytest.mark.faults

LIST = "all-staff@school.example"
ALIAS = "helpdesk@helpdesk.example"  # an accepted domain of the harness's [smtp_in] accept
COLLEAGUES = [f"teacher{n:02d}@school.example" for n in range(1, 31)]


def _cap(harness: Harness, cap: int) -> None:
    text = harness.config_path.read_text()
    harness.config_path.write_text(
        text.replace("staff = [", f"max_participants = {cap}\nstaff = [", 1)
    )


def _history(harness: Harness, reference: str) -> list[str]:
    return [h["detail"] for h in harness.ticket_json(reference)["history"] if h["kind"] == "cc"]


def test_a_list_and_thirty_colleagues_in_cc_are_capped_and_the_history_says_why(
    harness: Harness,
) -> None:
    _cap(harness, 10)
    trust_mx(harness)
    with harness.daemon():
        harness.send(mail(
            to=f"{DESK}, {LIST}", cc=", ".join([ALIAS, *COLLEAGUES]),
            message_id="<first@school.example>",
            headers={"List-Id": "All staff <all-staff.school.example>"},
        ), mail_from=CUSTOMER)
        harness.wait_processed(1)
        [ticket] = harness.tickets()
        # an update (a person's answer) goes to the requester and the capped participants
        harness.send(tech_mail("The toner is on its way.\n", message_id="<t1@desk.example>",
                               in_reply_to="<first@school.example>"), mail_from=STAFF)
        harness.wait_processed(2)
        [answer] = wait_mail(harness, "technician_reply", to=CUSTOMER)
        sent = len(harness.sink.messages)
    # mail through a list gets no automatic acknowledgement at all (RFC 3834 §2): only the answer
    assert sent == 1
    assert ticket.cc == sorted(COLLEAGUES[:10])
    assert sorted(answer.rcpt_tos) == sorted([CUSTOMER, *COLLEAGUES[:10]])
    assert LIST not in answer.rcpt_tos and ALIAS not in answer.rcpt_tos
    history = _history(harness, ticket.reference)
    assert history == [
        f"not taking part: {LIST} — a mailing list (List-Id/List-Post); its members would "
        "receive every update",
        "not taking part: 20 more addresses than the 10 participants a ticket may have "
        f"([desk] max_participants): {', '.join(COLLEAGUES[10:])}",
    ]
    print(f"sent 2, tickets 1, participants {len(ticket.cc)} of {len(COLLEAGUES) + 2} copied, "
          f"mails out {sent}")


def test_the_acknowledgement_goes_to_the_requester_and_a_reply_stops_at_the_cap(
    harness: Harness,
) -> None:
    """A distribution list without List-Id (Exchange's) is only an address: the cap holds it."""
    _cap(harness, 3)
    with harness.daemon():
        ack = open_ticket(harness, cc=", ".join(COLLEAGUES[:2]))
        assert ack.rcpt_tos == [CUSTOMER]  # never the Cc, capped or not
        harness.send(mail(subject="Re: [INC0000001] Printer in room 12 is jammed",
                          body="Adding my colleagues.\n", message_id="<jane-2@school.example>",
                          in_reply_to="<first@school.example>", cc=", ".join(COLLEAGUES[:6])),
                     mail_from=CUSTOMER)
        harness.wait_processed(2)
    [ticket] = harness.tickets()
    assert ticket.cc == sorted(COLLEAGUES[:3])
    assert _history(harness, ticket.reference) == [
        f"now taking part: {COLLEAGUES[2]}",
        "not taking part: 3 more addresses than the 3 participants a ticket may have "
        f"([desk] max_participants): {', '.join(COLLEAGUES[3:6])}",
    ]


def test_list_addresses_from_list_post_and_list_id() -> None:
    posted = parse_message(mail(to="it-team@lists.school.example", headers={
        "List-Post": "<mailto:it-team@lists.school.example>",
    }))
    assert list_addresses(posted) == {"it-team@lists.school.example"}
    by_id = parse_message(mail(to=DESK, cc="staff@school.example, jo@school.example",
                               headers={"List-Id": "<staff.school.example>"}))
    assert list_addresses(by_id) == {"staff@school.example"}
    assert list_addresses(parse_message(mail(cc="staff@school.example"))) == frozenset()


def test_max_participants_is_checked_at_start(harness: Harness) -> None:
    _cap(harness, -1)
    result = harness.cli("tickets", "list")
    assert result.code != 0
    assert "max_participants" in result.err and "Traceback" not in result.err
