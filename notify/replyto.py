"""The Reply-To of our mail: the ticket's signed reply address, in the recipients' role."""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import formataddr

from tickets.desk import DeskPolicy
from tickets.signing import reply_address


def signed_reply_to(
    policy: DeskPolicy, reference: str, recipients: Sequence[str], requester: str = ""
) -> str:
    """Staff get a staff-signed address (their replies may carry commands); anyone else a
    customer-signed one, and so does a member of staff who raised the ticket: they answer on it
    as its requester. '' when no secret is configured (`serve` refuses to run so)."""
    staff = bool(recipients) and all(
        policy.is_staff(a) and a.lower() != requester.lower() for a in recipients
    )
    address = reply_address(policy, reference, "staff" if staff else "customer")
    return formataddr((policy.desk.name, address)) if address else ""
