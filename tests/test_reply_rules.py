"""Issue 4, the pure parts: reply prefixes, quoted history, signed addresses,
Authentication-Results, commands."""

from __future__ import annotations

import pytest

from parsing import parse_message
from parsing.authresults import authenticated_sender, parse_authentication_results
from parsing.greetings import after_greeting
from parsing.reply import Reply, split_reply
from parsing.subject import is_forward, strip_reply_prefixes
from tests.conftest import CORPUS
from tickets.commands import split_commands, stray_commands
from tickets.desk import DeskPolicy
from tickets.signing import read_reply_address, reply_address, signature


@pytest.mark.parametrize(
    ("subject", "stripped"),
    [
        ("Re: [INC0000001] Printer", "[INC0000001] Printer"),
        ("RE[2]: Re: [INC0000001] Printer", "[INC0000001] Printer"),
        ("Re^3: Printer", "Printer"),
        ("Re(2): Printer", "Printer"),
        ("Fwd: FW: Printer", "Printer"),
        ("AW: WG: [INC0000001] Drucker", "[INC0000001] Drucker"),
        ("SV: VS: Skrivare", "Skrivare"),
        ("Antw: Printer", "Printer"),
        ("TR: RV: Imprimante", "Imprimante"),
        ("Réf. : Imprimante", "Imprimante"),
        ("Odp: Drukarka", "Drukarka"),
        ("回复：打印机", "打印机"),
        ("ΑΠ: Εκτυπωτής", "Εκτυπωτής"),
        # words that merely begin like a prefix are left alone
        ("Record: printer log", "Record: printer log"),
        ("Aw shucks: it broke", "Aw shucks: it broke"),
        ("Rebooting the server", "Rebooting the server"),
        ("  Re:   spaced    out ", "spaced out"),
    ],
)
def test_reply_and_forward_prefixes(subject: str, stripped: str) -> None:
    assert strip_reply_prefixes(subject) == stripped


@pytest.mark.parametrize(
    ("box", "stripped"),
    [
        ("mail005.box", "XXXX Betatest Ticket Templates [Ticket#11162]"),  # Thunderbird, Re:
        ("mail007.box", "Installation [Ticket#11392]"),  # Lotus Notes, AW: without a space
        ("mail013.box", "Probleme ADB / Anlegen von Tickets [Ticket#111079]"),  # Antwort:
    ],
)
def test_prefixes_of_real_replies_in_the_corpus(box: str, stripped: str) -> None:
    parsed = parse_message((CORPUS / "zammad" / box).read_bytes())
    assert strip_reply_prefixes(parsed.subject) == stripped


@pytest.fixture
def policy(monkeypatch: pytest.MonkeyPatch) -> DeskPolicy:
    monkeypatch.setenv("MAILGATE_SECRET", "unit-test-secret")
    return DeskPolicy.model_validate({"desk": {"address": "support@desk.example"}})


def test_signed_address_round_trip_and_roles(policy: DeskPolicy) -> None:
    customer = reply_address(policy, "INC0000123", "customer")
    staff = reply_address(policy, "INC0000123", "staff")
    assert customer.startswith("support+INC0000123-") and customer.endswith("@desk.example")
    assert customer != staff
    assert read_reply_address(policy, customer).role == "customer"  # type: ignore[union-attr]
    assert read_reply_address(policy, staff).role == "staff"  # type: ignore[union-attr]
    # MTAs may lower-case the local part; the signature is lower-case base32 for that reason
    lowered = read_reply_address(policy, customer.lower())
    assert lowered is not None and (lowered.reference, lowered.role) == ("INC0000123", "customer")


def test_signature_cannot_be_moved_to_another_ticket(policy: DeskPolicy) -> None:
    sig = reply_address(policy, "INC0000123", "customer").split("-")[1].split("@")[0]
    moved = read_reply_address(policy, f"support+INC0000124-{sig}@desk.example")
    assert moved is not None and moved.role is None


