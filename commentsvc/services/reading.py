"""What readers see: one page of an article's approved thread, and comment counts."""

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from .. import threads
from ..models import Article, Comment
from ..status import Status
from . import articles, paging


@dataclass(frozen=True)
class ThreadPage:
    article: Article | None
    nodes: list[threads.ThreadNode]
    count: int
    next_cursor: str | None


@dataclass(frozen=True)
class ThreadState:
    article: Article | None
    # What the thread's ETag keys on: its version, and whether it is open (that
    # changes by itself when a closing time passes).
    key: str


def thread_state(session, article_id: str, *, close_after_days: int = 0) -> ThreadState:
    """Load the article and its ETag key: one query, enough to answer a conditional GET."""
    article = articles.find(session, article_id)
    if article is None:
        return ThreadState(None, "new")
    is_open = articles.is_open(article, close_after_days)
    return ThreadState(article, f"{article.version}:{'open' if is_open else 'closed'}")


def thread_page(
    session, article: Article | None, *, order: str = "oldest", limit: int = 50, cursor=None
) -> ThreadPage:
    """Load one page of top-level comments with every reply nested below them.

    `article` comes from `thread_state` or `articles.find` (None: nobody commented yet);
    `cursor` is a decoded (created_at, id) pair from the previous page.
    """
    if article is None:
        return ThreadPage(None, [], 0, None)
    roots, next_cursor = paging.cut(
        session.scalars(_roots_query(article.id, order, limit, cursor)).all(), limit
    )
    replies = (
        session.scalars(select(Comment).where(Comment.root_id.in_([r.id for r in roots]))).all()
        if roots
        else []
    )
    return ThreadPage(
        article, threads.build(roots, replies), _count(session, article.id), next_cursor
    )


def _roots_query(article_pk: int, order: str, limit: int, cursor):
    reply = aliased(Comment)
    # A hidden top-level comment still opens a page when a published reply hangs below it.
    has_public_reply = exists().where(reply.root_id == Comment.id, reply.status == Status.approved)
    query = select(Comment).where(
        Comment.article_pk == article_pk,
        Comment.parent_id.is_(None),
        or_(Comment.status == Status.approved, has_public_reply),
    )
    query = paging.in_page_order(query, cursor, newest=order == "newest")
    return query.limit(limit + 1)


def _count(session, article_pk: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.article_pk == article_pk, Comment.status == Status.approved)
    )


def counts_for(session, article_ids: list[str]) -> dict[str, int]:
    """Approved comments per article; 0 for articles nobody has commented on."""
    rows = session.execute(
        select(Article.article_id, func.count(Comment.id))
        .join(Comment, and_(Comment.article_pk == Article.id, Comment.status == Status.approved))
        .where(Article.article_id.in_(article_ids))
        .group_by(Article.article_id)
    ).all()
    counts = dict.fromkeys(article_ids, 0)
    counts.update(dict(rows))
    return counts
