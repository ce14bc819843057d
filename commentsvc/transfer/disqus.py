"""Read a Disqus export (the XML file Disqus mails from Admin > Community > Export).

The file lists categories, then every thread, then every post; a post names its
thread and its parent by Disqus id (`dsq:id`). The main streaming pass yields each
thread's `ArticleRecord` as it ends and each post's `CommentRecord`, clearing the
elements behind it, so memory stays flat whatever the file's size.

Statuses: `isSpam` -> spam; `isDeleted` -> a removed placeholder (no text, no
author) when a kept post hangs below it, at any depth, else `Skipped`; otherwise approved (Disqus
exports only what it published, plus spam and deleted posts). A post whose thread
is deleted, unknown, or missing its id is skipped with the reason.

A deleted post's replies may come before or after it, so the pass keeps the ids of
deleted posts (one small set, read in a first cheap pass) and holds back only the
deleted posts no reply has named yet: those without replies end as `Skipped`.
"""

import ipaddress
from collections.abc import Iterator
from datetime import UTC, datetime

from . import UnreadableFile
from .records import ArticleRecord, CommentRecord, Skipped
from .safexml import iterparse_safely

NS = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"

DELETED_NO_REPLIES = "deleted in Disqus, no replies"
THREAD_DELETED = "its Disqus thread was deleted"
THREAD_UNKNOWN = "its thread is not in the file"
NO_ID = "no Disqus id"
NO_DATE = "no valid createdAt"

Record = ArticleRecord | CommentRecord | Skipped


def parse(path) -> Iterator[Record]:
    """Yield the file's articles and comments in file order, then the late skips.

    :raise UnsafeXML: the file declares a DTD or entities (billion laughs, XXE);
        raised before anything is yielded.
    :raise MalformedXML: the file is not well-formed XML.
    :raise UnreadableFile: the file is XML but not a Disqus export.
    """
    deleted = _deleted_post_ids(path)
    return _Reader(deleted).read(path)


def _deleted_post_ids(path) -> set[str]:
    # A first pass that keeps only the ids of deleted (not spam) posts.
    deleted = set()
    for elem in _top_level(path):
        if elem.tag == NS + "post" and _flag(elem, "isDeleted") and not _flag(elem, "isSpam"):
            deleted.add(elem.get(DSQ_ID) or "")
    deleted.discard("")
    return deleted


def _top_level(path) -> Iterator:
    """Each child of <disqus>, complete, then cleared once the caller is done with it."""
    depth = 0
    root = None
    for event, elem in iterparse_safely(path, ("start", "end")):
        if event == "start":
            depth += 1
            if depth == 1:
                root = elem
                if elem.tag != NS + "disqus":
                    raise UnreadableFile(
                        f"{path}: not a Disqus export (it starts with <{elem.tag}>)"
                    )
            continue
        depth -= 1
        if depth == 1:
            yield elem
            elem.clear()
            root.remove(elem)


