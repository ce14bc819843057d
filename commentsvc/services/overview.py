"""What the review UI reads besides the queue itself: counts, histories, the audit log."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from .. import sanitize, threads
from ..models import Article, Comment, ModerationEvent
from ..status import Status
from .moderation import queue_filters

# The actions the audit log can hold, for its filter.
EVENT_ACTIONS = (
    "approve",
    "reject",
    "spam",
    "unspam",
    "pend",
    "undo",
    "edit",
    "erase",
    "reply",
    "policy",
    "settings",
    "import",
)


def comments_by_ids(session, ids: Iterable[int]) -> list[Comment]:
    """These comments (erased and unknown ones left out), in the order given."""
    wanted = list(dict.fromkeys(ids))
    found = {
        c.id: c
        for c in session.scalars(
            select(Comment).where(Comment.id.in_(wanted), Comment.erased_at.is_(None))
        )
    }
    return [found[i] for i in wanted if i in found]


def queue_counts(session, **filters) -> dict[str, int]:
    """How many comments each status tab holds under the queue's other filters, and "all"."""
    rows = session.execute(
        select(Comment.status, func.count())
        .where(*queue_filters(**filters))
        .group_by(Comment.status)
    ).all()
    counts = {status.value: 0 for status in Status}
    counts.update({status.value: count for status, count in rows})
    counts["all"] = sum(counts.values())
    return counts


def author_histories(session, emails: Iterable[str]) -> dict[str, dict[str, int]]:
    """Each author's comments per status, by email (erased comments are not counted)."""
    wanted = {e for e in emails if e}
    if not wanted:
        return {}
    rows = session.execute(
        select(Comment.author_email, Comment.status, func.count())
        .where(Comment.author_email.in_(wanted), Comment.erased_at.is_(None))
        .group_by(Comment.author_email, Comment.status)
    ).all()
    histories: dict[str, dict[str, int]] = defaultdict(dict)
    for email, status, count in rows:
        histories[email][status.value] = count
    return dict(histories)


def parent_excerpts(session, parent_ids: Iterable[int], length: int = 140) -> dict[int, str]:
    """A plain-text excerpt of each parent comment, for the reply-to context."""
    ids = {i for i in parent_ids if i}
    if not ids:
        return {}
    rows = session.execute(select(Comment.id, Comment.html).where(Comment.id.in_(ids))).all()
    return {comment_id: sanitize.excerpt(html, length) for comment_id, html in rows}


@dataclass(frozen=True)
class ArticleRow:
    article: Article
    approved: int
    pending: int


def articles_with_counts(session) -> list[ArticleRow]:
    """Every article, newest first, with its approved and pending comment counts."""

    def count(status: Status):
        return func.count(Comment.id).filter(Comment.status == status)

    rows = session.execute(
        select(Article, count(Status.approved), count(Status.pending))
        .outerjoin(Comment, and_(Comment.article_pk == Article.id, Comment.erased_at.is_(None)))
        .group_by(Article.id)
        .order_by(Article.created_at.desc(), Article.id.desc())
    ).all()
    return [ArticleRow(article, approved, pending) for article, approved, pending in rows]


def list_events(
    session,
    *,
    moderator_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    cursor=None,
) -> tuple[list[ModerationEvent], str | None]:
    """One page of the audit log, newest first; `since` inclusive, `until` exclusive."""
    query = select(ModerationEvent)
    if moderator_id is not None:
        query = query.where(ModerationEvent.moderator_id == moderator_id)
    if action:
        query = query.where(ModerationEvent.action == action)
    if since is not None:
        query = query.where(ModerationEvent.created_at >= since)
    if until is not None:
        query = query.where(ModerationEvent.created_at < until)
    if cursor is not None:
        created_at, event_id = cursor
        query = query.where(
            or_(
                ModerationEvent.created_at < created_at,
                and_(ModerationEvent.created_at == created_at, ModerationEvent.id < event_id),
            )
        )
    query = query.order_by(ModerationEvent.created_at.desc(), ModerationEvent.id.desc())
    rows = session.scalars(query.limit(limit + 1)).unique().all()
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, threads.encode_cursor(rows[-1].created_at, rows[-1].id)
    return rows, None
