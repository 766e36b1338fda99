"""What every subcommand shares: loading config, opening the database, printing."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from mailgate.clock import utcnow
from mailgate.config import Config, load_config
from mailgate.db import make_engine, require_current_schema


class CommandError(Exception):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def open_config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def open_database(config: Config, *, check_schema: bool = True) -> Engine:
    engine = make_engine(config.database_url)
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
