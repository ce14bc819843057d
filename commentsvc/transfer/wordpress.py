"""WordPress's WXR (Tools → Export): posts with their `wp:comment`s, streamed.

Read with defusedxml's iterparse, element by element, clearing each post once read, so
memory stays flat however large the file. A DTD, an entity or an external reference
makes the whole file unreadable (billion laughs, XXE): nothing of it is yielded.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from . import UnreadableFile
from .records import ArticleRecord, CommentRecord, Skipped

_STATUSES = {"1": "approved", "0": "pending", "spam": "spam", "trash": "rejected"}
_STATUSES["post-trashed"] = "rejected"  # trashed along with its post
_KINDS = {"": "comment", "comment": "comment", "pingback": "pingback", "trackback": "trackback"}
_NO_DATE = "0000-00-00 00:00:00"
_FORMAT = "%Y-%m-%d %H:%M:%S"


def parse(path: str, *, skip_pings: bool = False) -> Iterator:
    """Yield the records of the WXR file at `path`.

    :raise UnreadableFile: not well-formed XML, or it holds a DTD or entities.
    """
    with open(path, "rb") as stream:
        try:
            yield from _records(stream, skip_pings)
        except DefusedXmlException as exc:
            raise UnreadableFile(
                f"refused: the file declares a DTD or entities ({type(exc).__name__}); "
                "a WordPress export has none"
            ) from None
        except ParseError as exc:
            raise UnreadableFile(f"not well-formed XML: {exc}") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _records(stream, skip_pings: bool) -> Iterator:
    staff: set[str] = set()
    path: list = []
    post: dict | None = None
    events = DefusedET.iterparse(stream, events=("start", "end"), forbid_dtd=True)
    seen_rss = False
    for event, elem in events:
        name = _local(elem.tag)
        if event == "start":
            if not seen_rss:
                if name != "rss":
                    raise UnreadableFile(f"not a WordPress export (it starts with <{name}>)")
                seen_rss = True
            path.append(elem)
            if name == "item":
                post = {"announced": False}
            continue
        path.pop()
        parent = _local(path[-1].tag) if path else None
        if name == "author" and parent == "channel":
            author_id = _text(elem, "author_id")
            if author_id:
                staff.add(author_id)
            _drop(elem, path)
        elif post is not None and parent == "item" and name != "comment":
            post[name] = (elem.text or "").strip()
        elif name == "comment" and parent == "item" and post is not None:
            if not post["announced"]:
                post["announced"] = True
                yield _article(post)
            yield _comment(elem, post, staff, skip_pings)
            _drop(elem, path)
        elif name == "item":
            post = None
            _drop(elem, path)
    if not seen_rss:
        raise UnreadableFile("empty file")


def _drop(elem, path: list) -> None:
    # Read elements are removed from their parent, so the tree never holds more than one post.
    elem.clear()
    if path:
        path[-1].remove(elem)


def _text(elem, name: str) -> str:
    for child in elem:
        if _local(child.tag) == name:
            return child.text or ""
    return ""


def _article(post: dict) -> ArticleRecord:
    return ArticleRecord(
        source_id=post.get("post_id", ""),
        url=post.get("link") or None,
        title=post.get("title") or None,
        slug=post.get("post_name") or None,
        comments_open=post.get("comment_status", "open") == "open",
        published_at=_utc(post.get("post_date_gmt", "")),
    )


def _comment(elem, post: dict, staff: set[str], skip_pings: bool):
    values = {_local(child.tag): child.text or "" for child in elem}
    source_id = values.get("comment_id", "").strip()
    status = _STATUSES.get(values.get("comment_approved", "").strip())
    kind = _KINDS.get(values.get("comment_type", "").strip())
    if status is None:
        return Skipped(source_id, f"WordPress status {values.get('comment_approved')!r}")
    if kind is None:
        return Skipped(source_id, f"WordPress comment type {values.get('comment_type')!r}")
    if kind != "comment" and skip_pings:
        return Skipped(source_id, f"{kind} (--skip-pings)")
    created, offset = _dates(values.get("comment_date_gmt", ""), values.get("comment_date", ""))
    if created is None:
        return Skipped(source_id, "no usable date")
    parent = values.get("comment_parent", "0").strip()
    user_id = values.get("comment_user_id", "0").strip()
    return CommentRecord(
        source_id=source_id,
        article_source_id=post.get("post_id", ""),
        parent_source_id=parent if parent not in ("", "0") else None,
        author_name=values.get("comment_author", "").strip() or "Anonymous",
        author_email=values.get("comment_author_email", "").strip(),
        author_url=values.get("comment_author_url", "").strip() or None,
        body=values.get("comment_content", ""),
        created_at=created,
        status=status,
        remote_addr=values.get("comment_author_IP", "").strip() or None,
        user_agent=values.get("comment_agent", "").strip() or None,
        is_staff=user_id not in ("", "0") and user_id in staff,
        kind=kind,
        extra={"utc_offset": offset} if offset else {},
    )


def _utc(value: str) -> datetime | None:
    value = value.strip()
    if not value or value == _NO_DATE:
        return None
    try:
        return datetime.strptime(value, _FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _dates(gmt: str, local: str) -> tuple[datetime | None, str | None]:
    """The comment's instant in the site's time zone then, and that zone's UTC offset."""
    created = _utc(gmt)
    wall = _utc(local)  # the site's wall-clock time, read as if it were UTC
    if created is None:
        # Held comments may lack the GMT date: the local one is the best there is.
        return wall, None
    if wall is None:
        return created, None
    offset = wall - created
    if offset == timedelta(0) or abs(offset) > timedelta(hours=14):
        return created, None
    sign = "-" if offset < timedelta(0) else "+"
    minutes = int(abs(offset).total_seconds() // 60)
    local_time = created.astimezone(timezone(offset))
    return local_time, f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