def test_other_secret_other_signature(policy: DeskPolicy) -> None:
    assert signature(b"a", "INC1", "customer") != signature(b"b", "INC1", "customer")


@pytest.mark.parametrize(
    "address",
    ["support@desk.example", "other+INC0000123-abc@desk.example",
     "support+INC0000123-abc@elsewhere.example", "support+nodash@desk.example"],
)
def test_addresses_that_are_not_signed_reply_addresses(policy: DeskPolicy, address: str) -> None:
    found = read_reply_address(policy, address)
    assert found is None or found.role is None


def test_no_secret_no_signed_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAILGATE_SECRET", raising=False)
    policy = DeskPolicy.model_validate({"desk": {"address": "support@desk.example"}})
    assert reply_address(policy, "INC0000123", "customer") == ""


def test_authentication_results_vouches_only_for_an_aligned_pass() -> None:
    header = parse_authentication_results(
        "mx.desk.example; dkim=pass (2048-bit key) header.d=desk.example header.i=@desk.example; "
        "spf=pass (domain designates 192.0.2.1) smtp.mailfrom=tech@desk.example"
    )
    assert header is not None and header.authserv_id == "mx.desk.example"
    assert authenticated_sender(header, "tech@desk.example").startswith("dkim=pass")
    assert authenticated_sender(header, "tech@evil.example") == ""
    spf_only = parse_authentication_results("mx.desk.example; spf=pass smtp.mailfrom=desk.example")
    assert spf_only is not None and authenticated_sender(spf_only, "tech@desk.example") == ""


def test_authentication_results_of_real_mail() -> None:
    """Exchange Online omits the authserv-id (mail035); a relay reports an unsigned mail."""
    exchange = parse_message((CORPUS / "zammad" / "mail035.box").read_bytes())
    assert parse_authentication_results(exchange.header("authentication-results")) is None
    relayed = parse_message((CORPUS / "zammad" / "mail047.box").read_bytes())
    header = parse_authentication_results(relayed.header("authentication-results"))
    assert header is not None and header.authserv_id == "relay.example.de"
    assert [(r.method, r.result) for r in header.results] == [("dkim", "none")]
    assert authenticated_sender(header, relayed.from_.email) == ""


def test_commands_are_read_from_the_top_only() -> None:
    split = split_commands("#status resolved\n\n#Priority High\nThanks,\n#not a command here\n")
    assert [(c.name, c.argument) for c in split.commands] == [
        ("status", "resolved"), ("priority", "High"),
    ]
    assert split.text == "Thanks,\n#not a command here"
    assert split_commands("The toner was empty.\n#status resolved").commands == ()
    assert split_commands("#1 on the list\n").commands == ()  # not a command word


QUOTED = "> Hello Jane Doe,\n> Thank you for contacting Example IT Desk.\n"


