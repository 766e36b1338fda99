"""IMAP follower state: 64-bit UID columns and the acknowledged UID

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mailbox_state') as batch:
        batch.alter_column('uidvalidity', type_=sa.BigInteger(), existing_nullable=True)
        batch.alter_column('last_uid', type_=sa.BigInteger(), existing_nullable=False)
        batch.add_column(sa.Column('acked_uid', sa.BigInteger(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('mailbox_state') as batch:
        batch.drop_column('acked_uid')
        batch.alter_column('last_uid', type_=sa.Integer(), existing_nullable=False)
        batch.alter_column('uidvalidity', type_=sa.Integer(), existing_nullable=True)
