"""SQLite: the raw mail and an attachment's bytes become the last column of their rows

SQLite keeps a zeroblob unexpanded only when it is the last field of the record; with the
blob last, a 25 MB mail or attachment is written through incremental blob I/O without two
more copies of itself in memory (tickets/blobs.py). The tables are rebuilt once, here.
PostgreSQL does not care where a column stands: nothing to do there.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_LAST = {
    'inbound_message': ('attempts', 'raw'),
    'attachment': ('skipped_reason', 'content'),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table, order in _LAST.items():
        with op.batch_alter_table(table, recreate='always', partial_reordering=[order]):
            pass


def downgrade() -> None:
    pass  # the column order changes nothing a query sees