# The quote header or block each client writes above the mail it answers
HISTORIES = {
    "Gmail, English, attribution wrapped":
        "On Wed, 25 Nov 2026 at 09:05, Example IT Desk <\nsupport@desk.example> wrote:\n",
    "Gmail, German":
        "Am Mi., 25. Nov. 2026 um 09:05 Uhr schrieb Example IT Desk <support@desk.example>:\n",
    # mail-parser-reply's French header refuses a name with "le " in it (Nicole, Example)…
    "Gmail, French":
        "Le mer. 25 nov. 2026 à 09:05, Example IT Desk <support@desk.example> a écrit :\n",
    "Apple Mail, French": "Le 25 nov. 2026 à 09:05, Nicole Bernard <n@desk.example> a écrit :\n",
    # …and its Spanish one wants two spaces before "escribió"
    "Gmail, Spanish":
        "El mié, 25 nov 2026 a las 9:05, Example IT Desk (<support@desk.example>) escribió:\n",
    "Gmail, Dutch": "Op wo 25 nov 2026 om 09:05 schreef Example IT Desk <support@desk.example>:\n",
    "Gmail, Italian": "Il giorno mer 25 nov 2026 alle ore 09:05 Example IT Desk "
                      "<support@desk.example> ha scritto:\n",
    "Gmail, Portuguese": "Em qua., 25 de nov. de 2026 às 09:05, Example IT Desk "
                         "<support@desk.example> escreveu:\n",
    "Outlook, English": "________________________________\nFrom: Example IT Desk "
                        "<support@desk.example>\nSent: Wednesday, November 25, 2026 9:05 AM\n"
                        "To: Jane Doe\nSubject: [INC0000001] Printer\n\n",
    "Outlook, English, no rule": "From: Example IT Desk <support@desk.example>\n"
                                 "Sent: 25 November 2026 09:05\nTo: Jane Doe\n\n",
    "Outlook, German": "Von: Example IT Desk <support@desk.example>\nGesendet: Mittwoch, "
                       "25. November 2026 09:05\nAn: Jane Doe\nBetreff: [INC0000001] x\n\n",
    "Outlook, French": "De : Example IT Desk <support@desk.example>\nEnvoyé : mercredi 25 "
                       "novembre 2026 09:05\nÀ : Jane Doe\nObjet : [INC0000001] x\n\n",
    "Outlook, Spanish": "De: Example IT Desk <support@desk.example>\nEnviado el: miércoles, "
                        "25 de noviembre de 2026 9:05\nPara: Jane Doe\nAsunto: x\n\n",
    "Outlook, Original Message": "-----Original Message-----\nFrom: Example IT Desk "
                                 "[mailto:support@desk.example]\nSent: 25 November 2026\n\n",
    "Outlook, Ursprüngliche Nachricht": "-----Ursprüngliche Nachricht-----\nVon: Example IT "
                                        "Desk\nGesendet: Mittwoch, 25. November 2026\n\n",
    "Outlook, Message d'origine": "-----Message d'origine-----\nDe : Example IT Desk\n"
                                  "Envoyé : mercredi 25 novembre 2026\n\n",
    "Outlook, Mensaje original": "-----Mensaje original-----\nDe: Example IT Desk\n"
                                 "Enviado el: miércoles\n\n",
    "Eudora": "At 09:05 25.11.2026 +0000, you wrote:\n",
    "Lotus Notes, German": 'Von:     "Example IT Desk" <support@desk.example>\n'
                           "An       jane@school.example\nDatum:   Mi., 25.11.2026 09:05\n"
                           "Betreff  [INC0000001] x\n\n",
    "Outlook for Mac, French": "De : Example IT Desk <support@desk.example>\nDate : mercredi "
                               "25 novembre 2026 à 09:05\nÀ : Jane Doe\nObjet : RE: x\n\n",
    "Gmail forward, no rule": "From: Example IT Desk <support@desk.example>\n"
                              "Date: Wed, 25 Nov 2026 at 09:05\nSubject: [INC0000001] x\n"
                              "To: Jane Doe <jane@school.example>\n\n",
    "Apple Mail forward": "From: Example IT Desk <support@desk.example>\n"
                          "Subject: [INC0000001] x\nDate: 25 November 2026 at 09:05:00 GMT\n"
                          "To: Jane Doe <jane@school.example>\n\n",
}


@pytest.mark.parametrize("client", list(HISTORIES))
def test_quoted_history_of_every_client_and_language_is_cut(client: str) -> None:
    history = HISTORIES[client]
    # Gmail and Apple Mail quote with '>', Outlook does not
    quoted = QUOTED if history.endswith(":\n") else QUOTED.replace("> ", "")
    text = f"The printer is still jammed.\n\nJane\n\n{history}{quoted}"
    assert split_reply(text).text == "The printer is still jammed.\n\nJane"


