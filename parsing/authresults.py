"""Authentication-Results headers (RFC 8601): what a receiving host says it verified.

Hand-written: the header is small and the maintained parsers (authres) are unmaintained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from publicsuffixlist import PublicSuffixList

_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"^([a-z0-9_.-]+)\s*=\s*([a-z0-9_-]+)(.*)$", re.IGNORECASE | re.DOTALL)
_PROPERTY = re.compile(r"([a-z0-9_-]+\.[a-z0-9_-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AuthResult:
    method: str  # dkim, spf, dmarc, …
    result: str  # pass, fail, none, …
    properties: dict[str, str] = field(default_factory=dict)  # header.d, smtp.mailfrom, …


@dataclass(frozen=True, slots=True)
class AuthenticationResults:
    authserv_id: str
    results: tuple[AuthResult, ...]


def parse_authentication_results(value: str) -> AuthenticationResults | None:
    """One header's value; None when it has no authserv-id (RFC 8601 §2.2)."""
    text = value
    while _COMMENT.search(text):  # comments nest (RFC 5322 §3.2.2): strip innermost first
        text = _COMMENT.sub(" ", text)
    parts = [p.strip() for p in text.split(";")]
    authserv = parts[0].split()[0].lower() if parts and parts[0].split() else ""
    if not authserv or "=" in authserv:  # Exchange Online writes results without an authserv-id
        return None
    results = []
    for part in parts[1:]:
        found = _RESULT.match(part)
        if not found:
            continue
        props = {
            k.lower(): v.strip('"').lower() for k, v in _PROPERTY.findall(found.group(3))
        }
        results.append(AuthResult(found.group(1).lower(), found.group(2).lower(), props))
    return AuthenticationResults(authserv_id=authserv, results=tuple(results))


@cache
def _public_suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list the package bundles: no network at run time


def organisational_domain(domain: str) -> str:
    """RFC 7489 §3.2: the public suffix (ICANN and private sections: 'co.uk', 'github.io') plus
    one label; '' for a public suffix itself, which is no organisation."""
    name = domain.strip().strip(".").lower().lstrip("@")
    return (_public_suffixes().privatesuffix(name) or "") if name else ""


def _aligned(domain: str, sender_domain: str) -> bool:
    """Relaxed alignment (RFC 7489 §3.1): both domains belong to one organisational domain.
    Comparing by suffix would align 'attacker.github.io' with 'github.io' and miss
    'a.example.co.uk' with 'b.example.co.uk'."""
    organisation = organisational_domain(domain)
    return bool(organisation) and organisation == organisational_domain(sender_domain)


def authenticated_sender(header: AuthenticationResults, sender: str) -> str:
    """Why `header` vouches for the From address `sender`, or '' when it does not.

    DMARC pass for the From domain, or a DKIM signature that passed for an aligned domain.
    SPF alone is not enough: it speaks for the envelope, not the From header.
    """
    domain = sender.rpartition("@")[2].lower()
    for item in header.results:
        if item.result != "pass":
            continue
        if item.method == "dmarc" and _aligned(item.properties.get("header.from", domain), domain):
            return f"dmarc=pass by {header.authserv_id}"
        if item.method == "dkim":
            signer = item.properties.get("header.d") or item.properties.get(
                "header.i", ""
            ).rpartition("@")[2]
            if _aligned(signer, domain):
                return f"dkim=pass for {signer} by {header.authserv_id}"
    return ""
