"""Contacts and companies: who a sender is, and which organisation they belong to."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import event
from sqlmodel import Session, select

from parsing.phones import parse_phone
from tickets.desk import DeskPolicy
from tickets.models import Company, Contact

_CACHE = "contacts_by_email"


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")  # also a savepoint's: it may drop objects
def _forget_contacts(session: Session, *_args: object) -> None:
    session.info.pop(_CACHE, None)


def find_contact(session: Session, email: str) -> Contact | None:
    email = email.lower()
    # The stages ask for the same sender several times in one transaction: remember the
    # answer (found or not) until the transaction ends; `new_contact` keeps it current.
    known: dict[str, Contact | None] = session.info.setdefault(_CACHE, {})
    if email not in known:
        known[email] = session.exec(select(Contact).where(Contact.email == email)).first()
    return known[email]


def new_contact(session: Session, email: str, now: datetime, source: str) -> Contact:
    contact = Contact(email=email.lower(), created_at=now, updated_at=now, source=source)
    session.add(contact)
    session.info.setdefault(_CACHE, {})[contact.email] = contact
    return contact


def company_by_name(session: Session, name: str) -> Company | None:
    return session.exec(select(Company).where(Company.name == name)).first()


def ensure_company(session: Session, name: str, domains: tuple[str, ...] = ()) -> Company:
    company = company_by_name(session, name)
    if company is None:
        company = Company(name=name, domains=list(domains))
        session.add(company)
        session.flush()
    return company


def company_for_sender(session: Session, policy: DeskPolicy, email: str) -> Company | None:
    """The sender's company by their contact record, else by their domain in config."""
    contact = find_contact(session, email)
    if contact is not None and contact.company_id is not None:
        return session.get(Company, contact.company_id)
    configured = policy.company_for_domain(email.rpartition("@")[2])
    if configured is None:
        return None
    company = ensure_company(session, configured.name, configured.domains)
    if configured.sla_profile and company.sla_profile != configured.sla_profile:
        company.sla_profile = configured.sla_profile
    return company


def learn_contact(
    session: Session,
    email: str,
    now: datetime,
    *,
    name: str = "",
    company: Company | None = None,
    phone: str = "",
    phone_original: str = "",
    corrected: bool = False,
) -> Contact:
    """Find or create the contact, filling in what we did not know yet. Nothing is
    overwritten, except where the person `corrected` a detail we had only learned from their
    mail (an imported directory entry still wins: the desk keeps it)."""
    contact = find_contact(session, email)
    if contact is None:
        contact = new_contact(session, email, now, "learned")
    overwrite = corrected and contact.source == "learned"
    if name and (not contact.name or overwrite):
        contact.name = name
    if company is not None and (contact.company_id is None or overwrite):
        contact.company_id = company.id
    if phone and (not contact.phone or overwrite):
        contact.phone, contact.phone_original = phone, phone_original
    contact.updated_at = now
    if contact.id is None:
        session.flush()  # a new contact: the caller puts its id on the ticket
    return contact


# --- the contact directory: `mailgate contacts import FILE.csv` -------------------------------
CSV_COLUMNS = ("email", "name", "company", "phone", "site")
_COLUMN_ALIASES = {
    "e-mail": "email", "email address": "email", "mail": "email",
    "full name": "name", "contact": "name", "contact name": "name",
    "organisation": "company", "organization": "company", "school": "company", "client": "company",
    "telephone": "phone", "tel": "phone", "phone number": "phone", "mobile": "phone",
    "call-back number": "phone",
}
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)  # "line 4: …", rows skipped or partial


def csv_columns(header: Sequence[str]) -> list[str]:
    """The directory's column for each CSV column ('' for columns we do not use)."""
    columns = []
    for raw in header:
        key = " ".join(raw.strip().lower().replace("_", " ").split())
        key = _COLUMN_ALIASES.get(key, key)
        columns.append(key if key in CSV_COLUMNS else "")
    if "email" not in columns:
        raise ValueError(
            f"the first line must name the columns, with an email column "
            f"(expected {', '.join(CSV_COLUMNS)}; got {', '.join(header) or 'nothing'})"
        )
    return columns


def import_contacts(
    session: Session, rows: Iterable[tuple[int, dict[str, str]]], now: datetime, region: str
) -> ImportReport:
    """Create or update contacts from directory rows; the directory wins over learned values."""
    report = ImportReport()
    seen: set[str] = set()
    for line, row in rows:
        email = row.get("email", "").strip().lower()
        if not _EMAIL.match(email):
            report.problems.append(f"line {line}: skipped, {email or 'no'} email address")
            continue
        if email in seen:
            report.problems.append(f"line {line}: {email} appears again; the later line wins")
        seen.add(email)
        contact = find_contact(session, email)
        if contact is None:
            contact = new_contact(session, email, now, "import")
            report.created += 1
        else:
            report.updated += 1
        contact.source = "import"
        if name := " ".join(row.get("name", "").split()):
            contact.name = name
        if company := " ".join(row.get("company", "").split()):
            contact.company_id = ensure_company(session, company).id
        if site := " ".join(row.get("site", "").split()):
            contact.site = site
        if typed := row.get("phone", "").strip():
            phone = parse_phone(typed, region)
            if phone is None:
                report.problems.append(f"line {line}: {typed!r} is not a phone number; not kept")
            else:
                contact.phone, contact.phone_original = phone.e164, typed
        contact.updated_at = now
        session.flush()
    return report


def directory(session: Session) -> list[dict[str, str | None]]:
    companies = {c.id: c.name for c in session.exec(select(Company)).all()}
    return [
        {
            "email": c.email,
            "name": c.name,
            "company": companies.get(c.company_id) if c.company_id else None,
            "phone": c.phone,
            "phone_original": c.phone_original,
            "site": c.site,
            "source": c.source,
        }
        for c in session.exec(select(Contact).order_by(Contact.email)).all()  # type: ignore[arg-type]
    ]