@pytest.mark.parametrize(
    "text",
    [
        "On reflection I wrote: nothing.\nFrom: the office next door\nThanks",
        # "Date:" and "Data:" are words too: no header block without a To or Subject beside them
        "Since Monday the finance share is empty.\nFrom: the finance share\n"
        "Data: every file from 2025 is gone\nPlease restore it today.",
    ],
)
def test_prose_that_looks_a_little_like_a_quote_header_is_kept(text: str) -> None:
    assert split_reply(text).text == text


@pytest.mark.parametrize(
    ("text", "commands", "rest"),
    [
        ("Hi,\n#resolve\nFixed it.", ["#resolve"], "Hi,\n\nFixed it."),
        ("Hello Jane,\n\n#priority high\n#wait customer\n\nWhich tray?",
         ["#priority high", "#wait customer"], "Hello Jane,\n\nWhich tray?"),
        ("Hi team,\n#internal\nShe ignores the toner warnings.", ["#internal"],
         "Hi team,\n\nShe ignores the toner warnings."),
        ("Guten Morgen\n#close", ["#close"], ""),  # nothing to send but a greeting
        # a first line that is no greeting: what follows is text, not commands
        ("The toner was empty.\n#resolve", [], "The toner was empty.\n#resolve"),
        ("Evening shift: printer fixed\n#resolve", [], "Evening shift: printer fixed\n#resolve"),
        ("Afternoon update: toner ordered\n#wait supplier", [],
         "Afternoon update: toner ordered\n#wait supplier"),
        ("Hi Jane, the school printer is fixed.\n#resolve", ["#resolve"], ""),
        ("Hello St Mary's Surgery team\n#resolve\nFixed.", ["#resolve"],
         "Hello St Mary's Surgery team\n\nFixed."),
        ("Hi Jane, thanks for waiting\n#resolve\nFixed.", ["#resolve"],
         "Hi Jane, thanks for waiting\n\nFixed."),
        ("Hi,\nhow are you?\n#resolve", [], "Hi,\nhow are you?\n#resolve"),
    ],
)
def test_commands_may_follow_a_greeting_line(text: str, commands: list[str], rest: str) -> None:
    split = split_commands(text)
    assert [c.line for c in split.commands] == commands
    assert split.text == rest


def test_stray_commands_are_known_commands_below_the_text() -> None:
    text = "The toner was empty.\n#resolve\n#hashtag\n# not one\n#Internal"
    assert [c.line for c in stray_commands(text)] == ["#resolve", "#Internal"]


@pytest.mark.parametrize(
    ("subject", "forward"),
    [("Fwd: Printer", True), ("FW: Printer", True), ("WG: Drucker", True), ("TR: Imprimante", True),
     ("RE: FW: Printer", False), ("Re: Printer", False), ("W: drive is full", False),
     ("Printer", False)],
)
def test_forward_prefixes(subject: str, forward: bool) -> None:
    assert is_forward(subject) is forward


@pytest.mark.parametrize(
    "banner",
    [
        "[External sender]This message is from an external sender. Be cautious, especially "
        "with links and attachments.",
        "CAUTION: This email originated from outside of the organization. Do not click links "
        "or open attachments unless you recognize the sender and know the content is safe.",
        "You don't often get email from bob@school.example. Learn why this is important",
    ],
)
def test_a_security_banner_is_not_the_senders_words(banner: str) -> None:
    assert split_reply(f"{banner}\n\nThe scanner is broken.\n").text == "The scanner is broken."


@pytest.mark.parametrize(
    "text",
    [
        "I got an email from outside the organisation asking for my password.\n\nIs it safe?",
        "External sender mail asked me for my password, be cautious!\n\nJane Doe",
        "Caution: my screen flickers when the projector is on.\n\nJane Doe",
    ],
)
def test_a_phishing_report_is_not_taken_for_a_banner(text: str) -> None:
    assert split_reply(text).text == text


