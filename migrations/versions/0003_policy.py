"""Policy: structured held reasons, discussion settings, settings events, publication dates.

- comments.held_reasons: each string becomes {"rule", "message", "details"} (the rule
  recognised from the old wording; "legacy" when unknown).
- discussion_settings: what an admin saved on Settings -> Discussion (one row).
- moderation_events.comment_id may be NULL, for action "settings" only (checked).
- articles.published_at (set by the site) and first_comment_at (backfilled), which
  "close comments after N days" counts from.
- ix_comments_remote_addr, for the flood and repeat-offender checks.

Revision ID: 0003_policy
Revises: 0002_review
Create Date: 2026-11-25 17:53:42.324008

"""
import re

from alembic import op
import sqlalchemy as sa

import commentsvc.models


# revision identifiers, used by Alembic.
revision = '0003_policy'
down_revision = '0002_review'
branch_labels = None
depends_on = None

BATCH = 1000
_LINKS = re.compile(r"^Contains (\d+) links \(more than (\d+)\)\.$")


def upgrade():
    op.create_table('discussion_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moderation', sa.String(length=16), nullable=True),
    sa.Column('max_links', sa.Integer(), nullable=True),
    sa.Column('moderation_words', sa.JSON(), nullable=True),
    sa.Column('disallowed_words', sa.JSON(), nullable=True),
    sa.Column('close_after_days', sa.Integer(), nullable=True),
    sa.Column('checker_enabled', sa.Boolean(), nullable=True),
    sa.Column('updated_at', commentsvc.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_settings'))
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', commentsvc.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_comment_at', commentsvc.models.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_remote_addr', ['remote_addr', 'created_at'], unique=False)

    with op.batch_alter_table('moderation_events', schema=None) as batch_op:
        batch_op.alter_column('comment_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_check_constraint(
            op.f('ck_moderation_events_comment_or_settings'),
            "comment_id IS NOT NULL OR action = 'settings'",
        )

    op.execute(
        "UPDATE articles SET first_comment_at = "
        "(SELECT MIN(c.created_at) FROM comments c WHERE c.article_pk = articles.id)"
    )
    _rewrite_reasons(_structured)


def downgrade():
    _rewrite_reasons(_plain)
    op.execute("DELETE FROM moderation_events WHERE comment_id IS NULL")
    with op.batch_alter_table('moderation_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_moderation_events_comment_or_settings'), type_='check')
        batch_op.alter_column('comment_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_remote_addr')

    # Not in batch mode: rebuilding `articles` on SQLite (foreign keys on) would drop the
    # old table and cascade-delete every comment. SQLite 3.35+ drops a column in place.
    op.drop_column('articles', 'first_comment_at')
    op.drop_column('articles', 'published_at')

    op.drop_table('discussion_settings')


def _structured(reason):
    if isinstance(reason, dict):
        return reason
    message = str(reason)
    if message == "Every comment is held for review (moderation: all).":
        return {"rule": "moderation_mode", "message": message, "details": {"mode": "all", "outcome": "hold"}}
    if message == "First comment from this email address.":
        return {"rule": "moderation_mode", "message": message, "details": {"mode": "first", "outcome": "hold"}}
    links = _LINKS.match(message)
    if links:
        details = {"links": int(links[1]), "max_links": int(links[2]), "outcome": "hold"}
        return {"rule": "links", "message": message, "details": details}
    return {"rule": "legacy", "message": message, "details": {}}


def _plain(reason):
    return reason.get("message", "") if isinstance(reason, dict) else str(reason)


def _rewrite_reasons(convert) -> None:
    """Rewrite every comment's held_reasons with `convert`, a batch of rows at a time."""
    comments = sa.table("comments", sa.column("id", sa.Integer), sa.column("held_reasons", sa.JSON))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(comments.c.id, comments.c.held_reasons)
            .where(comments.c.id > last)
            .order_by(comments.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for comment_id, reasons in rows:
            new = [convert(r) for r in reasons or []]
            if new != (reasons or []):
                connection.execute(
                    comments.update().where(comments.c.id == comment_id).values(held_reasons=new)
                )
        last = rows[-1][0]
