"""A reader's new comment: checked, judged by the policy, sanitised, stored.

The order matters. The external checker (network I/O) is asked first, outside any
transaction, so a slow checker never holds SQLite's write lock or an open PostgreSQL
transaction. Then the write begins, and what the flood and duplicate rules read is read
under a lock, so two instances cannot both let the same thing through: on SQLite,
BEGIN IMMEDIATE (`begin_write`) admits one writer at a time; on PostgreSQL, a
transaction-scoped advisory lock per email and per IP serialises submissions by the
same author (other authors go on in parallel). A refusal rolls everything back.
"""

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam, false, func, literal, null, select, text

from .. import checker as checkers
from .. import driver, policy
from ..config import Settings
from ..errors import DomainError, Duplicate, TooFast, ValidationFailed
from ..models import Article, Comment, utcnow
from ..ops import counters
from ..policy import history
from ..status import Status
from ..threads import MAX_ID
from ..tokens import FormStamp
from . import (
    Client,
    articles,
    begin_write,
    comments,
    discussion,
    idempotency,
    notifications,
    outbox,
)


def submit_comment(
    session,
    article_id: str,
    data: dict,
    client: Client,
    settings: Settings,
    *,
    once: idempotency.Once | None = None,
    stamp: FormStamp | None = None,
    trusted: bool = False,
) -> Comment:
    """Store a new comment with the status the policy gives it.

    `data` is what the submission schema loaded: name, email, url, body, parent_id, the
    honeypot, and notify_replies (the author wants mail when someone replies). With
    `once`, its key is stored with the comment; a refusal leaves neither. `stamp` is
    what the form token said (None: no token was sent); `trusted` means the request
    carried a valid API key (no form, no time-trap).
    :raise idempotency.Replay: `once` was already answered (nothing new is stored).
    :raise IdempotencyKeyReused: `once`'s key was used for a different request.
    :raise IdempotencyKeyInUse: a request with `once`'s key is still being answered.
    :raise NotFound: unknown article and auto-creation is off.
    :raise CommentsClosed: the article takes no more comments.
    :raise ValidationFailed: the parent is not a visible comment of this article,
        or the reply would nest deeper than the thread allows.
    :raise Duplicate: the same email said the same thing on this article before.
    :raise TooFast: the same IP or email posted less than the flood interval ago.
    """
    submission = _submission(data, client, stamp, trusted)
    answer = None
    if settings.checker_configured:
        # Whether the checker is on is a setting an admin may have saved.
        answer = _ask_checker(
            session, article_id, submission, discussion.effective(session, settings)
        )
    # Sanitising is pure work: done before the write lock, which waits only on the reads
    # the rules need and on the inserts.
    author = comments.written(
        name=data["name"],
        email=data["email"],
        url=data.get("url"),
        body=data["body"],
        client=client,
    )
    begin_write(session)
    # Read in the write transaction: no transaction of its own to begin and end, and the
    # rules judge by what is in force as the comment is stored.
    settings = discussion.effective(session, settings)
    claimed = idempotency.claim(session, once) if once else None
    try:
        article = articles.for_submission(
            session,
            article_id,
            auto_create=settings.articles_auto_create,
            close_after_days=settings.close_after_days,
        )
        parent = _parent(session, article, data.get("parent_id"), settings.thread_depth)
        _lock_author(session, submission)
        context = _context(session, article, submission, settings, answer)
        verdict = policy.evaluate(submission, context)
        if verdict.refusal is not None:
            counters.submission("refused", [r.rule for r in verdict.reasons])
            raise _refusal(verdict.refusal)
    except DomainError:
        session.rollback()  # a refused comment leaves nothing behind, not even its article
        raise
    comment = comments.store(
        session,
        article=article,
        parent=parent,
        author=author,
        status=verdict.status,
        held_reasons=verdict.stored_reasons(),
    )
    if verdict.status is not Status.pending:
        # A comment starts held; the policy moving it on is a decision worth a trail.
        comments.record(
            session,
            comment,
            "policy",
            from_status=Status.pending,
            reason="; ".join(r.message for r in verdict.reasons) or None,
        )
    if verdict.status is Status.approved:
        articles.bump_versions(session, {article.id})
    if data.get("notify_replies"):
        notifications.subscribe(session, comment)
    outbox.enqueue(session, "comment.created", comment, article=article)
    if claimed is not None:
        idempotency.complete(session, claimed, once, comment)
    session.commit()
    counters.submission(verdict.status.value, [r.rule for r in verdict.reasons])
    return comment


