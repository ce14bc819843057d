"""A reader's privacy requests (export, erase) and the retention purge of IPs and User-Agents.

Everything the service stores about an address lives in: its comments (name, email, URL,
IP, User-Agent, text), their audit trail, the outbox (mails to it, payloads carrying it,
delivery errors naming it), reply subscriptions and unsubscribes, and the idempotency
answers kept a day. An export reads all of them; an erasure clears all of them in one
transaction and leaves one audited decision whose details name the mode and the count,
never the address.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Text, cast, func, or_, select, update
from sqlalchemy.orm import joinedload

from ..errors import ValidationFailed
from ..models import (
    Article,
    Comment,
    MailOptOut,
    ModerationEvent,
    Moderator,
    OutboxAttempt,
    OutboxMessage,
    OutboxState,
    Subscription,
    utcnow,
)
from . import Actor, articles, begin_write, idempotency, moderation, outbox

MODES = ("anonymise", "remove")
ANONYMOUS = "Anonymous"
REMOVED = "[removed]"
EXPORT_FORMAT = "commentsvc-privacy-export"
EXPORT_VERSION = 1


@dataclass(frozen=True)
class ErasureResult:
    count: int  # the address's comments anonymised or removed
    mode: str
    batch_id: str | None  # the audited decision (None when there was no comment)
    other: int = 0  # rows elsewhere: outbox, subscriptions, unsubscribes, delivery log


def normalise(email: str) -> str:
    return email.strip().lower()


def _theirs(email: str):
    # Lower-cased on both sides: submissions store addresses lower-case, imports may not.
    return func.lower(Comment.author_email) == normalise(email)


def _comments(session, email: str, *, lock: bool = False) -> list[Comment]:
    query = (
        select(Comment)
        .options(joinedload(Comment.article))
        .where(_theirs(email), Comment.erased_at.is_(None))
        .order_by(Comment.created_at, Comment.id)
    )
    if lock:
        query = query.with_for_update(of=Comment)
    return list(session.scalars(query).unique())


def count(session, email: str) -> int:
    """How many comments (not yet erased) an address wrote: what an erasure would change."""
    return session.scalar(
        select(func.count()).select_from(Comment).where(_theirs(email), Comment.erased_at.is_(None))
    )


# ---- export ------------------------------------------------------------------------


def export_address(session, email: str) -> dict:
    """Everything stored about `email`, as JSON-ready data (an unknown address: all empty)."""
    email = normalise(email)
    comments = _comments(session, email)
    events = _events_by_comment(session, [c.id for c in comments])
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "email": email,
        "exported_at": utcnow().isoformat(),
        "names": _distinct(c.author_name for c in comments),
        "urls": _distinct(c.author_url for c in comments),
        "ip_addresses": _distinct(c.remote_addr for c in comments),
        "user_agents": _distinct(c.user_agent for c in comments),
        "comments": [_comment(c, events.get(c.id, [])) for c in comments],
        "subscriptions": _subscriptions(session, email),
        "unsubscribes": _unsubscribes(session, email),
        "pending_mail": _pending_mail(session, email),
        "moderator_account": _moderator(session, email),
    }


def _distinct(values) -> list[str]:
    return sorted({v for v in values if v})


def _comment(comment: Comment, events: list[ModerationEvent]) -> dict:
    article = comment.article
    return {
        "id": comment.id,
        "article": {"article_id": article.article_id, "title": article.title, "url": article.url},
        "parent_id": comment.parent_id,
        "status": comment.status.value,
        "author": {
            "name": comment.author_name,
            "email": comment.author_email,
            "url": comment.author_url,
        },
        "ip_address": comment.remote_addr,
        "user_agent": comment.user_agent,
        "body": comment.body,
        "html": comment.html,
        "held_reasons": list(comment.held_reasons or []),
        "created_at": comment.created_at.isoformat(),
        "updated_at": comment.updated_at.isoformat() if comment.updated_at else None,
        # Who moderated is the moderators' data, not the reader's: the events say what
        # happened to the comment and when.
        "events": [
            {
                "action": e.action,
                "from_status": e.from_status.value if e.from_status else None,
                "to_status": e.to_status.value if e.to_status else None,
                "reason": e.reason,
                "details": e.details,
                "created_at": e.created_at.isoformat(),
            }
            for e in events
        ],
    }


def _events_by_comment(session, comment_ids: list[int]) -> dict[int, list[ModerationEvent]]:
    found: dict[int, list[ModerationEvent]] = {}
    if not comment_ids:
        return found
    for e in session.scalars(
        select(ModerationEvent)
        .where(ModerationEvent.comment_id.in_(comment_ids))
        .order_by(ModerationEvent.created_at, ModerationEvent.id)
    ).unique():
        found.setdefault(e.comment_id, []).append(e)
    return found


def _subscriptions(session, email: str) -> list[dict]:
    rows = session.execute(
        select(Subscription, Article.article_id)
        .join(Article, Article.id == Subscription.article_pk)
        .where(func.lower(Subscription.email) == email)
        .order_by(Subscription.id)
    ).all()
    return [
        {
            "article_id": article_id,
            "comment_id": s.comment_id,
            "created_at": s.created_at.isoformat(),
        }
        for s, article_id in rows
    ]


def _unsubscribes(session, email: str) -> list[dict]:
    rows = session.execute(
        select(MailOptOut, Article.article_id)
        .outerjoin(Article, Article.id == MailOptOut.article_pk)
        .where(func.lower(MailOptOut.email) == email)
        .order_by(MailOptOut.id)
    ).all()
    return [
        {"article_id": article_id, "created_at": o.created_at.isoformat()} for o, article_id in rows
    ]


def _pending_mail(session, email: str) -> list[dict]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            func.lower(OutboxMessage.recipient) == email,
            OutboxMessage.state == OutboxState.pending,
        )
        .order_by(OutboxMessage.id)
    )
    return [
        {"event": m.event, "comment_id": m.comment_id, "created_at": m.created_at.isoformat()}
        for m in rows
    ]


def _moderator(session, email: str) -> dict | None:
    found = session.scalar(select(Moderator).where(func.lower(Moderator.email) == email))
    if found is None:
        return None
    return {
        "name": found.name,
        "role": found.role.value,
        "active": found.is_active,
        "created_at": found.created_at.isoformat(),
    }


# ---- erasure -----------------------------------------------------------------------


def erase_address(session, email: str, *, mode: str = "anonymise", actor: Actor) -> ErasureResult:
    """Anonymise or remove every comment of `email` and clear the address from every other
    store, as one decision (one batch of events naming the mode and count, not the address).

    anonymise: name "Anonymous"; email, URL, IP and User-Agent cleared; the text kept.
    remove: each comment erased as `moderation.erase` does (a blank row stays, shown as a
    placeholder when it has replies).
    :raise ValidationFailed: `mode` is not one of MODES.
    """
    if mode not in MODES:
        raise ValidationFailed(fields={"mode": [f"Choose one of {', '.join(MODES)}."]})
    email = normalise(email)
    begin_write(session)
    comments = _comments(session, email, lock=True)
    batch_id = moderation.new_batch_id() if comments else None
    details = {"request": "privacy", "mode": mode, "count": len(comments)}
    reason = _reason(mode, len(comments), actor)
    needles = _needles(email, comments)
    # Before the comments change: the rows the erasure itself writes carry nothing to clear.
    _clear_outbox_about(session, comments, needles, mode)
    if mode == "remove":
        moderation.erase(session, comments, actor, batch_id, reason=reason, details=details)
    else:
        _anonymise(session, comments, needles, actor, batch_id, reason, details)
    other = outbox.forget_address(session, email)
    other += _scrub_delivery_log(session, email)
    articles.bump_versions(session, {c.article_pk for c in comments})
    session.commit()
    return ErasureResult(len(comments), mode, batch_id, other)


def _needles(email: str, comments: list[Comment]) -> list[str]:
    """What could name the person in free text: address, IPs, User-Agents, websites.

    Not the name: it is too often a common word ("Sam") to cut out of moderators' reasons.
    """
    found = [email]
    for c in comments:
        found += [c.author_email, c.remote_addr, c.user_agent, c.author_url]
    return [n for n in dict.fromkeys(found) if n]


def _clear_outbox_about(session, comments: list[Comment], needles: list[str], mode: str) -> None:
    """Outbox rows about these comments (events, mails, webhook deliveries, sent or not).

    remove: their payloads are emptied and what is still waiting is cancelled, as for a
    single erased comment. anonymise: the address and the rest are cut out of them
    (`outbox.forget_address` then replaces the author).
    """
    rows = [
        row
        for chunk in moderation.chunks([c.id for c in comments])
        for row in session.scalars(select(OutboxMessage).where(OutboxMessage.comment_id.in_(chunk)))
    ]
    for row in rows:
        if mode == "remove":
            row.payload = {}
            if row.state is OutboxState.pending:
                row.state, row.last_error = OutboxState.cancelled, "The comment was erased."
        else:
            row.payload = scrubbed(row.payload, needles)


def _reason(mode: str, count: int, actor: Actor) -> str:
    """What the activity log says of the decision: the mode and the count, never the address."""
    noun = "comment" if count == 1 else "comments"
    done = "removed" if mode == "remove" else "anonymised"
    # No moderator and no key: an operator at the command line (the policy never erases).
    who = "" if actor.moderator_id or actor.api_key_id else ", from the command line"
    return f"Privacy request: {count} {noun} {done}{who}"


def _anonymise(session, comments, needles, actor: Actor, batch_id, reason, details) -> None:
    ids = [c.id for c in comments]
    for chunk in moderation.chunks(ids):
        for e in session.scalars(
            select(ModerationEvent).where(ModerationEvent.comment_id.in_(chunk))
        ).unique():
            e.reason = scrubbed(e.reason, needles)
            e.details = scrubbed(e.details, needles)
    idempotency.forget(session, *ids)
    for comment in comments:
        decided = moderation.event(comment, "anonymise", actor, comment.status, reason, batch_id)
        decided.details = details
        session.add(decided)
        comment.author_name = ANONYMOUS
        comment.author_email = ""
        comment.author_url = comment.remote_addr = comment.user_agent = None
        comment.held_reasons = scrubbed(list(comment.held_reasons or []), needles)
        # Webhook receivers that copied the author's name hear of the change.
        outbox.enqueue(session, "comment.edited", comment)


def scrubbed(value, needles):
    """`value` (text, or JSON made of lists and dicts) with every needle cut out."""
    needles = [n for n in dict.fromkeys(needles) if n]
    if not needles or value is None:
        return value
    if isinstance(value, str):
        pattern = re.compile("|".join(map(re.escape, needles)), re.IGNORECASE)
        return pattern.sub(REMOVED, value)
    if isinstance(value, list):
        return [scrubbed(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: scrubbed(v, needles) for k, v in value.items()}
    return value


def _scrub_delivery_log(session, email: str) -> int:
    """Blank delivery errors that quote the address (a mail server's "550 <a@b> unknown")."""
    pattern = f"%{email}%"
    touched = session.execute(
        update(OutboxAttempt)
        .where(func.lower(OutboxAttempt.detail).like(pattern))
        .values(detail=REMOVED)
        .execution_options(synchronize_session=False)
    ).rowcount
    touched += session.execute(
        update(OutboxMessage)
        .where(func.lower(OutboxMessage.last_error).like(pattern))
        .values(last_error=REMOVED)
        .execution_options(synchronize_session=False)
    ).rowcount
    return touched


# ---- retention ---------------------------------------------------------------------


def purge_client_data(session, now: datetime | None = None, *, days: int = 30) -> int:
    """Clear the IP address and User-Agent of comments older than `days`; return how many.

    The IP is also cut out of the comment's held reasons ("the client IP … is in the
    list"), and outbox payloads of that age lose theirs too. `days` 0 keeps them forever.
    """
    if days <= 0:
        return 0
    begin_write(session)
    cutoff = (now or utcnow()) - timedelta(days=days)
    old = (Comment.created_at < cutoff,)
    quoted = cast(Comment.held_reasons, Text).contains(Comment.remote_addr)
    for comment in session.scalars(select(Comment).where(*old, quoted)):
        comment.held_reasons = scrubbed(list(comment.held_reasons), [comment.remote_addr])
    cleared = session.execute(
        update(Comment)
        .where(*old, or_(Comment.remote_addr.is_not(None), Comment.user_agent.is_not(None)))
        .values(remote_addr=None, user_agent=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    for row in session.scalars(select(OutboxMessage).where(OutboxMessage.created_at < cutoff)):
        payload = _without_client(row.payload)
        if payload != row.payload:
            row.payload = payload
    session.commit()
    return cleared


_CLIENT_KEYS = ("ip", "user_agent", "user_ip")


def _without_client(value):
    if isinstance(value, list):
        return [_without_client(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: (None if k in _CLIENT_KEYS and v else _without_client(v)) for k, v in value.items()}
