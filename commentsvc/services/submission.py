"""A reader's new comment: checked, judged by the policy, sanitised, stored."""

from sqlalchemy import func, select

from .. import policy
from ..config import Settings
from ..errors import DomainError, ValidationFailed
from ..models import Article, Comment
from ..status import Status
from ..threads import MAX_ID
from . import Client, articles, begin_write, comments, idempotency, notifications, outbox


def submit_comment(
    session,
    article_id: str,
    data: dict,
    client: Client,
    settings: Settings,
    once: idempotency.Once | None = None,
) -> Comment:
    """Store a new comment with the status the policy gives it.

    `data` is what the submission schema loaded: name, email, url, body, parent_id,
    and notify_replies (the author wants mail when someone replies).
    With `once`, its key is stored with the comment; a refusal leaves neither.
    :raise idempotency.Replay: `once` was already answered (nothing new is stored).
    :raise IdempotencyKeyReused: `once`'s key was used for a different request.
    :raise IdempotencyKeyInUse: a request with `once`'s key is still being answered.
    :raise NotFound: unknown article and auto-creation is off.
    :raise CommentsClosed: the article takes no more comments.
    :raise ValidationFailed: the parent is not a visible comment of this article,
        or the reply would nest deeper than the thread allows.
    """
    begin_write(session)
    claimed = idempotency.claim(session, once) if once else None
    try:
        article = articles.for_submission(
            session, article_id, auto_create=settings.articles_auto_create
        )
        parent = _parent(session, article, data.get("parent_id"), settings.thread_depth)
    except DomainError:
        session.rollback()  # a refused comment leaves no article behind
        raise
    verdict = policy.evaluate(
        policy.Submission(data["name"], data["email"], data.get("url"), data["body"]),
        policy.Context(
            moderation=settings.moderation,
            max_links=settings.max_links,
            # Only the "first" mode asks; spare every other submission the query.
            approved_before=(
                _approved_count(session, data["email"]) if settings.moderation == "first" else 0
            ),
        ),
    )
    comment = comments.add(
        session,
        article_pk=article.id,
        parent=parent,
        name=data["name"],
        email=data["email"],
        url=data.get("url"),
        body=data["body"],
        status=verdict.status,
        held_reasons=verdict.reasons,
        client=client,
    )
    if verdict.status is not Status.pending:
        # A comment starts held; the policy moving it on is a decision worth a trail.
        comments.record(
            session,
            comment,
            "policy",
            from_status=Status.pending,
            reason="; ".join(verdict.reasons) or None,
        )
    if verdict.status is Status.approved:
        articles.bump_versions(session, {article.id})
    if data.get("notify_replies"):
        notifications.subscribe(session, comment)
    outbox.enqueue(session, "comment.created", comment)
    if claimed is not None:
        idempotency.complete(session, claimed, once, comment)
    session.commit()
    return comment


def _parent(session, article: Article, parent_id: int | None, max_depth: int) -> Comment | None:
    if parent_id is None:
        return None
    parent = session.get(Comment, parent_id) if parent_id <= MAX_ID else None
    if parent is None or parent.article_pk != article.id or parent.status is not Status.approved:
        raise ValidationFailed(
            fields={"parent_id": ["There is no published comment with this id on this article."]}
        )
    if parent.depth >= max_depth:
        raise ValidationFailed(
            fields={"parent_id": [f"Replies nest at most {max_depth} levels deep."]}
        )
    return parent


def _approved_count(session, email: str) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.author_email == email)
        .where(Comment.status == Status.approved)
    )
