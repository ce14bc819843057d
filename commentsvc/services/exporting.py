"""The site's comments as JSON Lines, in a documented, versioned format (README: "Import
and export").

Streamed: articles one by one, each followed by its comments (oldest first) with their
audit trail, read in batches, so memory stays flat however large the site. Comments
name each other by stable ids (`source:source_id`, `commentsvc:<id>` for comments
written here), never by row ids, so an export imported into an empty database and
exported again gives the same bytes.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import orjson
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..models import Article, Comment, ModerationEvent

FORMAT = "commentsvc"
VERSION = 1
NATIVE = "commentsvc"  # the source of comments written here
BATCH = 500


def header() -> dict:
    return {"format": FORMAT, "version": VERSION}


def export_lines(session, article_ids: Iterable[str] | None = None) -> Iterator[bytes]:
    """Yield the export line by line (each ends in a newline): a header, then articles."""
    yield _line(header())
    query = select(Article).order_by(Article.article_id)
    if article_ids is not None:
        query = query.where(Article.article_id.in_(list(article_ids)))
    for article in session.scalars(query.execution_options(yield_per=BATCH)):
        yield _line(_article(article))
        yield from _comments(session, article)


def _line(data: dict) -> bytes:
    return orjson.dumps(data) + b"\n"


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _article(article: Article) -> dict:
    return {
        "type": "article",
        "article_id": article.article_id,
        "title": article.title,
        "url": article.url,
        "comments_open": article.comments_open,
        "closes_at": _time(article.closes_at),
        "published_at": _time(article.published_at),
        "created_at": _time(article.created_at),
    }


def stable_id(source: str | None, source_id: str | None, row_id: int) -> tuple[str, str]:
    """A comment's (source, source id): where it came from, or here with its row id."""
    return (source, source_id) if source else (NATIVE, str(row_id))


_parent = aliased(Comment)


def _comments(session, article: Article) -> Iterator[bytes]:
    query = (
        select(Comment, _parent.source, _parent.source_id)
        .outerjoin(_parent, _parent.id == Comment.parent_id)
        .where(Comment.article_pk == article.id)
        .order_by(Comment.created_at, Comment.id)
    )
    batch = []
    for row in session.execute(query.execution_options(yield_per=BATCH)):
        batch.append(row)
        if len(batch) == BATCH:
            yield from _write(session, article, batch)
            batch = []
    yield from _write(session, article, batch)


def _write(session, article: Article, rows: list) -> Iterator[bytes]:
    trails = _events(session, [row[0].id for row in rows])
    for comment, parent_source, parent_source_id in rows:
        yield _line(_comment(article, comment, parent_source, parent_source_id, trails))
    session.expunge_all()  # what was written is not needed again


def _comment(article, c: Comment, parent_source, parent_source_id, trails) -> dict:
    source, source_id = stable_id(c.source, c.source_id, c.id)
    parent = stable_id(parent_source, parent_source_id, c.parent_id) if c.parent_id else None
    return {
        "type": "comment",
        "id": f"{source}:{source_id}",
        "article_id": article.article_id,
        "parent": f"{parent[0]}:{parent[1]}" if parent else None,
        "source": source,
        "source_id": source_id,
        "parent_source": parent[0] if parent else None,
        "parent_source_id": parent[1] if parent else None,
        "kind": c.kind.value,
        "status": c.status.value,
        "author": {"name": c.author_name, "email": c.author_email, "url": c.author_url},
        "remote_addr": c.remote_addr,
        "user_agent": c.user_agent,
        "is_staff": c.is_staff,
        "body": c.body,
        "html": c.html,
        "sanitizer_version": c.sanitizer_version,
        "held_reasons": c.held_reasons or [],
        "created_at": _time(c.created_at),
        "updated_at": _time(c.updated_at),
        "erased_at": _time(c.erased_at),
        "events": trails.get(c.id, []),
    }


def _events(session, comment_ids: list[int]) -> dict[int, list[dict]]:
    trails: dict[int, list[dict]] = defaultdict(list)
    if not comment_ids:
        return trails
    query = (
        select(ModerationEvent)
        .where(ModerationEvent.comment_id.in_(comment_ids))
        .order_by(ModerationEvent.created_at, ModerationEvent.id)
    )
    for event in session.scalars(query):
        trails[event.comment_id].append(
            {
                "action": event.action,
                "actor": actor_label(event),
                "from_status": event.from_status.value if event.from_status else None,
                "to_status": event.to_status.value if event.to_status else None,
                "reason": event.reason,
                "details": event.details,
                "batch_id": event.batch_id,
                "created_at": _time(event.created_at),
            }
        )
    return trails


def actor_label(event: ModerationEvent) -> str:
    """Who acted, as words that survive a move to another site."""
    if event.actor_label:
        return event.actor_label
    if event.moderator is not None:
        return f"moderator:{event.moderator.email}"
    if event.api_key is not None:
        return f"api_key:{event.api_key.name}"
    return "policy"
