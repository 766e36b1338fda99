"""Details on a ticket say where they were read: the evidence per detail, and which are
unconfirmed

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket') as batch:
        batch.add_column(sa.Column('details_read', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('unconfirmed_details', sa.JSON(), nullable=True))
    # tickets made before: nothing was recorded, which is an empty record, not a missing one
    op.execute("UPDATE ticket SET details_read = '{}' WHERE details_read IS NULL")
    op.execute("UPDATE ticket SET unconfirmed_details = '[]' WHERE unconfirmed_details IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('ticket') as batch:
        batch.drop_column('unconfirmed_details')
        batch.drop_column('details_read')
