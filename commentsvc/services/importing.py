"""Store what a parser read (`transfer.records`): articles, comments and their audit rows.

Records are stored in batches, one transaction each, so an interrupted import keeps
the batches it committed and a rerun skips them: every comment keeps its source and
source id, unique together. A reply may come before its parent; it waits in memory
until the parent is stored. Replies whose parent never comes are stored as top-level
comments at the end (nothing a site had is lost), and the audit row says so.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from ..fields import text_problem, valid_article_id
from ..models import Article, Comment, Kind
from ..status import Status
from ..transfer.records import ArticleRecord, CommentRecord, EventRecord, Skipped
from . import Client, articles, begin_write, comments

SOURCES = {
    "wordpress": "WordPress",
    "disqus": "Disqus",
    "isso": "Isso",
    "commentsvc": "commentsvc",
}
ARTICLE_ID_FROM = ("permalink", "path", "slug", "source-id")
IMPORT_ACTOR = "import"
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_.:/-]+")
_SLASHES = re.compile(r"/{2,}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass
class Summary:
    """What an import stored (or, in a dry run, would store)."""

    dry_run: bool = False
    articles_created: int = 0
    articles_found: int = 0
    comments: Counter = field(default_factory=Counter)  # by status
    replies: int = 0
    removed: int = 0  # deleted in the source, kept as placeholders for their replies
    deeper_than_limit: int = 0
    orphans_made_top_level: int = 0
    already_imported: int = 0
    skipped: Counter = field(default_factory=Counter)  # by reason

    @property
    def stored(self) -> int:
        return sum(self.comments.values())

    def rows(self) -> list[tuple[str, int]]:
        """The summary as (label, count) rows, in the order a table shows them."""
        rows = [("articles created", self.articles_created)]
        rows.append(("articles already here", self.articles_found))
        rows += [(f"comments {s.value}", self.comments[s.value]) for s in Status]
        rows.append(("of which replies", self.replies))
        rows.append(("of which removed placeholders", self.removed))
        rows.append(("replies deeper than the thread depth", self.deeper_than_limit))
        rows.append(("replies without parent, made top-level", self.orphans_made_top_level))
        rows.append(("already imported (unchanged)", self.already_imported))
        rows += [(f"skipped: {reason}", n) for reason, n in sorted(self.skipped.items())]
        return rows


@dataclass(frozen=True, slots=True)
class _Parent:
    id: int
    root_id: int | None
    depth: int
    article_pk: int


def derive_article_id(record: ArticleRecord, source: str, mode: str) -> str | None:
    """The article id `mode` makes of an article record, or None when none fits the rules.

    Ids have no leading, trailing or doubled slashes (a thread URL could not carry them);
    a non-ASCII character becomes its UTF-8 bytes in hex (as percent-encoding has them,
    without the "%"), and any run of other characters outside the rule one "-".
    """
    parts = urlsplit(record.url or "")
    if mode == "source-id":
        return record.source_id if valid_article_id(record.source_id) else None
    if mode == "permalink":
        raw = parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")
    elif mode == "slug":
        raw = record.slug or parts.path.rstrip("/").rsplit("/", 1)[-1]
    elif mode == "path":
        # Plain WordPress permalinks (/?p=123) differ only in their query.
        raw = parts.path.strip("/")
        raw = "-".join(filter(None, [raw, parts.query]))
    else:
        raise ValueError(f"article ids come from one of {', '.join(ARTICLE_ID_FROM)}")
    raw = _NON_ASCII.sub(lambda m: m.group().encode().hex(), unquote(raw))
    candidate = _SLASHES.sub("/", _NOT_IN_ID.sub("-", raw)).strip("/")
    return candidate if candidate and valid_article_id(candidate) else None


def import_records(
    session,
    records: Iterable,
    *,
    source: str,
    article_id_from: str = "path",
    dry_run: bool = False,
    batch_size: int = 500,
    thread_depth: int | None = None,
) -> Summary:
    """Store `records` in batches of `batch_size` comments, one transaction each.

    A dry run does the same work in one transaction and rolls it back.
    :raise ValueError: unknown source or article-id mode.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    if article_id_from not in ARTICLE_ID_FROM:
        raise ValueError(f"article ids come from one of {', '.join(ARTICLE_ID_FROM)}")
    run = _Import(session, source, article_id_from, dry_run, thread_depth)
    try:
        batch: list = []
        for item in records:
            batch.append(item)
            if isinstance(item, CommentRecord) and len(batch) >= batch_size:
                run.store(batch)
                batch = []
        run.store(batch)
        run.finish()
    except BaseException:
        session.rollback()
        raise
    return run.summary


