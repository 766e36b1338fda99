"""Insert a row that holds a large blob (a raw mail, an attachment) without whole copies of it.

Python's sqlite3 binds a blob by copying it, and SQLite then builds the record in memory: a
25 MB mail cost two more copies of itself in RSS just to be stored (issue 10: memory through
the pipeline at most 4× the mail). On SQLite a large blob is therefore inserted as a
zeroblob and written through SQLite's incremental blob I/O, a chunk at a time, in the same
transaction. PostgreSQL takes the bytes as they are.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Connection, Table, func, insert
from sqlalchemy.exc import DBAPIError

# Smaller blobs are bound as usual: their copies cost little, and one statement is quicker.
STREAM_FROM = 1024 * 1024
_CHUNK = 1024 * 1024


def insert_with_blob(
    connection: Connection, table: Table, values: dict[str, Any], blob_column: str
) -> int:
    """Insert `values` into `table`; the new row's id."""
    blob = values[blob_column]
    if connection.dialect.name != "sqlite" or blob is None or len(blob) < STREAM_FROM:
        return int(connection.execute(insert(table).returning(table.c.id), values).scalar_one())
    others = {name: value for name, value in values.items() if name != blob_column}
    row_id = int(connection.execute(
        insert(table).values({blob_column: func.zeroblob(len(blob))}).returning(table.c.id),
        others,
    ).scalar_one())
    driver = connection.connection.driver_connection
    view = memoryview(blob)
    try:
        with driver.blobopen(table.name, blob_column, row_id) as handle:  # type: ignore[union-attr]
            for start in range(0, len(view), _CHUNK):
                handle.write(view[start:start + _CHUNK])
    except sqlite3.Error as exc:
        # as SQLAlchemy reports the same error from a statement: a full disk or a lock is the
        # database's trouble (the message waits), not the message's (quarantine)
        raise DBAPIError.instance(f"blob write {table.name}.{blob_column}", None, exc,
                                  sqlite3.Error) from exc
    return row_id
