"""Exceptions told to a person in one line."""

from __future__ import annotations


def one_line(exc: BaseException) -> str:
    """'OperationalError: database is locked': the driver's own words (SQLAlchemy wraps them in
    `orig`), first line only, without the SQL statement and parameters SQLAlchemy appends."""
    cause = getattr(exc, "orig", None) or exc
    first = next(iter(str(cause).strip().splitlines()), "")
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__
