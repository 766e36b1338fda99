"""Issue 4, the pure parts: reply prefixes, signed addresses, Authentication-Results, commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsing import parse_message
from parsing.authresults import authenticated_sender, parse_authentication_results
from parsing.subject import strip_reply_prefixes
from tickets.commands import split_commands
from tickets.desk import DeskPolicy
from tickets.signing import read_reply_address, reply_address, signature

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


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
    assert split_commands("Hello\n#status resolved").commands == ()
    assert split_commands("#1 on the list\n").commands == ()  # not a command word