class _Import:
    def __init__(self, session, source, article_id_from, dry_run, thread_depth):
        self.session = session
        self.source = source
        self.article_id_from = article_id_from
        self.dry_run = dry_run
        self.thread_depth = thread_depth
        self.summary = Summary(dry_run=dry_run)
        self.articles: dict[str, int | None] = {}  # source id -> article pk (None: skipped)
        self.article_ids: set[str] = set()
        # Replies whose parent has not been stored yet, by the parent's source id.
        self.waiting: dict[str, list[CommentRecord]] = defaultdict(list)
        self.stored: dict[str, _Parent] = {}  # this batch's known comments, by source id
        self.touched: set[int] = set()
        self.started = False

    # ---- one batch, one transaction ---------------------------------------------------

    def store(self, batch: list) -> None:
        if not self.dry_run or not self.started:
            begin_write(self.session)
            self.started = True
        self._load_known(batch)
        for item in batch:
            if isinstance(item, ArticleRecord):
                self._article(item)
            elif isinstance(item, CommentRecord):
                self._comment(item)
            elif isinstance(item, Skipped):
                self.summary.skipped[item.reason] += 1
        self._end_batch()

    def finish(self) -> None:
        # Parents that never came: their replies start conversations of their own.
        while self.waiting:
            _, orphans = self.waiting.popitem()
            for record in orphans:
                self.summary.orphans_made_top_level += 1
                self._insert(record, None, orphan=True)
        self._end_batch()
        if self.dry_run:
            self.session.rollback()

    def _end_batch(self) -> None:
        comments.note_first_comments(self.session, self.touched)
        articles.bump_versions(self.session, self.touched)
        self.touched = set()
        if self.dry_run:
            self.session.flush()
            self.session.expunge_all()
        else:
            self.session.commit()
        self.stored = {}

    def _load_known(self, batch: list) -> None:
        """Find, in one query, the batch's comments and parents stored before."""
        wanted = set()
        for item in batch:
            if isinstance(item, CommentRecord):
                wanted.add((item.source or self.source, item.source_id))
                if item.parent_source_id:
                    wanted.add((_parent_source(item, self.source), item.parent_source_id))
        by_source = defaultdict(list)
        for src, sid in wanted:
            by_source[src].append(sid)
        for src, ids in by_source.items():
            for start in range(0, len(ids), 500):
                rows = self.session.execute(
                    select(
                        Comment.source_id,
                        Comment.id,
                        Comment.root_id,
                        Comment.depth,
                        Comment.article_pk,
                    ).where(Comment.source == src, Comment.source_id.in_(ids[start : start + 500]))
                )
                for sid, *ref in rows:
                    self.stored[self._key(src, sid)] = _Parent(*ref)

    @staticmethod
    def _key(source: str, source_id: str) -> str:
        return f"{source}\x00{source_id}"

    # ---- articles --------------------------------------------------------------------

    def _article(self, record: ArticleRecord) -> None:
        if record.source_id in self.articles:
            return
        article_id = derive_article_id(record, self.source, self.article_id_from)
        if article_id is None or article_id in self.article_ids:
            # Two posts of one file on one id would merge their threads: the later one waits.
            self.articles[record.source_id] = None
            return
        self.article_ids.add(article_id)
        article = articles.find(self.session, article_id)
        if article is not None:
            self.summary.articles_found += 1
            # Fill in what the site never told us; keep what it did.
            article.title = article.title or _clip(record.title, 300)
            article.url = article.url or _clip(record.url, 2000)
        else:
            self.summary.articles_created += 1
            article = Article(
                article_id=article_id,
                title=_clip(record.title, 300),
                url=_clip(record.url, 2000),
                comments_open=record.comments_open,
                published_at=record.published_at,
                closes_at=record.closes_at,
            )
            if record.created_at is not None:
                article.created_at = record.created_at
            self.session.add(article)
            self.session.flush()
        self.articles[record.source_id] = article.id

    # ---- comments --------------------------------------------------------------------

    def _comment(self, record: CommentRecord) -> None:
        source = record.source or self.source
        if self._key(source, record.source_id) in self.stored:
            self.summary.already_imported += 1
            self._release(source, record.source_id)
            return
        problem = self._problem(record)
        if problem:
            self.summary.skipped[problem] += 1
            return
        parent = None
        if record.parent_source_id:
            key = self._key(_parent_source(record, self.source), record.parent_source_id)
            parent = self.stored.get(key)
            if parent is None:
                self.waiting[key].append(record)
                return
        self._insert(record, parent)

    def _problem(self, record: CommentRecord) -> str | None:
        if record.article_source_id not in self.articles:
            return "no article for it in the file"
        if self.articles[record.article_source_id] is None:
            return f"no article id from its {self.article_id_from}, or another post's"
        if record.status not in Status.__members__:
            return f"unknown status {record.status!r}"
        if record.kind not in Kind.__members__:
            return f"unknown kind {record.kind!r}"
        if record.created_at.tzinfo is None:
            return "date without a time zone"
        if len(record.source_id) > 100:
            return "source id longer than 100 characters"
        for value, multiline in (
            (record.author_name, False),
            (record.author_email, False),
            (record.author_url or "", False),
            (record.body, True),
        ):
            if text_problem(value, multiline=multiline):
                return "text with control characters or invalid Unicode"
        return None

    def _insert(self, record: CommentRecord, parent: _Parent | None, orphan=False) -> None:
        source = record.source or self.source
        article_pk = parent.article_pk if parent else self.articles[record.article_source_id]
        removed = record.removed
        comment = comments.add(
            self.session,
            article_pk=article_pk,
            parent=parent,
            name="" if removed else record.author_name[:100],
            email="" if removed or len(record.author_email) > 254 else record.author_email,
            url=None if removed or len(record.author_url or "") > 200 else record.author_url,
            body="" if removed else record.body,
            status=Status.rejected if removed else Status(record.status),
            held_reasons=record.held_reasons,
            client=None if removed else _client(record),
            is_staff=record.is_staff,
            created_at=record.created_at,
            kind=Kind(record.kind),
            source=source,
            source_id=record.source_id,
            note_first_comment=False,
        )
        if record.updated_at is not None:
            comment.updated_at = record.updated_at
        if removed:
            comment.erased_at = record.erased_at or record.created_at
        self._audit(comment, record, source, orphan)
        self.touched.add(article_pk)
        self.summary.comments[comment.status.value] += 1
        self.summary.removed += removed
        if parent is not None:
            self.summary.replies += 1
            if self.thread_depth and comment.depth > self.thread_depth:
                self.summary.deeper_than_limit += 1
        self.stored[self._key(source, record.source_id)] = _Parent(
            comment.id, comment.root_id, comment.depth, article_pk
        )
        self._release(source, record.source_id)

    def _release(self, source: str, source_id: str) -> None:
        """Store the replies that waited for this comment."""
        key = self._key(source, source_id)
        for reply in self.waiting.pop(key, ()):
            self._insert(reply, self.stored[key])

    def _audit(self, comment: Comment, record: CommentRecord, source: str, orphan: bool) -> None:
        if record.events is not None:
            for event in record.events:
                _restore(self.session, comment, event)
            return
        details = {"source": source, "source_id": record.source_id, **record.extra}
        if orphan:
            details["missing_parent"] = record.parent_source_id
        comments.record(
            self.session,
            comment,
            "import",
            reason=f"imported from {SOURCES.get(source, source)}, comment {record.source_id}",
            details=details,
            actor_label=IMPORT_ACTOR,
        )


def _restore(session, comment: Comment, event: EventRecord) -> None:
    restored = comments.record(
        session,
        comment,
        event.action[:20],
        from_status=Status(event.from_status) if event.from_status else None,
        reason=event.reason,
        details=event.details,
        batch_id=event.batch_id,
        actor_label=event.actor,
        created_at=event.created_at,
    )
    restored.to_status = Status(event.to_status) if event.to_status else None


def _parent_source(record: CommentRecord, source: str) -> str:
    return record.parent_source or record.source or source


def _client(record: CommentRecord) -> Client:
    addr = record.remote_addr if record.remote_addr and len(record.remote_addr) <= 45 else None
    return Client(remote_addr=addr, user_agent=record.user_agent)


def _clip(value: str | None, length: int) -> str | None:
    return value[:length] if value else value
