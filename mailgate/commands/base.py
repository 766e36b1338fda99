"""What every subcommand shares: loading config, opening the database, printing."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from mailgate.clock import utcnow
from mailgate.config import Config, load_config
from mailgate.db import make_engine, require_current_schema
from tickets.models import Ticket


class CommandError(Exception):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def open_config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def missing_secret(config: Config) -> str:
    """Why mail must not be written now ('' when the secret is set): without it our mail would
    carry no signed reply addresses, and staff could not be told apart from a forger."""
    if config.secret() is not None:
        return ""
    variable = config.desk.secret_env
    return (
        f"the environment variable {variable} is not set: it holds the secret that signs "
        "reply addresses (support+INC…-signature@), without which nobody could be told apart "
        f"from a forger. Set it to a long random value, e.g. "
        f"`export {variable}=$(openssl rand -hex 32)`, the same for every mailgate command and "
        "across restarts ([desk] secret_env names the variable)"
    )


def require_secret(config: Config) -> None:
    """For commands that process mail or write it: refuse, saying why."""
    if problem := missing_secret(config):
        raise CommandError(problem, 78)  # EX_CONFIG


def open_database(config: Config, *, check_schema: bool = True) -> Engine:
    engine = make_engine(config.database_url, config.database.busy_timeout_seconds)
    if check_schema:
        require_current_schema(engine)
    return engine


def parse_now(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--now {value!r} is not an ISO 8601 time (e.g. 2026-11-23T09:30:00+00:00)", 64
        ) from None
    if parsed.tzinfo is None:
        raise CommandError(f"--now {value!r} needs a UTC offset (e.g. +00:00 or Z)", 64)
    return parsed.astimezone(UTC)


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def find_ticket(session: Session, reference: str) -> Ticket:
    ticket = session.exec(select(Ticket).where(Ticket.reference == reference.upper())).first()
    if ticket is None:
        raise CommandError(f"no ticket {reference}")
    return ticket