def _submission(data: dict, client: Client, stamp: FormStamp | None, trusted: bool):
    stamp = stamp or FormStamp(None, "missing")
    return policy.Submission(
        name=data["name"],
        email=data["email"],
        url=data.get("url"),
        body=data["body"],
        ip=client.remote_addr,
        user_agent=client.user_agent,
        honeypot=data.get("honeypot") or "",
        form_age=stamp.age,
        form_problem=stamp.problem,
        trusted=trusted,
    )


def _ask_checker(session, article_id: str, submission, settings: Settings):
    """The external checker's answer, asked outside any transaction; None when it is off.

    A comment the local rules already file as spam or refuse is not sent: that spares
    the checker's quota and answers floods at once.
    """
    checker = checkers.for_settings(settings)
    if checker is None:
        return None
    article = articles.find(session, article_id)
    preview = policy.evaluate(submission, _context(session, article, submission, settings, None))
    permalink = article.url if article is not None else None
    session.rollback()  # end the read transaction before waiting on the network
    if preview.outcome >= policy.Outcome.spam:
        return None
    message = checkers.Message.of(
        ip=submission.ip,
        user_agent=submission.user_agent,
        name=submission.name,
        email=submission.email,
        url=submission.url,
        body=submission.body,
        permalink=permalink,
        when=utcnow(),
    )
    return checker.check(message)


def _lock_author(session, submission) -> None:
    """Serialise submissions by the same email or IP across instances (PostgreSQL).

    SQLite needs nothing more: `begin_write` already took its only write lock.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    names = {f"email:{submission.email}"} | ({f"ip:{submission.ip}"} if submission.ip else set())
    # Always in the same order, so two submissions never wait on each other in a circle.
    for key in sorted(_lock_key(name) for name in names):
        session.connection().execute(_ADVISORY_LOCK, {"key": key})


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _lock_key(name: str) -> int:
    digest = hashlib.sha256(f"commentsvc:submit:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _context(
    session, article: Article | None, submission, settings: Settings, answer
) -> policy.Context:
    """What the rules need to know from the database, read only when a rule is on."""
    by_ip = submission.ip if not submission.trusted else None  # a service's IP is its own
    past = _author_history(session, submission.email, by_ip, settings)
    return policy.Context(
        moderation=settings.moderation,
        max_links=settings.max_links,
        approved_before=past.approved,
        moderation_words=settings.moderation_words,
        disallowed_words=settings.disallowed_words,
        min_form_seconds=settings.min_form_seconds,
        flood_seconds=settings.flood_seconds,
        last_post_seconds=past.last_seconds,
        last_post_by=past.last_by,
        duplicate_of=(
            _duplicate(session, article, submission)
            if settings.refuse_duplicates and article is not None and article.id is not None
            else None
        ),
        spam_repeat=settings.spam_repeat,
        spam_by_email=past.spam_by_email,
        spam_by_ip=past.spam_by_ip,
        checker=answer,
    )


@dataclass(frozen=True)
class _Past:
    approved: int = 0  # approved comments by this email
    spam_by_email: int = 0
    spam_by_ip: int = 0
    last_seconds: float | None = None  # since this email or IP last posted anything
    last_by: str | None = None  # "email" or "ip": which of them posted last


def _author_history(session, email: str, ip: str | None, settings: Settings) -> _Past:
    """What the rules that are on ask about the author's past, in one round trip."""
    flood = settings.flood_seconds > 0
    first = settings.moderation == "first"  # only this mode asks for approved comments
    repeat = settings.spam_repeat > 0
    if not (flood or first or repeat):
        return _Past()
    query = _history_query(flood, first, repeat, by_ip=bool(ip))
    last_email, last_ip, approved, spam_email, spam_ip = query.first(
        session.connection(), {"email": email, "ip": ip}
    )
    seen = {by: _aware(when) for by, when in (("email", last_email), ("ip", last_ip)) if when}
    last_by = max(seen, key=seen.__getitem__) if seen else None
    return _Past(
        approved=approved,
        spam_by_email=spam_email,
        spam_by_ip=spam_ip,
        last_seconds=(utcnow() - seen[last_by]).total_seconds() if last_by else None,
        last_by=last_by,
    )


