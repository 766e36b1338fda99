"""The Reply-To of our mail: the ticket's signed reply address, in the recipients' role."""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import formataddr

from tickets.desk import DeskPolicy
from tickets.signing import reply_address


def signed_reply_to(policy: DeskPolicy, reference: str, recipients: Sequence[str]) -> str:
    """Staff get a staff-signed address (their replies may carry commands); anyone else a
    customer-signed one. '' when no secret is configured (`serve` refuses to run so)."""
    staff = bool(recipients) and all(policy.is_staff(a) for a in recipients)
    address = reply_address(policy, reference, "staff" if staff else "customer")
    return formataddr((policy.desk.name, address)) if address else ""
