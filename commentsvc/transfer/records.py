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


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row the parser refused, with why; the summary counts them by reason."""

    source_id: str
    reason: str
