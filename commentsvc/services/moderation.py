"""Moderators' work: the queue, decisions, edits and erasure, each leaving a trail."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from .. import sanitize
from ..errors import InvalidTransition, NotFound
from ..i18n import N_
from ..models import Article, Comment, ModerationEvent, utcnow
from ..status import ACTIONS, DECISIONS, NOT_SPAM, Status, can_transition
from . import Actor, articles, begin_write, idempotency, outbox, paging


def get_comment(session, comment_id: int) -> Comment:
    """:raise NotFound: no such comment."""
    comment = session.get(Comment, comment_id, options=[joinedload(Comment.article)])
    if comment is None:
        raise NotFound(f"No comment with id {comment_id}.")
    return comment


def list_comments(
    session,
    *,
    status: Status | None = None,
    article_id: str | None = None,
    q: str | None = None,
    order: str = "newest",
    limit: int = 50,
    cursor=None,
    since: datetime | None = None,
    until: datetime | None = None,
    email: str | None = None,
) -> tuple[list[Comment], str | None]:
    """One page of the moderation queue, newest first unless asked otherwise.

    `since` is inclusive and `until` exclusive; `email` matches one author exactly.
    """
    query = (
        select(Comment)
        .options(joinedload(Comment.article))
        .where(*queue_filters(article_id=article_id, q=q, since=since, until=until, email=email))
    )
    if status is not None:
        query = query.where(Comment.status == status)
    query = paging.in_page_order(query, cursor, newest=order != "oldest")
    return paging.cut(session.scalars(query.limit(limit + 1)).unique().all(), limit)


def queue_filters(*, article_id=None, q=None, since=None, until=None, email=None) -> list:
    """The queue's conditions other than status, shared by its pages and its counts."""
    conditions = [Comment.erased_at.is_(None)]
    if article_id:
        conditions.append(
            Comment.article_pk.in_(select(Article.id).where(Article.article_id == article_id))
        )
    if q:
        columns = (Comment.author_name, Comment.author_email, Comment.author_url, Comment.body)
        conditions.append(or_(*(c.icontains(q, autoescape=True) for c in columns)))
    if since is not None:
        conditions.append(Comment.created_at >= since)
    if until is not None:
        conditions.append(Comment.created_at < until)
    if email:
        conditions.append(Comment.author_email == email.strip().lower())
    return conditions


def moderate(
    session,
    comment_ids: Sequence[int],
    action: str,
    actor: Actor,
    reason: str | None = None,
    batch_id: str | None = None,
    *,
    report: bool = False,
) -> list[Comment]:
    """Move every listed comment to the action's status, or none of them.

    `action` is one of DECISIONS; "unspam" moves each spam comment back to the status
    it had before it was marked spam (pending when the trail does not say). The events
    share `batch_id` (made here unless given), so `undo` can revert the decision as a
    whole. With `report` (the external checker is on), spam and not-spam decisions are
    queued in the outbox, in the same transaction, for the worker to tell the checker.
    :raise NotFound: an id names no comment (or an erased one).
    :raise InvalidTransition: a comment already has that status (for "unspam": is not spam).
    """
    begin_write(session)
    ids = list(dict.fromkeys(comment_ids))
    found = _locked(session, ids)
    targets = _targets(session, found, action)
    before = {c.id: c.status for c in found.values()}
    batch_id = batch_id or new_batch_id()
    for comment in found.values():
        session.add(event(comment, action, actor, targets[comment.id], reason, batch_id))
        comment.status = targets[comment.id]
        outbox.enqueue(
            session,
            "comment.moderated",
            comment,
            from_status=before[comment.id],
            action=action,
            reason=reason,
        )
        kind = report_kind(before[comment.id], comment.status) if report else None
        if kind is not None:
            outbox.report_to_checker(session, comment, kind)
    articles.bump_versions(session, {c.article_pk for c in found.values()})
    session.commit()
    return [found[i] for i in ids]


