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
    UniqueConstraint,
    false,
    text,
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

    def result_processor(self, dialect, coltype):
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        # SQLite hands back the text SQLAlchemy wrote ("2026-11-26 04:25:43.538227"):
        # one C call reads it as UTC, five times faster than parsing, then replacing the
        # zone (a thread page reads hundreds).
        def process(value):
            if value is None:
                return None
            try:
                return datetime.fromisoformat(value + "+00:00")
            except ValueError:  # text that names its own offset
                parsed = datetime.fromisoformat(value)
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

        return process


def only_set(column: str) -> dict:
    """A partial index's options: only rows whose `column` is not NULL have an entry.

    A lookup by value (`column = ?`) implies as much, so both databases still use it; and
    a row without the value costs its insert no index page to write.
    """
    where = text(f"{column} IS NOT NULL")
    return {"sqlite_where": where, "postgresql_where": where}


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


class Kind(enum.StrEnum):
    """What a comment is: written by a reader, or a link notice from another blog."""

    comment = "comment"
    pingback = "pingback"
    trackback = "trackback"


class HeldMail(enum.StrEnum):
    """What a moderator hears of held comments: a mail each, a daily digest, or nothing."""

    each = "each"
    digest = "digest"
    none = "none"


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
    # Approved comments in the thread, recounted in the same UPDATE that bumps the
    # version, so counts for a listing are one indexed read.
    approved_count: Mapped[int] = mapped_column(default=0, server_default="0")
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
    kind: Mapped[Kind] = mapped_column(
        Enum(Kind, name="kind", native_enum=False, create_constraint=True, length=16),
        default=Kind.comment,
        server_default=Kind.comment.value,
    )
    # Where an imported comment came from ("wordpress", "disqus", "isso", "commentsvc")
    # and its id there: a second import of the same file finds it and skips it.
    source: Mapped[str | None] = mapped_column(String(20))
    source_id: Mapped[str | None] = mapped_column(String(100))

    article: Mapped[Article] = relationship()
    parent: Mapped["Comment | None"] = relationship(
        remote_side=[id], foreign_keys=[parent_id], lazy="select"
    )

    __table_args__ = (
        # The public thread of one article, in order; and the moderation queue.
        Index("ix_comments_thread", "article_pk", "status", "created_at", "id"),
        # A thread's top-level comments in page order: without it a planner may walk every
        # top-level comment of every article (parent_id IS NULL) to find one article's.
        Index("ix_comments_roots", "article_pk", "parent_id", "created_at", "id"),
        Index("ix_comments_queue", "status", "created_at", "id"),
        # Replies only: a top-level comment (most of them) adds no entry to write.
        Index("ix_comments_root_id", "root_id", **only_set("root_id")),
        Index("ix_comments_parent_id", "parent_id", **only_set("parent_id")),
        Index("ix_comments_author_email", "author_email"),
        # Flood and repeat-offender checks look up an address's latest comments.
        Index("ix_comments_remote_addr", "remote_addr", "created_at"),
        # The repeat-offender rule counts an address's spam, on every submission.
        Index("ix_comments_remote_addr_status", "remote_addr", "status"),
        UniqueConstraint("source", "source_id"),
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
    held_mail: Mapped[HeldMail] = mapped_column(
        Enum(HeldMail, name="held_mail", native_enum=False, create_constraint=True, length=16),
        default=HeldMail.each,
        server_default=HeldMail.each.value,
    )
    # The digest covers comments held since the last one.
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The review UI's and the mails' language (a code of locales.LOCALES); unset: the browser's.
    locale: Mapped[str | None] = mapped_column(String(16))


class ModeratorSession(db.Model):
    """A signed-in browser: the review UI's cookie names one, and signing out ends it here."""

    __tablename__ = "moderator_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the random id the cookie carries: a copy of this table signs no one in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


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
    # Who acted when it is no row here: "import" for an import's own event, or the actor
    # an exported trail named ("moderator:ann@example.com"), kept as it came.
    actor_label: Mapped[str | None] = mapped_column(String(300))
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


class IdempotencyKey(db.Model):
    """A submission's Idempotency-Key and the answer it got, kept 24 hours.

    Written in the same transaction as the comment, so a key exists exactly when its
    comment does; the unique key makes concurrent retries store once.
    """

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    # What the request asked for (a hash): the same key with other content is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column()
    response: Mapped[dict | None] = mapped_column(JSON)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_idempotency_keys_created_at", "created_at"),
        Index("ix_idempotency_keys_comment_id", "comment_id"),
    )


# ---- notifications: the outbox, webhooks, readers' subscriptions, periodic jobs ----------


class OutboxKind(enum.StrEnum):
    event = "event"  # a change worth telling; the worker fans it out into mails and webhooks
    mail = "mail"
    webhook = "webhook"
    checker = "checker"  # a moderator's spam / not-spam decision, reported to the checker


class OutboxState(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # out of attempts: shown to admins, who may retry it
    cancelled = "cancelled"  # nobody wants it any more (e.g. the reader unsubscribed)


def _plain_enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=16)


class Webhook(db.Model):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Only moderation endpoints receive the author's email, IP and User-Agent.
    moderation: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Kept in clear: every delivery is signed with it (Standard Webhooks, whsec_...).
    secret: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OutboxMessage(db.Model):
    """Something to tell, written in the same transaction as the change it tells of."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable across attempts, so receivers can drop a repeat (webhook-id, Message-ID).
    delivery_id: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[OutboxKind] = mapped_column(_plain_enum(OutboxKind, "outbox_kind"))
    event: Mapped[str] = mapped_column(String(40))
    # Where it goes: an email address (mail) or an endpoint (webhook).
    recipient: Mapped[str | None] = mapped_column(String(254))
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    # Whose personal data the payload carries, so one address can be scrubbed.
    author_email: Mapped[str | None] = mapped_column(String(254))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[OutboxState] = mapped_column(
        _plain_enum(OutboxState, "outbox_state"), default=OutboxState.pending
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # Claimable from then on: the retry time, or a claim's lease running out.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    webhook: Mapped[Webhook | None] = relationship()
    log: Mapped[list["OutboxAttempt"]] = relationship(order_by="OutboxAttempt.id", viewonly=True)

    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at"),
        # Each only for the kind of message it finds: an event (one per submission) adds
        # no entry to write to either.
        Index("ix_outbox_webhook", "webhook_id", "id", **only_set("webhook_id")),
        Index("ix_outbox_recipient", "recipient", **only_set("recipient")),
        Index("ix_outbox_author_email", "author_email"),
        Index("ix_outbox_comment_id", "comment_id"),
        Index("ix_outbox_created_at", "created_at"),
    )


class OutboxAttempt(db.Model):
    """One try at delivering a message: the delivery log admins read."""

    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None while it runs; stays None when the worker died during it.
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ok: Mapped[bool | None] = mapped_column()
    status_code: Mapped[int | None] = mapped_column()
    detail: Mapped[str | None] = mapped_column(String(500))
    worker: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_outbox_attempts_message", "message_id", "id"),)


class Subscription(db.Model):
    """A reader asked to hear of replies to one of their comments."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    article_pk: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_subscriptions_email", "email"),)


class MailOptOut(db.Model):
    """An unsubscribe, for good: one article's thread, or (no article) the whole site."""

    __tablename__ = "mail_opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    article_pk: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_mail_opt_outs_email", "email"),)


class ScheduledJob(db.Model):
    """When a periodic job (the digest, pruning) runs next; workers claim it by updating it."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


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
