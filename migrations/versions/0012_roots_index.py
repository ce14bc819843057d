"""Index a thread's top-level comments in page order: one article's roots, not every one.

Revision ID: 0012_roots_index
Revises: 0011_ip_status_index
Create Date: 2026-11-26 05:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_roots_index'
down_revision = '0011_ip_status_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(
            'ix_comments_roots', ['article_pk', 'parent_id', 'created_at', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_roots')
