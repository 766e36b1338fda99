"""`[retention]`: how long raw mail and personal details are kept after a ticket is closed.

Desk-wide, with overrides per company (`[[retention.companies]]`, by the company's name as the
desk knows it). A period left out keeps the data forever; in a company's entry it takes the
desk-wide value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field, model_validator

from tickets.policy import Section


class Periods(Section):
    # days after a ticket is closed; absent: kept forever
    raw_mail_days: int | None = Field(default=None, ge=0)
    personal_details_days: int | None = Field(default=None, ge=0)


class CompanyRetention(Periods):
    name: str = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Kept:
    """The periods that apply to one ticket (None: forever)."""

    raw_mail_days: int | None
    personal_details_days: int | None

    def raw_mail_due(self, closed_at: datetime, now: datetime) -> bool:
        return _due(self.raw_mail_days, closed_at, now)

    def personal_details_due(self, closed_at: datetime, now: datetime) -> bool:
        return _due(self.personal_details_days, closed_at, now)


def _due(days: int | None, since: datetime, now: datetime) -> bool:
    return days is not None and since + timedelta(days=days) <= now


class Retention(Periods):
    companies: tuple[CompanyRetention, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> Retention:
        names = [c.name.casefold() for c in self.companies]
        if duplicates := sorted({c.name for c in self.companies
                                 if names.count(c.name.casefold()) > 1}):
            raise ValueError(f"retention.companies names {', '.join(duplicates)} twice")
        return self

    @property
    def enabled(self) -> bool:
        periods = (self, *self.companies)
        return any(p.raw_mail_days is not None or p.personal_details_days is not None
                   for p in periods)

    def for_company(self, name: str | None) -> Kept:
        own = next((c for c in self.companies
                    if name is not None and c.name.casefold() == name.casefold()), None)
        raw, personal = self.raw_mail_days, self.personal_details_days
        if own is not None:
            raw = own.raw_mail_days if own.raw_mail_days is not None else raw
            if own.personal_details_days is not None:
                personal = own.personal_details_days
        return Kept(raw, personal)

    def summary(self) -> str:
        """For `check-config`: 'raw mail 365 days, personal details forever after closing; …'"""
        if not self.enabled:
            return "everything is kept (no [retention] periods)"

        def periods(p: Periods | Kept) -> str:
            def days(n: int | None) -> str:
                return "forever" if n is None else f"{n} days"
            return (f"raw mail {days(p.raw_mail_days)}, personal details "
                    f"{days(p.personal_details_days)}")

        own = [f"{c.name}: {periods(self.for_company(c.name))}" for c in self.companies]
        return "; ".join([f"{periods(self)} after closing", *own])

    def shortest_days(self) -> int | None:
        """The earliest any ticket can be due: tickets closed since then need no look."""
        days = [d for p in (self, *self.companies)
                for d in (p.raw_mail_days, p.personal_details_days) if d is not None]
        return min(days) if days else None
