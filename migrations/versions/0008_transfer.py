"""Imports and exports: where a comment came from, what kind it is, who an event's actor was.

`source` and `source_id` name an imported comment's origin (unique together), so a
second import of the same file skips what the first stored; `kind` keeps pingbacks
and trackbacks apart from comments; `actor_label` names an actor that is no row here
(an import, or the moderator an exported trail names).

Revision ID: 0008_transfer
Revises: 0007_checker_reports
Create Date: 2026-11-26 00:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_transfer'
down_revision = '0007_checker_reports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'kind',
            sa.Enum('comment', 'pingback', 'trackback', name='kind', native_enum=False,
                    create_constraint=True, length=16),
            server_default='comment',
            nullable=False,
        ))
        batch_op.add_column(sa.Column('source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('source_id', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_comments_source'), ['source', 'source_id'])

    with op.batch_alter_table('moderation_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_label', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('moderation_events', schema=None) as batch_op:
        batch_op.drop_column('actor_label')

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_comments_source'), type_='unique')
        batch_op.drop_column('source_id')
        batch_op.drop_column('source')
        batch_op.drop_constraint(batch_op.f('ck_comments_kind'), type_='check')
        batch_op.drop_column('kind')
