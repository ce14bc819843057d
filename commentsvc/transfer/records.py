"""The plain records every parser yields, whatever the file's format.

A parser streams `ArticleRecord`s and `CommentRecord`s in file order; an article's
record comes before its comments, and a reply may come before its parent (Disqus
and WXR do not promise an order), so parents are named by source id, not by row.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    source_id: str  # the thread's id in the source (WXR post id, Disqus thread id, Isso uri)
    url: str | None = None  # the old page's permalink; the article id is derived from it
    title: str | None = None
    slug: str | None = None
    comments_open: bool = True
    published_at: datetime | None = None  # time-zone aware
    # Only our own export carries these; other sources leave them to the service.
    closes_at: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One step of an exported audit trail (only our own export has them)."""

    action: str
    actor: str  # "policy", "import", "moderator:EMAIL", "api_key:NAME", or as it came
    created_at: datetime
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    details: dict | None = None
    batch_id: str | None = None


@dataclass(frozen=True, slots=True)
class CommentRecord:
    source_id: str  # the comment's id in the source, unique within one source
    article_source_id: str
    parent_source_id: str | None
    author_name: str
    author_email: str  # may be "" when the source has none
    author_url: str | None
    body: str  # the raw text as the source stored it; sanitised on import
    created_at: datetime  # time-zone aware
    status: str  # one of ours: pending, approved, spam, rejected
    remote_addr: str | None = None
    user_agent: str | None = None
    is_staff: bool = False
    kind: str = "comment"  # comment, pingback or trackback
    removed: bool = False  # deleted in the source but kept for its replies: a placeholder
    extra: dict = field(default_factory=dict)  # anything format-specific worth auditing
    # The rest only our own export carries: the comment's origin when it was imported
    # there from elsewhere (else the import's source), and what a round trip must keep.
    source: str | None = None
    parent_source: str | None = None  # the parent's origin, when not the comment's own
    updated_at: datetime | None = None
    erased_at: datetime | None = None
    held_reasons: tuple = ()
    events: tuple[EventRecord, ...] | None = None  # given: restored instead of an import event


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row the parser refused, with why; the summary counts them by reason."""

    source_id: str
    reason: str
