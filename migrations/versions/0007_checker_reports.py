"""Moderators' spam / not-spam decisions reach the external checker through the outbox.

A new outbox kind, `checker`: the decision's transaction writes the report, the worker
sends it (Akismet's submit-spam / submit-ham) and retries it like any delivery.

Revision ID: 0007_checker_reports
Revises: 0006_outbox
Create Date: 2026-11-25 20:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007_checker_reports'
down_revision = '0006_outbox'
branch_labels = None
depends_on = None

KINDS = ("event", "mail", "webhook")


def _kinds(kinds) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_outbox_kind'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_outbox_outbox_kind'), _kinds(KINDS + ("checker",))
        )


def downgrade():
    op.execute("DELETE FROM outbox WHERE kind = 'checker'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_outbox_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_outbox_kind'), _kinds(KINDS))
