"""Reading: each article keeps its approved-comment count, recounted with its version.

Revision ID: 0005_reading
Revises: 0004_idempotency
Create Date: 2026-11-25 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_reading'
down_revision = '0004_idempotency'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_count', sa.Integer(), server_default='0', nullable=False))

    # Backfill from the comments, over the thread index (article_pk, status, ...).
    op.execute(
        "UPDATE articles SET approved_count = ("
        "SELECT count(*) FROM comments"
        " WHERE comments.article_pk = articles.id AND comments.status = 'approved')"
    )


def downgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('approved_count')
