"""Index comments by address and status: the repeat-offender rule counts an address's spam.

Revision ID: 0011_ip_status_index
Revises: 0010_locale
Create Date: 2026-11-26 02:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_ip_status_index'
down_revision = '0010_locale'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_remote_addr_status', ['remote_addr', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_remote_addr_status')
