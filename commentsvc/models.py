"""The stored data: articles, their comments, moderators, API keys and the audit trail."""

import enum
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .status import Status


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Store UTC, always hand back an aware datetime (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetimes are ambiguous; pass an aware one")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def _status_enum(name: str) -> Enum:
    # A VARCHAR with a CHECK rather than a native PostgreSQL type: adding a
    # status later is then an ordinary migration on both databases.
    return Enum(
        Status,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class Role(enum.StrEnum):
    admin = "admin"
    moderator = "moderator"


class Scope(enum.StrEnum):
    read = "read"
    moderate = "moderate"


class Article(db.Model):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    comments_open: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Comments close by themselves after this time (when set), as WordPress's
    # "close comments on articles older than N days" does.
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the site published the article (set through the API): "close comments after
    # N days" counts from it, else from the first comment.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_comment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped whenever the public thread may have changed; ETags key on it.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_pk: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    # The top-level comment of this one's conversation (None for top-level
    # comments), so a page of the thread loads its replies in one query.
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    depth: Mapped[int] = mapped_column(default=1)
    author_name: Mapped[str] = mapped_column(String(100))
    author_email: Mapped[str] = mapped_column(String(254))
    author_url: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    sanitizer_version: Mapped[int] = mapped_column(default=1)
    status: Mapped[Status] = mapped_column(_status_enum("status"), default=Status.pending)
    # Why the policy held it or filed it as spam: [{"rule", "message", "details"}, ...].
    held_reasons: Mapped[list[dict]] = mapped_column(JSON, default=list)
    remote_addr: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A moderator's own reply, published at once and marked as staff.
    is_staff: Mapped[bool] = mapped_column(default=False, server_default=false())
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="SET NULL")
    )

    article: Mapped[Article] = relationship()
    parent: Mapped["Comment | None"] = relationship(
        remote_side=[id], foreign_keys=[parent_id], lazy="select"
    )

    __table_args__ = (
        # The public thread of one article, in order; and the moderation queue.
        Index("ix_comments_thread", "article_pk", "status", "created_at", "id"),
        Index("ix_comments_queue", "status", "created_at", "id"),
        Index("ix_comments_root_id", "root_id"),
        Index("ix_comments_parent_id", "parent_id"),
        Index("ix_comments_author_email", "author_email"),
        # Flood and repeat-offender checks look up an address's latest comments.
        Index("ix_comments_remote_addr", "remote_addr", "created_at"),
    )


class Moderator(db.Model):
    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Shown on staff replies and in the activity log; the email's local part when unset.
    name: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="role", native_enum=False, create_constraint=True, length=16)
    )
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(db.Model):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the key, so people can tell keys apart in a list.
    prefix: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the whole key: keys are long random strings, so a fast hash is
    # enough, and a lookup by hash needs no per-request key stretching.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[Scope] = mapped_column(
        Enum(Scope, name="scope", native_enum=False, create_constraint=True, length=16)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ModerationEvent(db.Model):
    __tablename__ = "moderation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None only for a change of the discussion settings (action "settings"), so the
    # activity log holds every decision, about comments and about the rules alike.
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # Neither actor set: the policy decided at submission.
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="SET NULL")
    )
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[Status | None] = mapped_column(_status_enum("from_status"))
    to_status: Mapped[Status | None] = mapped_column(_status_enum("to_status"))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    # The events one decision wrote (a bulk action writes many) share it, so the
    # decision can be undone as a whole.
    batch_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    moderator: Mapped[Moderator | None] = relationship(lazy="joined")
    api_key: Mapped[ApiKey | None] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_moderation_events_comment", "comment_id", "created_at", "id"),
        Index("ix_moderation_events_created_at", "created_at"),
        Index("ix_moderation_events_batch_id", "batch_id"),
        CheckConstraint(
            "comment_id IS NOT NULL OR action = 'settings'", name="comment_or_settings"
        ),
    )


class DiscussionSettings(db.Model):
    """The discussion settings an admin saved; a NULL column keeps the COMMENTSVC_* default.

    One row (id 1), written only through `services.discussion.save`.
    """

    __tablename__ = "discussion_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderation: Mapped[str | None] = mapped_column(String(16))
    max_links: Mapped[int | None]
    moderation_words: Mapped[list[str] | None] = mapped_column(JSON)
    disallowed_words: Mapped[list[str] | None] = mapped_column(JSON)
    close_after_days: Mapped[int | None]
    checker_enabled: Mapped[bool | None]
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)