@pytest.mark.parametrize(
    ("box", "text"),
    [
        ("4-signed-inline-plain.txt", "This is a test email with inline signature.\nID:4"),
        ("19-signed-inline-plain-nested.txt",
         "This is a test email with inline nested signature.\nID:19"),
    ],
)
def test_a_clear_signed_mail_is_read_without_its_armour(box: str, text: str) -> None:
    """RFC 4880 §7: the armour header, 'Hash:' and the signature block are not the words."""
    raw = (CORPUS / "rt" / "gnupg" / box).read_bytes()
    assert parse_message(raw).reply_text == text


def test_dash_escaped_lines_of_a_signed_mail_are_unescaped() -> None:
    signed = ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nThe printer:\n- - jams\n"
              "- - smells\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n")
    assert split_reply(signed).text == "The printer:\n- jams\n- smells"


def test_a_hyphen_list_is_no_signature() -> None:
    """mail-parser-reply takes '- jams' for an Outlook '-John' signature unless told not to."""
    text = "The printer in room 4 has these faults:\n- jams on tray 2\n- smells burnt\n\nJane"
    assert split_reply(text).text == text


@pytest.mark.parametrize(
    ("text", "body", "signature"),
    [
        ("Enjoy!\n\n-Martin", "Enjoy!", "-Martin"),
        ("Broken.\n\n- Sent from my iPad", "Broken.", "- Sent from my iPad"),
        ("The file won't open.\n\n- Jane Smith\nAcme Ltd", "The file won't open.",
         "- Jane Smith\nAcme Ltd"),
        ("Faults:\n\n- Jams\n- Smells\n\nJane", "Faults:\n\n- Jams\n- Smells\n\nJane", ""),
        ("Faults:\n\n- jams\n\nJane", "Faults:\n\n- jams\n\nJane", ""),
    ],
)
def test_a_hyphen_sign_off_is_a_signature_a_list_is_not(
    text: str, body: str, signature: str
) -> None:
    assert split_reply(text) == Reply(body, signature)


@pytest.mark.parametrize(
    "text",
    [
        "External monitor flickers in meeting room 2.\n\nTom",
        "CAUTION: our main server is beeping.\n\nTom",
        "Warning light on the UPS is on.\n\nTom",
        "This message is from our bank, is it phishing?\n\nTom",
    ],
)
def test_a_first_paragraph_that_merely_starts_like_a_banner_is_kept(text: str) -> None:
    assert split_reply(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        # a signature block without its END line: not clear-signed as it says, kept whole
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nThe printer jams.\n"
        "-----BEGIN PGP SIGNATURE-----\nabc\n\nAlso the scanner is broken.",
    ],
)
def test_broken_pgp_armour_loses_no_words(text: str) -> None:
    assert "Also the scanner is broken." in split_reply(text).text


@pytest.mark.parametrize(
    "text",
    [
        "Caution - staff are getting emails from outside the organisation asking for gift "
        "cards, don't click anything. Can you block the sender?\n\nOakfield Office",
        "WARNING: The UPS is beeping. Do not click the test button.\n\nTom",
        "Notice: the old rack is loose, use caution with the old rack.\n\nTom",
    ],
)
def test_a_warning_the_sender_writes_is_no_banner(text: str) -> None:
    assert split_reply(text).text == text


@pytest.mark.parametrize(
    "line", ["Morning IT team,", "Afternoon Helpdesk Team,", "Morning Dave and Sam,"]
)
def test_a_time_of_day_greets_a_team(line: str) -> None:
    assert after_greeting(line) == ""


def test_a_warning_the_reply_parser_takes_for_a_disclaimer_is_kept_when_the_sender_speaks() -> None:
    text = ("WARNING: phishing email going round from an external sender pretending to be the "
            "Head. Please do not click the link. Can you block it?\n\nJane")
    assert split_reply(text).text == text
