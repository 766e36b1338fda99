"""The desk's own settings: who we are, who the staff are, companies, intake limits.

Together with the service-desk `Policy` they are everything the ticket rules need to know;
`mailgate.config` adds the transport sections (database, listeners, mailboxes) on top.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from tickets.durations import Duration, DurationField
from tickets.policy import Policy, Section, bare_address

MiB = 1024 * 1024


class Desk(Section):
    name: str = "IT Service Desk"
    address: str = "support@localhost"
    timezone: str = "Europe/London"
    reference_prefix: str = Field(default="INC", pattern=r"^[A-Z][A-Z0-9]{0,9}$")
    reference_digits: int = Field(default=7, ge=3, le=12)
    staff: tuple[str, ...] = ()
    staff_domains: tuple[str, ...] = ()
    secret_env: str = "MAILGATE_SECRET"
    templates: str = ""  # a folder of one's own, relative to the config file; "": the shipped one
    trusted_authserv_ids: tuple[str, ...] = ()
    # contacts of the requester's company may add to (and reply to) each other's tickets
    company_colleagues_may_reply: bool = False
    # people a ticket's mail copies in beyond its requester (tickets/participants.py)
    max_participants: int = Field(default=10, ge=0)

    @field_validator("address", "staff", mode="after")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        if isinstance(value, str):
            return bare_address(value)
        return tuple(bare_address(v) for v in value)

    @field_validator("staff_domains", mode="after")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.lower().lstrip("@") for v in value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value


class Intake(Section):
    max_attachment_bytes: int = Field(default=20 * MiB, gt=0)
    phone_region: str = "GB"
    autoreply_limit: int = Field(default=5, ge=0)  # automatic mails per sender per window
    autoreply_window_minutes: int = Field(default=60, gt=0)
    # One sender's new requests (tickets and held requests) per window; past it their mail is
    # added to their newest ticket (tickets/pipeline/rate_limit.py). 0: no limit.
    sender_request_limit: int = Field(default=10, ge=0)
    sender_request_window: DurationField = Duration.parse("1h")
    # Seed policy (service-desk-requests.txt): a request lacking one of these details from a
    # sender we cannot resolve by address is held, and the sender is asked once for the rest.
    required_details: tuple[Literal["name", "company", "phone", "description"], ...] = (
        "name", "company", "phone", "description",
    )
    hold_incomplete_requests: bool = True
    pending_expiry_hours: float = Field(default=72, gt=0)  # then a final notice; kept on record

    @field_validator("sender_request_window", mode="after")
    @classmethod
    def _real_time(cls, value: Duration) -> Duration:
        if value.business or value.business_days or not (value.seconds or value.calendar_days):
            raise ValueError(f"{str(value)!r}: give a length of real time, e.g. '10m' or '1h'")
        return value

    @property
    def sender_request_span(self) -> timedelta:
        window = self.sender_request_window
        return timedelta(seconds=window.seconds, days=window.calendar_days)

    @field_validator("phone_region", mode="after")
    @classmethod
    def _region(cls, value: str) -> str:
        import phonenumbers

        if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
            # a region phonenumbers does not know reads no number without a country code
            raise ValueError(f"unknown region {value!r} (use an ISO 3166 code: GB, US, IE, DE…)")
        return value.upper()


class CompanyConfig(Section):
    name: str
    domains: tuple[str, ...] = ()
    sla_profile: str | None = None
    rota_days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = ()

    @field_validator("domains", mode="after")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.lower().lstrip("@") for v in value)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Technician(Section):
    """Someone auto-assignment may pick: on duty on `days`, within `hours` (none given: the
    desk's business hours)."""

    address: str
    name: str = ""
    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    hours: tuple[str, ...] = ()

    @field_validator("address", mode="after")
    @classmethod
    def _address(cls, value: str) -> str:
        return bare_address(value)

    @field_validator("hours", mode="after")
    @classmethod
    def _hours(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from tickets.calendar import normalize_hours

        return normalize_hours(value) if value else value


class DeskPolicy(Policy):
    desk: Desk = Desk()
    intake: Intake = Intake()
    companies: tuple[CompanyConfig, ...] = ()
    technicians: tuple[Technician, ...] = ()

    @model_validator(mode="after")
    def _company_profiles(self) -> DeskPolicy:
        known = self.profile_names()
        problems = [
            f"companies[{i}].sla_profile: unknown SLA profile {company.sla_profile!r}; "
            f"known: {', '.join(known)}"
            for i, company in enumerate(self.companies)
            if company.sla_profile is not None and company.sla_profile not in known
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def is_staff(self, address: str) -> bool:
        address = address.lower()
        domain = address.rpartition("@")[2]
        if address in self.desk.staff or any(t.address == address for t in self.technicians):
            return True
        return bool(domain) and domain in self.desk.staff_domains

    def is_own_address(self, address: str) -> bool:
        """The desk address itself or one of its plus-addressed forms (support+…@)."""
        local, _, domain = address.lower().rpartition("@")
        own_local, _, own_domain = self.desk.address.rpartition("@")
        return domain == own_domain and local.split("+")[0] == own_local

    def desk_aliases(self) -> tuple[str, ...]:
        """Other addresses and domains the desk takes mail for (the daemon's config adds its
        accepted recipients)."""
        return ()

    def is_desk_address(self, address: str) -> bool:
        """The desk's own address or an alias: mail to it comes back to the desk."""
        if self.is_own_address(address):
            return True
        local, _, domain = address.lower().rpartition("@")
        base = f"{local.split('+', 1)[0]}@{domain}"
        return any(
            entry in (address.lower(), base) if "@" in entry else entry.lstrip("@") == domain
            for entry in self.desk_aliases()
        )

    def company_for_domain(self, domain: str) -> CompanyConfig | None:
        domain = domain.lower()
        for company in self.companies:
            if domain in company.domains:
                return company
        return None

    def company_for_source(self, source: str) -> str | None:
        """The default company for mail that came in through `source` (an IMAP mailbox's)."""
        return None

    def secret(self) -> bytes | None:
        value = os.environ.get(self.desk.secret_env, "")
        return value.encode() if value else None
