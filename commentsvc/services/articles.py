"""Articles: found or created for a submission, updated by the site."""

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from .. import driver
from ..errors import CommentsClosed, NotFound
from ..models import Article, Comment, utcnow
from ..policy import closing
from ..status import Status
from . import begin_write


def find(session, article_id: str) -> Article | None:
    return session.scalar(select(Article).where(Article.article_id == article_id))


def for_submission(
    session, article_id: str, *, auto_create: bool, close_after_days: int = 0
) -> Article:
    """Return the article a new comment goes to (its row), creating it on first use.

    :raise NotFound: unknown article and auto-creation is off.
    :raise CommentsClosed: the article no longer takes comments.
    """
    article = _for_submission(session, article_id)
    if article is None:
        if not auto_create:
            raise NotFound(f"No article with the id {article_id!r}.")
        article = _create(session, article_id)
    if not is_open(article, close_after_days):
        raise CommentsClosed()
    return article


_ARTICLES = Article.__table__
# What a submission reads of its article: whether it is open, and what its events tell.
_SUBMISSION_QUERY = driver.Select(
    select(
        *(
            _ARTICLES.c[name]
            for name in (
                *("id", "article_id", "title", "url"),
                *("comments_open", "closes_at", "published_at", "first_comment_at"),
            )
        )
    ).where(_ARTICLES.c.article_id == bindparam("article_id"))
)


def _for_submission(session, article_id: str):
    # A plain row: a submission only reads its article, and an ORM load costs more than
    # the statement.
    return _SUBMISSION_QUERY.first(session.connection(), {"article_id": article_id})


def takes_comments(
    article: Article | None, *, auto_create: bool, close_after_days: int = 0
) -> bool:
    """Whether a new comment would be taken; an unknown article is open if one creates it."""
    return is_open(article, close_after_days) if article is not None else auto_create


def is_open(article: Article, close_after_days: int = 0) -> bool:
    """Whether the article takes new comments now: its flag, its own closing time, and
    "close comments after N days" counted from its publication (else its first comment)."""
    closes = closing_time(article, close_after_days)
    return article.comments_open and (closes is None or closes > utcnow())


def closing_time(article: Article, close_after_days: int = 0):
    """When the article stops taking comments by itself, if it does."""
    published = article.published_at or article.first_comment_at
    return closing.closes_at(article.closes_at, published, close_after_days)


def _create(session, article_id: str) -> Article:
    # Two first comments can race to create the article: the loser reads the winner's row.
    try:
        with session.begin_nested():
            article = Article(article_id=article_id)
            session.add(article)
        return article
    except IntegrityError:
        return find(session, article_id)


def upsert(session, article_id: str, changes: dict) -> tuple[Article, bool]:
    """Create or update an article's title, URL and open flag; return it and whether it is new."""
    begin_write(session)
    article = find(session, article_id)
    created = article is None
    if created:
        article = _create(session, article_id)
    for name in ("title", "url", "comments_open", "closes_at", "published_at"):
        if name in changes:
            setattr(article, name, changes[name])
    session.flush()
    bump_versions(session, {article.id})
    session.commit()
    return article, created


def bump_versions(session, article_pks: set[int]) -> None:
    """Mark these articles' public threads as changed (ETags and caches key on it).

    Every change a reader could see passes here, so the approved count is recounted in
    the same statement (over the thread index), in the caller's transaction.
    """
    if article_pks:
        session.flush()
        approved = (
            select(func.count())
            .select_from(Comment)
            .where(Comment.article_pk == Article.id, Comment.status == Status.approved)
            .scalar_subquery()
        )
        session.execute(
            update(Article)
            .where(Article.id.in_(article_pks))
            .values(version=Article.version + 1, approved_count=approved)
            .execution_options(synchronize_session="fetch")
        )
