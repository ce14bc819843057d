"""What readers see: one page of an article's approved thread, and comment counts.

`thread_for` is the one way to a thread, for the JSON API and the no-JS page alike: it
owns the ETag, the cache and the "comments open" flag. A conditional request costs one
lookup by the article's unique id; a cached one adds one cache read; only a miss reads
the comments, and then only the columns the public shape shows.
"""

import functools
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import orjson
from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import aliased

from .. import avatars, driver, threads
from ..cache import Cache
from ..models import Article, Comment, DiscussionSettings, utcnow
from ..policy import closing
from ..status import Status
from . import discussion, paging

# Part of every thread ETag and cache key: bump it when the thread's JSON shape changes,
# so clients and caches holding an old representation are not answered with it.
THREAD_FORMAT = 2
GZIP_LEVEL = 1  # a 70 KB thread compresses ~5x at level 1 in a third of level 6's time

_articles = Article.__table__
# "Close comments after N days", when an admin saved it, rides along in the same statement
# (a primary-key read of the one settings row), so a conditional request stays one query.
_SAVED_CLOSE_AFTER_DAYS = (
    select(DiscussionSettings.close_after_days)
    .where(DiscussionSettings.id == discussion.ROW_ID)
    .scalar_subquery()
)
_STATE = driver.Select(
    select(
        _articles.c.id,
        _articles.c.version,
        _articles.c.title,
        _articles.c.comments_open,
        _articles.c.closes_at,
        _articles.c.published_at,
        _articles.c.first_comment_at,
        _articles.c.approved_count,
        _articles.c.created_at,
        _SAVED_CLOSE_AFTER_DAYS.label("saved_close_after_days"),
    ).where(_articles.c.article_id == bindparam("article_id"))
)
_COUNTS = driver.Select(
    select(_articles.c.article_id, _articles.c.approved_count).where(
        _articles.c.article_id.in_(bindparam("article_ids", expanding=True))
    ),
    expanding="article_ids",
)

# Only what the public shape shows, and what decides whether it is shown.
_PUBLIC_COLUMNS = (
    Comment.id,
    Comment.parent_id,
    Comment.created_at,
    Comment.status,
    Comment.erased_at,
    Comment.author_name,
    Comment.author_email,
    Comment.author_url,
    Comment.html,
    Comment.is_staff,
)


@dataclass(frozen=True)
class Page:
    """Which page of a thread: `cursor` is a decoded (created_at, id) from the last page."""

    order: str = "oldest"
    limit: int = 50
    cursor: tuple[datetime, int] | None = None

    def key(self) -> str:
        cursor = threads.encode_cursor(*self.cursor) if self.cursor else ""
        return f"{self.order}|{self.limit}|{cursor}"


@dataclass(frozen=True)
class Thread:
    """A thread page as bytes: `gzipped` always (unless not modified), `plain` on a miss."""

    etag: str
    not_modified: bool = False
    gzipped: bytes | None = None
    plain: bytes | None = None

    def body(self) -> bytes:
        return self.plain if self.plain is not None else zlib.decompress(self.gzipped, 31)

    def data(self) -> dict:
        """The thread as `schemas.ThreadOut` documents it."""
        return orjson.loads(self.body())


def thread_for(
    conn,
    cache: Cache,
    article_id: str,
    page: Page,
    *,
    auto_create: bool,
    secret: str,
    close_after_days: int = 0,
    thread_depth: int | None = None,
    matches: Callable[[str], bool] = lambda etag: False,
) -> Thread:
    """Answer one page of a thread: not modified when `matches` its ETag, else its bytes.

    `conn` is a Core connection, not an ORM session: a read needs no unit of work, and a
    conditional request then costs the one indexed read and nothing else.
    `auto_create` says whether an unknown article takes comments (its first creates it);
    `close_after_days` is the configured default, which a saved discussion setting
    overrides; `secret` keys the avatar tokens; replies deeper than `thread_depth` are
    shown flattened at that depth.
    """
    state = _state(conn, article_id)
    is_open = _is_open(state, auto_create, close_after_days)
    etag = _etag(article_id, state, page, is_open, thread_depth)
    if matches(etag):
        return Thread(etag, not_modified=True)
    gzipped = cache.get(etag)
    if gzipped is not None:
        return Thread(etag, gzipped=gzipped)
    plain = _render(conn, article_id, state, page, is_open, secret, thread_depth)
    gzipped = _gzip(plain)
    # Cache it only if nothing changed while reading (each statement may see a newer
    # snapshot on PostgreSQL): a key must always name exactly one body.
    if _state(conn, article_id) == state:
        cache.put(etag, gzipped)
    return Thread(etag, gzipped=gzipped, plain=plain)


