"""How big the long scenarios run: bounded by default (CI's 30-minute budget on 2 cores), at the
issue's full size with MAILGATE_FULL=1 (`MAILGATE_FULL=1 scripts/test -m faults`)."""

from __future__ import annotations

import os

FULL = os.environ.get("MAILGATE_FULL") == "1"


def sized(bounded: int, full: int) -> int:
    """`full` when MAILGATE_FULL=1, else `bounded`; tests print which they ran."""
    return full if FULL else bounded
