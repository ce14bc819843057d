"""The one place a comment is built: a reader's submission, a moderator's reply, an import.

Whatever the way in, the raw text is sanitised here, the reply is nested here, and the
audit row that explains how the comment got its status is written here, in the caller's
unit of work (nothing commits in this module).
"""

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from .. import driver, sanitize
from ..models import Article, Comment, Kind, ModerationEvent, utcnow
from ..status import Status
from . import Actor, Client


def written(
    *, name: str, email: str, url: str | None, body: str, client: Client | None = None
) -> dict:
    """The columns a comment takes from its author and their request, the body sanitised.

    Pure, so a submission prepares it before it takes the write lock.
    """
    client = client or Client()
    return {
        "author_name": name,
        "author_email": email,
        "author_url": url,
        "body": body,
        "html": sanitize.render(body),
        "sanitizer_version": sanitize.SANITIZER_VERSION,
        "remote_addr": client.remote_addr,
        "user_agent": (client.user_agent or None) and client.user_agent[:500],
    }


def _placed(parent: Comment | None) -> dict:
    """Where a reply sits: under `parent` (which needs `id`, `root_id` and `depth`)."""
    return {
        "parent_id": parent.id if parent else None,
        "root_id": (parent.root_id or parent.id) if parent else None,
        "depth": parent.depth + 1 if parent else 1,
    }


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
    comment = Comment(
        article_pk=article_pk,
        **_placed(parent),
        **written(name=name, email=email, url=url, body=body, client=client),
        status=status,
        held_reasons=list(held_reasons),
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


# Every column but the id: a reader's comment is inserted on the driver's cursor.
_INSERT = driver.Insert(
    Comment.__table__, [c.key for c in Comment.__table__.columns if c.key != "id"]
)


def store(session, *, article, parent, author: dict, status: Status, held_reasons=()) -> Comment:
    """Insert a reader's comment in one statement; return it loaded and detached.

    `author` is what `written` made; `article` needs `id` and `first_comment_at`;
    `parent` (or None) needs what `_placed` reads. One new row gains nothing from the
    ORM's unit of work, and a detached comment keeps its values after the commit:
    answering with it reads nothing back.
    """
    now = utcnow()
    values = {
        "article_pk": article.id,
        **_placed(parent),
        **author,
        "status": status,
        "held_reasons": list(held_reasons),
        "created_at": now,
        "updated_at": now,
        "erased_at": None,
        "is_staff": False,
        "moderator_id": None,
        "kind": Kind.comment,
        "source": None,
        "source_id": None,
    }
    comment = Comment(id=_INSERT.run(session.connection(), values), **values)
    make_transient_to_detached(comment)
    _note_first_comment(session, article.id, now, known=article.first_comment_at)
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


def _note_first_comment(
    session, article_pk: int, created_at: datetime, known: datetime | None = None
) -> None:
    # "Close comments after N days" counts from here when the site gave no publication time.
    # The time only ever moves earlier, so an article already holding an earlier one (as
    # the caller loaded it, or `known`: no query here) needs no statement.
    if known is None:
        article = session.identity_map.get(identity_key(Article, article_pk))
        known = article.__dict__.get("first_comment_at") if article is not None else None
    if known is not None and known <= created_at:
        return
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