def _locked(session, ids: list[int]) -> dict[int, Comment]:
    # Lock the rows (PostgreSQL) so two moderators cannot record the same move twice.
    found = {
        c.id: c
        for c in session.scalars(
            select(Comment)
            .where(Comment.id.in_(ids), Comment.erased_at.is_(None))
            .with_for_update()
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(
            f"No comment with id {', '.join(map(str, missing))}.",
            fields={"ids": [f"No comment with id {i}." for i in missing]},
        )
    return found


def _targets(session, found: dict[int, Comment], action: str) -> dict[int, Status]:
    """Where each comment goes. :raise InvalidTransition: one cannot go there."""
    if action == NOT_SPAM:
        stuck = [c for c in found.values() if c.status is not Status.spam]
        if stuck:
            raise InvalidTransition(
                f"{len(stuck)} comment(s) are not spam; nothing was changed.",
                fields={"ids": [f"Comment {c.id} is not spam." for c in stuck]},
            )
        return before_spam(session, list(found))
    target = ACTIONS[action]
    stuck = [c for c in found.values() if not can_transition(c.status, target)]
    if stuck:
        raise InvalidTransition(
            f"{len(stuck)} comment(s) are already {target.value}; nothing was changed.",
            fields={"ids": [f"Comment {c.id} is already {target.value}." for c in stuck]},
        )
    return dict.fromkeys(found, target)


def before_spam(session, comment_ids: list[int]) -> dict[int, Status]:
    """The status each comment had before it was last marked spam; pending when unknown."""
    moves = session.execute(
        select(ModerationEvent.comment_id, ModerationEvent.from_status)
        .where(
            ModerationEvent.comment_id.in_(comment_ids),
            ModerationEvent.to_status == Status.spam,
        )
        .order_by(ModerationEvent.id)
    ).all()
    earlier = {comment_id: status for comment_id, status in moves}  # the last move wins
    return {
        i: s if (s := earlier.get(i)) not in (None, Status.spam) else Status.pending
        for i in comment_ids
    }


def report_kind(was: Status, now: Status) -> str | None:
    """What a decision teaches the external checker: "spam", "ham" (not spam after all),
    or nothing (approving or rejecting what was never called spam)."""
    if now is Status.spam:
        return "spam"
    if was is Status.spam and now is not Status.rejected:
        return "ham"
    return None


def undo(session, batch_id: str, actor: Actor) -> list[Comment]:
    """Put every comment of one decision back where it was; the undo is logged too.

    :raise NotFound: no decision with that id.
    :raise InvalidTransition: a comment moved again since, or was erased; nothing changes.
    """
    begin_write(session)
    events = session.scalars(
        select(ModerationEvent)
        .where(ModerationEvent.batch_id == batch_id, ModerationEvent.action.in_(DECISIONS))
        .order_by(ModerationEvent.id)
    ).all()
    if not events:
        raise NotFound(N_("There is no decision to undo."))
    comments = {
        c.id: c
        for c in session.scalars(
            select(Comment).where(Comment.id.in_([e.comment_id for e in events])).with_for_update()
        )
    }
    moved = [
        e.comment_id
        for e in events
        if comments[e.comment_id].erased_at or comments[e.comment_id].status != e.to_status
    ]
    if moved:
        raise InvalidTransition(
            "Some comments changed since that decision; nothing was undone.",
            fields={"ids": [f"Comment {i} changed since." for i in moved]},
        )
    undo_batch = new_batch_id()
    for decided in events:
        comment = comments[decided.comment_id]
        reason = f"Undo of {decided.action}"
        session.add(event(comment, "undo", actor, decided.from_status, reason, undo_batch))
        before, comment.status = comment.status, decided.from_status
        outbox.enqueue(
            session, "comment.moderated", comment, from_status=before, action="undo", reason=reason
        )
    articles.bump_versions(session, {c.article_pk for c in comments.values()})
    session.commit()
    return [comments[e.comment_id] for e in events]


def new_batch_id() -> str:
    return uuid.uuid4().hex


def edit_comment(
    session, comment_id: int, body: str, actor: Actor, reason: str | None = None
) -> Comment:
    """Replace a comment's text, re-sanitised, keeping the old text in the trail.

    :raise NotFound: no such comment, or it was erased.
    """
    begin_write(session)
    comment = get_comment(session, comment_id)
    if comment.erased_at is not None:
        raise NotFound(f"Comment {comment_id} was erased.")
    edit = event(comment, "edit", actor, comment.status, reason)
    edit.details = {"before": comment.body, "after": body}
    session.add(edit)
    comment.body = body
    comment.html = sanitize.render(body)
    comment.sanitizer_version = sanitize.SANITIZER_VERSION
    articles.bump_versions(session, {comment.article_pk})
    outbox.enqueue(session, "comment.edited", comment)
    session.commit()
    return comment


def erase_comment(session, comment_id: int, actor: Actor) -> None:
    """Erase a comment's text and its author's data, and the text of its trail.

    The row stays (blank) so replies keep their place and the trail keeps who
    erased it and when. Erasing twice is harmless.
    :raise NotFound: no such comment.
    """
    begin_write(session)
    comment = get_comment(session, comment_id)
    if comment.erased_at is not None:
        return
    erase(session, [comment], actor)
    articles.bump_versions(session, {comment.article_pk})
    session.commit()


def erase(
    session,
    comments: Sequence[Comment],
    actor: Actor,
    batch_id: str | None = None,
    *,
    reason: str | None = None,
    details: dict | None = None,
) -> None:
    """Blank these comments and their trails in the caller's unit of work (no commit, no
    version bump, so a privacy request erasing many bumps each article once).

    `reason` and `details` go on each erase event (a privacy request names its mode and
    count there). The trails are blanked before the erase events are written.
    """
    ids = [c.id for c in comments]
    for chunk in chunks(ids):
        session.execute(
            update(ModerationEvent)
            .where(ModerationEvent.comment_id.in_(chunk))
            .values(reason=None, details=None)
            .execution_options(synchronize_session=False)
        )
    idempotency.forget(session, *ids)
    # One flush at the end, not one per comment before each of enqueue's lookups: the
    # lookups find stored mails, and nothing this loop adds is one.
    with session.no_autoflush:
        for comment in comments:
            erased = event(comment, "erase", actor, Status.rejected, reason, batch_id)
            erased.details = details
            session.add(erased)
            comment.status = Status.rejected
            comment.author_name = comment.author_email = comment.body = comment.html = ""
            comment.author_url = comment.remote_addr = comment.user_agent = None
            comment.held_reasons = []
            comment.erased_at = utcnow()
            outbox.enqueue(session, "comment.erased", comment)


def chunks(ids: Sequence[int], size: int = 500):
    """`ids` a few hundred at a time, for IN lists every database takes."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def events_for(session, comment_id: int) -> list[ModerationEvent]:
    """A comment's moderation history, oldest first.

    :raise NotFound: no such comment.
    """
    get_comment(session, comment_id)
    return session.scalars(
        select(ModerationEvent)
        .where(ModerationEvent.comment_id == comment_id)
        .order_by(ModerationEvent.created_at, ModerationEvent.id)
    ).all()


def event(comment: Comment, action: str, actor: Actor, target: Status, reason, batch_id=None):
    """The audit row for one change of one comment (added by the caller, in its unit of work)."""
    return ModerationEvent(
        comment_id=comment.id,
        moderator_id=actor.moderator_id,
        api_key_id=actor.api_key_id,
        action=action,
        from_status=comment.status,
        to_status=target,
        reason=reason,
        batch_id=batch_id,
    )
