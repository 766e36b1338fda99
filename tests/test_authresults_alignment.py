"""Issue 12: DKIM/DMARC relaxed alignment (RFC 7489 §3.2) compares organisational domains from
the Public Suffix List, not suffixes. Commands by mail are believed on this check
(tickets/technicians.py), so a wrong 'aligned' lets a forged staff mail act."""

from __future__ import annotations

import pytest

from parsing.authresults import (
    authenticated_sender,
    organisational_domain,
    parse_authentication_results,
)


def _dkim(signer: str) -> str:
    return f"mx.desk.example; dkim=pass header.d={signer}; spf=pass smtp.mailfrom={signer}"


def _vouches(header_value: str, sender: str) -> str:
    header = parse_authentication_results(header_value)
    assert header is not None
    return authenticated_sender(header, sender)


@pytest.mark.parametrize(
    ("signer", "sender"),
    [
        ("a.example.co.uk", "tech@b.example.co.uk"),  # siblings under one organisation
        ("example.co.uk", "tech@mail.example.co.uk"),
        ("mail.school.example", "tech@school.example"),
        ("School.Example.", "tech@school.example"),  # case and a trailing root dot
        ("attacker.github.io", "me@pages.attacker.github.io"),
    ],
)
def test_dkim_pass_for_the_same_organisation_is_aligned(signer: str, sender: str) -> None:
    assert _vouches(_dkim(signer), sender) == f"dkim=pass for {signer.lower()} by mx.desk.example"


@pytest.mark.parametrize(
    ("signer", "sender"),
    [
        ("example.co.uk", "tech@evil.co.uk"),  # neighbours under a public suffix
        ("co.uk", "tech@example.co.uk"),  # a public suffix is no organisation
        ("attacker.github.io", "tech@victim.github.io"),  # private suffix: separate owners
        ("github.io", "tech@victim.github.io"),
        ("evil.example", "tech@desk.example"),
        ("desk.example.evil.example", "tech@desk.example"),
    ],
)
def test_dkim_pass_for_another_organisation_is_not_aligned(signer: str, sender: str) -> None:
    assert _vouches(_dkim(signer), sender) == ""


def test_dmarc_pass_is_aligned_by_organisation_too() -> None:
    assert _vouches(
        "mx.desk.example; dmarc=pass header.from=b.example.co.uk", "tech@b.example.co.uk"
    ).startswith("dmarc=pass")
    assert (
        _vouches(
            "mx.desk.example; dmarc=pass header.from=attacker.github.io", "tech@victim.github.io"
        )
        == ""
    )


def test_organisational_domains_from_the_bundled_list() -> None:
    assert organisational_domain("a.b.example.co.uk") == "example.co.uk"
    assert organisational_domain("victim.github.io") == "victim.github.io"
    assert organisational_domain("github.io") == ""
    assert organisational_domain("") == ""
