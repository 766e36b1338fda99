"""A country's public holidays (and its subdivision's), from the `holidays` package.

`[business_hours] holidays_from = "GB-ENG"` closes the desk on England's bank holidays, beside
the desk's own `holidays`, so that a missed bank holiday never moves an SLA deadline silently.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays


def check(code: str) -> str:
    """`code` as the package knows it: a country ("DE") or a country and its subdivision
    ("GB-ENG", "US-CA"), ISO 3166. ValueError, naming what is available, for an unknown one."""
    country, _, subdivision = code.strip().upper().partition("-")
    try:
        holidays.country_holidays(country, subdiv=subdivision or None, years=2000)
    except NotImplementedError as exc:
        known = holidays.list_supported_countries().get(country)
        hint = (f"; {country}'s subdivisions: {', '.join(known)}" if known
                else "; use an ISO 3166 country code such as GB, DE or US")
        raise ValueError(f"no public holidays known for {code!r}{hint}") from exc
    return f"{country}-{subdivision}" if subdivision else country


@lru_cache(maxsize=256)
def holidays_in(code: str, year: int) -> frozenset[date]:
    """The dates of `code`'s public holidays in `year` (a code `check` accepted)."""
    country, _, subdivision = code.partition("-")
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))
