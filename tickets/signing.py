"""Signed reply addresses: `support+INC0000123-<signature>@desk.example`.

The signature is an HMAC-SHA256 (RFC 2104) of the reference under the desk's secret, so nobody
can make one up for another ticket. Customers and staff get signatures in different domains: an
address a customer received can never pass as a staff one (which lets its sender give commands).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

from tickets.desk import DeskPolicy

Role = Literal["customer", "staff"]
ROLES: tuple[Role, ...] = ("customer", "staff")
SIGNATURE_CHARS = 16  # 80 bits, base32: survives MTAs that lower-case the local part


def signature(secret: bytes, reference: str, role: Role) -> str:
    mac = hmac.new(secret, f"mailgate-reply/{role}/{reference.upper()}".encode(), hashlib.sha256)
    return base64.b32encode(mac.digest()).decode("ascii").lower()[:SIGNATURE_CHARS]


def reply_address(policy: DeskPolicy, reference: str, role: Role) -> str:
    """The signed address for replies on `reference`; '' when no secret is configured."""
    secret = policy.secret()
    if secret is None:
        return ""
    local, _, domain = policy.desk.address.rpartition("@")
    return f"{local}+{reference.upper()}-{signature(secret, reference, role)}@{domain}"


@dataclass(frozen=True, slots=True)
class SignedAddress:
    reference: str
    role: Role | None  # None: the address carries a reference but a wrong signature


def read_reply_address(policy: DeskPolicy, address: str) -> SignedAddress | None:
    """The reference and role a reply address was signed for; None if it is not one of ours."""
    local, _, domain = address.strip().lower().rpartition("@")
    own_local, _, own_domain = policy.desk.address.rpartition("@")
    base, plus, token = local.partition("+")
    if domain != own_domain or base != own_local or not plus:
        return None
    reference, _, given = token.rpartition("-")
    if not reference or not given:
        return None
    secret = policy.secret()
    for role in ROLES:
        if secret is not None and hmac.compare_digest(
            signature(secret, reference, role), given
        ):
            return SignedAddress(reference.upper(), role)
    return SignedAddress(reference.upper(), None)
