"""Server-side moderator sessions: signing out, or a password change, ends them.

Revision ID: 0009_sessions
Revises: 0007_checker_reports
Create Date: 2026-11-26 01:00:00

"""
import sqlalchemy as sa
from alembic import op



# revision identifiers, used by Alembic.
revision = '0009_sessions'
down_revision = '0007_checker_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'moderator_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('moderator_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['moderator_id'],
            ['moderators.id'],
            name=op.f('fk_moderator_sessions_moderator_id_moderators'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_moderator_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_moderator_sessions_token_hash')),
    )
    with op.batch_alter_table('moderator_sessions', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_moderator_sessions_moderator_id'), ['moderator_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('moderator_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderator_sessions_moderator_id'))
    op.drop_table('moderator_sessions')
