"""Contacts and companies: who a sender is, and which organisation they belong to."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from tickets.desk import DeskPolicy
from tickets.models import Company, Contact


def find_contact(session: Session, email: str) -> Contact | None:
    return session.exec(select(Contact).where(Contact.email == email.lower())).first()


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
) -> Contact:
    """Find or create the contact, filling in what we did not know yet (never overwriting)."""
    contact = find_contact(session, email)
    if contact is None:
        contact = Contact(email=email.lower(), created_at=now, updated_at=now, source="learned")
        session.add(contact)
    if name and not contact.name:
        contact.name = name
    if company is not None and contact.company_id is None:
        contact.company_id = company.id
    if phone and not contact.phone:
        contact.phone, contact.phone_original = phone, phone_original
    contact.updated_at = now
    session.flush()
    return contact
