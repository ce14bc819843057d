"""Read Isso's own SQLite database (the `dbpath` of its `isso.cfg`), read-only.

Isso keeps `threads (id, uri, title)` and `comments (tid, id, parent, created,
modified, mode, remote_addr, text, author, email, website, likes, dislikes, voters,
notification)`; `created` is a UTC epoch, `text` the commenter's Markdown source.
A thread's `uri` is the page's path, so it is both the article's source id and its
URL. Rows are read in batches (`fetchmany`), threads first, then comments in id
order; the file is opened with `mode=ro`, so the import never changes it.

Modes: 1 (accepted) -> approved, 2 (pending) -> pending, 4 (deleted; Isso keeps
such a row only while replies hang below it) -> a removed placeholder when a
kept comment hangs below it, else `Skipped`. Likes, dislikes and voters are left
behind; `notification` and `modified` go into the record's `extra`.
"""

import ipaddress
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from . import UnreadableFile
from .records import ArticleRecord, CommentRecord, Skipped

BATCH = 1000

MODES = {1: "approved", 2: "pending"}
DELETED = 4

DELETED_NO_REPLIES = "deleted in Isso, no replies"
THREAD_UNKNOWN = "its thread is not in the database"
NOT_UTF8 = "text is not valid UTF-8"

Record = ArticleRecord | CommentRecord | Skipped


class NotAnIssoDatabase(UnreadableFile):
    """The file is not an SQLite database with Isso's `threads` and `comments` tables."""


# The deleted comments that a kept (not deleted) comment hangs below, however deep:
# walk up from every kept comment's parent through deleted ancestors only.
_COMMENTS = """
WITH RECURSIVE kept_above(id) AS (
    SELECT parent FROM comments WHERE mode IN (1, 2) AND parent IS NOT NULL
    UNION
    SELECT c.parent FROM comments AS c JOIN kept_above AS k ON c.id = k.id
    WHERE c.mode = :deleted AND c.parent IS NOT NULL
)
SELECT c.id, c.parent, t.uri, c.created, c.modified, c.mode, c.remote_addr,
       c.text, c.author, c.email, c.website, c.notification,
       c.id IN (SELECT id FROM kept_above) AS has_replies
FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid
ORDER BY c.id
"""


def parse(path) -> Iterator[Record]:
    """Yield every thread's article, then every comment, in batches of rows.

    :raise NotAnIssoDatabase: not SQLite, or without Isso's tables (raised before
        anything is yielded).
    """
    connection = _open(path)
    try:
        yield from _articles(connection)
        yield from _comments(connection)
    finally:
        connection.close()


def _open(path) -> sqlite3.Connection:
    target = Path(path).resolve()
    if not target.is_file():
        raise NotAnIssoDatabase(f"{path}: no such file")
    # A URI so `mode=ro` holds: the import never writes to (or creates) the file.
    connection = sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True)
    # Isso stored whatever bytes it was given; a row that is not UTF-8 is skipped,
    # not the whole import.
    connection.text_factory = lambda raw: raw.decode("utf-8", "surrogateescape")
    try:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise NotAnIssoDatabase(f"{path}: not an SQLite database ({exc})") from None
    if not {"threads", "comments"} <= tables:
        connection.close()
        raise NotAnIssoDatabase(f"{path}: no Isso `threads` and `comments` tables")
    return connection


def _batches(cursor) -> Iterator[tuple]:
    while rows := cursor.fetchmany(BATCH):
        yield from rows


def _articles(connection) -> Iterator[Record]:
    cursor = connection.execute("SELECT uri, title FROM threads ORDER BY id")
    for uri, title in _batches(cursor):
        if uri and _utf8(uri):
            yield ArticleRecord(source_id=uri, url=uri, title=_clean(title))


def _comments(connection) -> Iterator[Record]:
    cursor = connection.execute(_COMMENTS, {"deleted": DELETED})
    for row in _batches(cursor):
        yield _comment(*row)


def _comment(
    id_, parent, uri, created, modified, mode, addr, text, author, email, website, notify, replied
) -> Record:
    source_id = str(id_)
    if uri is None:
        return Skipped(source_id, THREAD_UNKNOWN)
    if not all(_utf8(v) for v in (uri, text, author, email, website, addr)):
        return Skipped(source_id, NOT_UTF8)
    created_at = datetime.fromtimestamp(created, UTC)
    common = {
        "source_id": source_id,
        "article_source_id": uri,
        "parent_source_id": str(parent) if parent is not None else None,
        "created_at": created_at,
    }
    if mode == DELETED:
        if not replied:
            return Skipped(source_id, DELETED_NO_REPLIES)
        # Isso already blanked its text and author; the row only keeps its place.
        return CommentRecord(
            **common,
            author_name="",
            author_email="",
            author_url=None,
            body="",
            status="rejected",
            removed=True,
        )
    if mode not in MODES:
        return Skipped(source_id, f"unknown Isso mode {mode}")
    extra = {"isso_notification": bool(notify)}
    if modified:
        extra["modified_at"] = datetime.fromtimestamp(modified, UTC).isoformat()
    return CommentRecord(
        **common,
        author_name=_clean(author) or "Anonymous",
        author_email=_clean(email) or "",
        author_url=_clean(website),
        body=text or "",
        status=MODES[mode],
        remote_addr=_ip(addr),
        extra=extra,
    )


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def _utf8(value: str | None) -> bool:
    try:
        (value or "").encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _ip(text: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(text or ""))
    except ValueError:
        return None
