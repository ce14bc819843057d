"""Index replies' parents and roots, webhook and mail deliveries, only where they are set.

A reader's top-level comment and the event about it (every submission) then write four
index pages fewer; lookups by value use the partial indexes as they did the full ones.

Revision ID: 0013_partial_indexes
Revises: 0012_roots_index
Create Date: 2026-11-26 08:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_partial_indexes'
down_revision = '0012_roots_index'
branch_labels = None
depends_on = None

INDEXES = (
    ('comments', 'ix_comments_root_id', ['root_id'], 'root_id'),
    ('comments', 'ix_comments_parent_id', ['parent_id'], 'parent_id'),
    ('outbox', 'ix_outbox_webhook', ['webhook_id', 'id'], 'webhook_id'),
    ('outbox', 'ix_outbox_recipient', ['recipient'], 'recipient'),
)


def upgrade():
    for table, name, columns, column in INDEXES:
        op.drop_index(name, table_name=table)
        where = sa.text(f'{column} IS NOT NULL')
        op.create_index(name, table, columns, sqlite_where=where, postgresql_where=where)


def downgrade():
    for table, name, columns, _column in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