@functools.cache
def _history_query(flood: bool, first: bool, repeat: bool, *, by_ip: bool):
    """The history statement for the rules that are on, built once per combination.

    Each question is its own subquery so each walks its own index: an address shared by
    many readers (a newsroom, a mobile carrier) may have thousands of comments, and a
    single aggregate over all of them would cost every submission from it a scan.
    """
    by_email = Comment.author_email == bindparam("email")
    by_address = Comment.remote_addr == bindparam("ip") if by_ip else false()

    def latest(condition):
        return select(func.max(Comment.created_at)).where(condition).scalar_subquery()

    def count(*conditions):
        return select(func.count()).select_from(Comment).where(*conditions).scalar_subquery()

    # By email, the email index finds the rows (see _not_looked_up); by address, the
    # address-and-status index does.
    email_status, address_status = _not_looked_up(Comment.status), Comment.status

    return driver.Select(
        select(
            (latest(by_email) if flood else null()).label("last_email"),
            (latest(by_address) if flood and by_ip else null()).label("last_ip"),
            (count(by_email, email_status == Status.approved) if first else literal(0)).label(
                "approved"
            ),
            (count(by_email, email_status == Status.spam) if repeat else literal(0)).label(
                "spam_email"
            ),
            (
                count(by_address, address_status == Status.spam) if repeat and by_ip else literal(0)
            ).label("spam_ip"),
        )
    )


def _not_looked_up(column):
    """`column` as an expression, which no index lookup can serve, on either database.

    SQLite without statistics looks rows up through the first index an equality fits:
    the article's thread or the status queue, which grow with the site, where the
    author's email index finds a handful. An expression ("+ 0", "|| ''") leaves the
    email index as the only way in.
    """
    return column + 0 if isinstance(column.type, Integer) else column.concat("")


def _aware(value: datetime) -> datetime:
    # func.max() bypasses the column type on SQLite, which then hands back a naive string.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


_SAID_HERE = driver.Select(
    select(Comment.id, Comment.body).where(
        _not_looked_up(Comment.article_pk) == bindparam("article_pk"),
        Comment.author_email == bindparam("email"),
        Comment.erased_at.is_(None),
    )
)


def _duplicate(session, article: Article, submission) -> int | None:
    wanted = history.same_text(submission.body)
    rows = _SAID_HERE.rows(
        session.connection(), {"article_pk": article.id, "email": submission.email}
    )
    return next((cid for cid, body in rows if history.same_text(body) == wanted), None)


def _refusal(reason: policy.Reason) -> DomainError:
    if reason.rule == "flood":
        return TooFast(retry_after=reason.details["retry_after"])
    return Duplicate()


# What a reply needs of its parent: a plain row, as for the article.
_PARENT = driver.Select(
    select(Comment.id, Comment.root_id, Comment.depth, Comment.article_pk, Comment.status).where(
        Comment.id == bindparam("id")
    )
)


def _parent(session, article: Article, parent_id: int | None, max_depth: int):
    if parent_id is None:
        return None
    parent = _PARENT.first(session.connection(), {"id": parent_id}) if parent_id <= MAX_ID else None
    if parent is None or parent.article_pk != article.id or parent.status is not Status.approved:
        raise ValidationFailed(
            fields={"parent_id": ["There is no published comment with this id on this article."]}
        )
    if parent.depth >= max_depth:
        raise ValidationFailed(
            fields={"parent_id": [f"Replies nest at most {max_depth} levels deep."]}
        )
    return parent
