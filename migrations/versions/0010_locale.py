"""Each moderator's language for the review UI and mails.

Revision ID: 0010_locale
Revises: 0009_transfer
Create Date: 2026-11-26 00:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_locale'
down_revision = '0009_transfer'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('moderators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('moderators', schema=None) as batch_op:
        batch_op.drop_column('locale')
