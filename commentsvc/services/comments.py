"""The one place a comment is built: a reader's submission, a moderator's reply, an import.

Whatever the way in, the raw text is sanitised here, the reply is nested here, and the
audit row that explains how the comment got its status is written here, in the caller's
unit of work (nothing commits in this module).
"""

from datetime import datetime

from sqlalchemy import func, or_, select, update

from .. import sanitize
from ..models import Article, Comment, Kind, ModerationEvent
from ..status import Status
from . import Actor, Client


def add(
    session,
    *,
    article_pk: int,
    parent: Comment | None,
    name: str,
    email: str,
    url: str | None,
    body: str,
    status: Status,
    held_reasons=(),
    client: Client | None = None,
    is_staff: bool = False,
    moderator_id: int | None = None,
    created_at: datetime | None = None,
    kind: Kind = Kind.comment,
    source: str | None = None,
    source_id: str | None = None,
    note_first_comment: bool = True,
) -> Comment:
    """Add a comment (sanitised, nested under `parent`) to the session and flush it.

    `parent` needs only `id`, `root_id` and `depth`; `source` and `source_id` name an
    imported comment's origin. An import, storing thousands, passes
    `note_first_comment=False` and calls `note_first_comments` once per batch.
    """
    client = client or Client()
    comment = Comment(
        article_pk=article_pk,
        parent_id=parent.id if parent else None,
        root_id=(parent.root_id or parent.id) if parent else None,
        depth=parent.depth + 1 if parent else 1,
        author_name=name,
        author_email=email,
        author_url=url,
        body=body,
        html=sanitize.render(body),
        sanitizer_version=sanitize.SANITIZER_VERSION,
        status=status,
        held_reasons=list(held_reasons),
        remote_addr=client.remote_addr,
        user_agent=(client.user_agent or None) and client.user_agent[:500],
        is_staff=is_staff,
        moderator_id=moderator_id,
        kind=kind,
        source=source,
        source_id=source_id,
    )
    if created_at is not None:
        comment.created_at = comment.updated_at = created_at
    session.add(comment)
    session.flush()
    if note_first_comment:
        _note_first_comment(session, article_pk, comment.created_at)
    return comment


def note_first_comments(session, article_pks: set[int]) -> None:
    """Set each article's first-comment time from its comments (see `_note_first_comment`)."""
    if article_pks:
        first = (
            select(func.min(Comment.created_at))
            .where(Comment.article_pk == Article.id)
            .scalar_subquery()
        )
        session.execute(
            update(Article)
            .where(Article.id.in_(article_pks))
            .values(first_comment_at=first)
            .execution_options(synchronize_session="fetch")
        )


def _note_first_comment(session, article_pk: int, created_at: datetime) -> None:
    # "Close comments after N days" counts from here when the site gave no publication time.
    session.execute(
        update(Article)
        .where(
            Article.id == article_pk,
            or_(Article.first_comment_at.is_(None), Article.first_comment_at > created_at),
        )
        .values(first_comment_at=created_at)
        .execution_options(synchronize_session="fetch")
    )


def record(
    session,
    comment: Comment,
    action: str,
    *,
    actor: Actor | None = None,
    from_status: Status | None = None,
    reason: str | None = None,
    details: dict | None = None,
    batch_id: str | None = None,
    actor_label: str | None = None,
    created_at: datetime | None = None,
) -> ModerationEvent:
    """Write the audit row for how a new comment came to have its status."""
    actor = actor or Actor()
    event = ModerationEvent(
        comment_id=comment.id,
        moderator_id=actor.moderator_id,
        api_key_id=actor.api_key_id,
        action=action,
        from_status=from_status,
        to_status=comment.status,
        reason=reason,
        details=details,
        batch_id=batch_id,
        actor_label=actor_label,
    )
    if created_at is not None:
        event.created_at = created_at
    session.add(event)
    return event
