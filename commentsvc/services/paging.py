"""Keyset paging over comments by (created_at, id): stable while rows are added."""

from sqlalchemy import and_, or_

from .. import threads
from ..models import Comment


def in_page_order(query, cursor, *, newest: bool):
    """Order `query` by time (ties by id) and start after `cursor`, a decoded (time, id)."""
    if cursor is not None:
        created_at, comment_id = cursor
        if newest:
            after = or_(
                Comment.created_at < created_at,
                and_(Comment.created_at == created_at, Comment.id < comment_id),
            )
        else:
            after = or_(
                Comment.created_at > created_at,
                and_(Comment.created_at == created_at, Comment.id > comment_id),
            )
        query = query.where(after)
    columns = (Comment.created_at, Comment.id)
    return query.order_by(*(c.desc() for c in columns) if newest else columns)


def cut(rows, limit: int) -> tuple[list, str | None]:
    """Split the `limit + 1` rows a query fetched into a page and the next page's cursor."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, threads.encode_cursor(rows[-1].created_at, rows[-1].id)
    return list(rows), None