def counts_for(conn, article_ids: list[str]) -> dict[str, int]:
    """Approved comments per article; 0 for articles nobody has commented on."""
    counts = dict.fromkeys(article_ids, 0)
    # Each distinct id once: the statement is compiled for each number of ids.
    rows = _COUNTS.rows(conn, {"article_ids": list(counts)})
    counts.update(dict(rows))
    return counts


def _state(conn, article_id: str):
    return _STATE.first(conn, {"article_id": article_id})


def _is_open(state, auto_create: bool, close_after_days: int) -> bool:
    if state is None:
        return auto_create  # the first comment would create the article
    if state.saved_close_after_days is not None:
        close_after_days = state.saved_close_after_days
    published = state.published_at or state.first_comment_at
    closes = closing.closes_at(state.closes_at, published, close_after_days)
    return state.comments_open and (closes is None or closes > utcnow())


def _etag(article_id: str, state, page: Page, is_open: bool, depth: int | None) -> str:
    # Whether comments are open changes by itself when a closing time passes, so it is
    # part of the key beside the version. The row's creation time tells apart an article
    # deleted and made again (or a database restored) from the one that had this version.
    version = f"{state.created_at.timestamp()}:{state.version}" if state is not None else "0"
    opened = "open" if is_open else "closed"
    key = f"{THREAD_FORMAT}|{article_id}|{version}|{opened}|{depth}|{page.key()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _render(conn, article_id: str, state, page: Page, is_open: bool, secret: str, depth):
    avatar = functools.partial(_avatar, secret=secret)
    comments, next_cursor = _page(conn, state.id, page, avatar, depth) if state else ([], None)
    thread = {
        "article_id": article_id,
        "title": state.title if state else None,
        "comments_open": is_open,
        "count": state.approved_count if state else 0,
        "comments": comments,
        "next_cursor": next_cursor,
    }
    return orjson.dumps(thread)


def _page(conn, article_pk: int, page: Page, avatar, depth: int | None):
    params = {"article_pk": article_pk, "limit": page.limit + 1}
    if page.cursor is not None:
        params["cursor_time"], params["cursor_id"] = page.cursor
    rows = _roots_query(page.order, page.cursor is not None).rows(conn, params)
    roots, next_cursor = paging.cut(rows, page.limit)
    replies = _REPLIES.rows(conn, {"roots": [r.id for r in roots]}) if roots else []
    return threads.public_tree(roots, replies, avatar, depth), next_cursor


_reply = aliased(Comment)
_REPLIES = driver.Select(
    select(*_PUBLIC_COLUMNS).where(Comment.root_id.in_(bindparam("roots", expanding=True))),
    expanding="roots",
)


@functools.cache
def _roots_query(order: str, after_cursor: bool):
    """One statement per order and paging state, built once; the values are bound."""
    # A hidden top-level comment still opens a page when a published reply hangs below it.
    has_public_reply = exists().where(
        _reply.root_id == Comment.id, _reply.status == Status.approved
    )
    query = select(*_PUBLIC_COLUMNS).where(
        Comment.article_pk == bindparam("article_pk"),
        Comment.parent_id.is_(None),
        or_(Comment.status == Status.approved, has_public_reply),
    )
    cursor = (bindparam("cursor_time"), bindparam("cursor_id")) if after_cursor else None
    query = paging.in_page_order(query, cursor, newest=order == "newest")
    return driver.Select(query.limit(bindparam("limit")))


def _avatar(email: str, secret: str) -> str:
    return avatars.token(email, secret)


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: the gzip format
    return compressor.compress(data) + compressor.flush()