class _Reader:
    def __init__(self, deleted: set[str]):
        self.deleted = deleted  # ids of deleted posts, from the first pass
        self.wanted: set[str] = set()  # deleted posts some reply names
        self.held: dict[str, CommentRecord] = {}  # deleted posts no reply named yet
        self.threads: set[str] = set()  # threads yielded
        self.deleted_threads: set[str] = set()
        self.identifiers: dict[str, str] = {}  # the site's <id> -> dsq:id

    def read(self, path) -> Iterator[Record]:
        for elem in _top_level(path):
            if elem.tag == NS + "thread":
                yield from self._thread(elem)
            elif elem.tag == NS + "post":
                yield from self._post(elem)
        for source_id in self.held:
            yield Skipped(source_id, DELETED_NO_REPLIES)

    def _thread(self, elem) -> Iterator[Record]:
        source_id = elem.get(DSQ_ID)
        if not source_id:
            return
        identifier = _text(elem, "id")
        if identifier:
            self.identifiers.setdefault(identifier, source_id)
        if _flag(elem, "isDeleted"):
            self.deleted_threads.add(source_id)
            return
        self.threads.add(source_id)
        yield ArticleRecord(
            source_id=source_id,
            url=_text(elem, "link") or None,
            title=_text(elem, "title") or None,
            slug=identifier or None,
            comments_open=not _flag(elem, "isClosed"),
            published_at=_date(_text(elem, "createdAt")),
        )

    def _post(self, elem) -> Iterator[Record]:
        source_id = elem.get(DSQ_ID)
        if not source_id:
            yield Skipped(_text(elem, "id") or "?", NO_ID)
            return
        thread_id = self._thread_ref(elem.find(NS + "thread"))
        if thread_id in self.deleted_threads:
            yield Skipped(source_id, THREAD_DELETED)
            return
        if thread_id not in self.threads:
            yield Skipped(source_id, THREAD_UNKNOWN)
            return
        created_at = _date(_text(elem, "createdAt"))
        if created_at is None:
            yield Skipped(source_id, NO_DATE)
            return
        parent = elem.find(NS + "parent")
        parent_id = (parent.get(DSQ_ID) if parent is not None else None) or None
        if source_id in self.deleted:
            yield from self._deleted(source_id, thread_id, parent_id, created_at)
            return
        yield from self._want(parent_id)
        yield self._comment(elem, source_id, thread_id, parent_id, created_at)

    def _thread_ref(self, ref) -> str | None:
        if ref is None:
            return None
        # Disqus's own exports name the thread by dsq:id; its documented import
        # format names it by the site's identifier as text.
        return ref.get(DSQ_ID) or self.identifiers.get((ref.text or "").strip())

    def _want(self, parent_id: str | None) -> Iterator[Record]:
        # A kept post names its parent: a deleted parent becomes a placeholder, and so,
        # up the chain, does every deleted post above it that was waiting for a reply.
        while parent_id in self.deleted and parent_id not in self.wanted:
            self.wanted.add(parent_id)
            placeholder = self.held.pop(parent_id, None)
            if placeholder is None:
                return
            yield placeholder
            parent_id = placeholder.parent_source_id

    def _deleted(self, source_id, thread_id, parent_id, created_at) -> Iterator[Record]:
        # Only the place in the conversation survives: Disqus deleted the rest.
        placeholder = CommentRecord(
            source_id=source_id,
            article_source_id=thread_id,
            parent_source_id=parent_id,
            author_name="",
            author_email="",
            author_url=None,
            body="",
            created_at=created_at,
            status="rejected",
            removed=True,
        )
        if source_id in self.wanted:
            yield placeholder
            yield from self._want(parent_id)
        else:
            self.held[source_id] = placeholder

    def _comment(self, elem, source_id, thread_id, parent_id, created_at) -> CommentRecord:
        author = elem.find(NS + "author")
        name = _text(author, "name") or _text(author, "username") or "Anonymous"
        extra = {"disqus_username": _text(author, "username") or None}
        if _flag(author, "isAnonymous"):
            extra["disqus_anonymous"] = True
        return CommentRecord(
            source_id=source_id,
            article_source_id=thread_id,
            parent_source_id=parent_id,
            author_name=name,
            author_email=_text(author, "email"),
            author_url=None,  # Disqus exports no website for commenters
            body=_text(elem, "message", strip=False),
            created_at=created_at,
            status="spam" if _flag(elem, "isSpam") else "approved",
            remote_addr=_ip(_text(elem, "ipAddress")),
            extra={k: v for k, v in extra.items() if v is not None},
        )


def _text(elem, name: str, *, strip: bool = True) -> str:
    if elem is None:
        return ""
    child = elem.find(NS + name)
    if child is None or child.text is None:
        return ""
    return child.text.strip() if strip else child.text


def _flag(elem, name: str) -> bool:
    return _text(elem, name).lower() == "true"


def _date(text: str) -> datetime | None:
    # Disqus writes UTC ("2012-12-12T12:12:12Z"); its documented sample omits the Z.
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
