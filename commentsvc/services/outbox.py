"""The outbox: what to tell, written with the change it tells of, then claimed by a worker.

A service calls `enqueue` inside its unit of work, before its commit, so the row exists
exactly when the change does. The worker `claim`s rows (FOR UPDATE SKIP LOCKED on
PostgreSQL; SQLite's single writer lock serialises claims), delivers them outside any
transaction, and `finish`es each: sent, retried later with backoff, or failed. A claim
is a lease: a worker that dies mid-delivery leaves the row to be claimed again, with the
same `delivery_id`, once the lease runs out.
"""

import dataclasses
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from .. import checker as checkers
from .. import driver
from ..errors import NotFound
from ..models import (
    Comment,
    MailOptOut,
    OutboxAttempt,
    OutboxKind,
    OutboxMessage,
    OutboxState,
    Subscription,
    Webhook,
    utcnow,
)
from ..notify import Result
from ..status import Status
from . import begin_write

EVENTS = ("comment.created", "comment.moderated", "comment.edited", "comment.erased")
_NAMESPACE = uuid.UUID("1b5e4b8e-6d0f-4f7a-9d49-6c1a1f0b7e21")


def new_delivery_id(key: str | None = None) -> str:
    """A fresh id, or the same id for the same `key` (so a message cannot be made twice)."""
    return "msg_" + (uuid.uuid5(_NAMESPACE, key) if key else uuid.uuid4()).hex


def snapshot(comment: Comment, article=None) -> dict:
    """The comment as it is now, for mails and webhooks made later from this row.

    `article` (its `article_id`, `title` and `url`) saves loading `comment.article`.
    """
    article = comment.article if article is None else article
    if comment.erased_at is not None:
        return {"id": comment.id, "article_id": article.article_id}
    return {
        "id": comment.id,
        "article_id": article.article_id,
        "article_title": article.title,
        "article_url": article.url,
        "parent_id": comment.parent_id,
        "status": comment.status.value,
        "staff": bool(comment.is_staff),
        "author": {
            "name": comment.author_name,
            "email": comment.author_email,
            "url": comment.author_url,
        },
        "ip": comment.remote_addr,
        "user_agent": comment.user_agent,
        "body": comment.body,
        "html": comment.html,
        "held_reasons": list(comment.held_reasons or []),
        "created_at": comment.created_at.isoformat(),
    }


_INSERT = driver.Insert(
    OutboxMessage.__table__,
    (
        *("delivery_id", "kind", "event", "comment_id", "author_email", "payload"),
        *("state", "attempts", "next_attempt_at", "created_at"),
    ),
)


def enqueue(
    session,
    event: str,
    comment: Comment,
    *,
    from_status: Status | None = None,
    action: str | None = None,
    reason: str | None = None,
    article=None,
) -> None:
    """Record that `event` happened to `comment`, in the caller's unit of work (no commit).

    The worker later fans it out to moderators, subscribers and webhook endpoints. An
    erased comment's mails that are still waiting are dropped, so its text goes nowhere.
    `article` is the comment's, when the caller has it (see `snapshot`).
    """
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    payload: dict = {"comment": snapshot(comment, article)}
    if event == "comment.moderated":
        payload.update(action=action, reason=reason, to=comment.status.value)
        payload["from"] = from_status.value
    if event == "comment.erased":
        _cancel_mails_about(session, comment.id)
    # One statement, at once: the ORM's unit of work would add a flush to every change.
    now = utcnow()
    _INSERT.run(
        session.connection(),
        {
            "delivery_id": new_delivery_id(),
            "kind": OutboxKind.event,
            "event": event,
            "comment_id": comment.id,
            "author_email": comment.author_email or None,
            "payload": payload,
            "state": OutboxState.pending,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )


def report_to_checker(session, comment: Comment, kind: str) -> OutboxMessage:
    """Record that moderators found `comment` to be `kind` ("spam" or "ham"), for the
    external checker to learn from; the worker sends it (Akismet's submit-spam/-ham)."""
    message = checkers.Message.of(
        ip=comment.remote_addr,
        user_agent=comment.user_agent,
        name=comment.author_name,
        email=comment.author_email,
        url=comment.author_url,
        body=comment.body,
        permalink=comment.article.url,
        when=comment.created_at,
    )
    row = OutboxMessage(
        delivery_id=new_delivery_id(),
        kind=OutboxKind.checker,
        event=f"checker.{kind}",
        comment_id=comment.id,
        author_email=comment.author_email or None,
        payload={"kind": kind, "message": dataclasses.asdict(message)},
    )
    session.add(row)
    return row


def _cancel_mails_about(session, comment_id: int) -> None:
    for row in session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.comment_id == comment_id,
            OutboxMessage.state == OutboxState.pending,
            OutboxMessage.kind == OutboxKind.mail,
        )
    ):
        row.state = OutboxState.cancelled
        row.payload = {}
        row.last_error = "The comment was erased."


# ---- the worker's side ------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 12
    base_seconds: float = 30
    max_seconds: float = 6 * 3600
    lease_seconds: float = 300

    @classmethod
    def from_config(cls, config) -> "RetryPolicy":
        return cls(
            max_attempts=int(config["OUTBOX_MAX_ATTEMPTS"]),
            base_seconds=float(config["OUTBOX_RETRY_BASE_SECONDS"]),
            max_seconds=float(config["OUTBOX_RETRY_MAX_SECONDS"]),
            lease_seconds=float(config["OUTBOX_LEASE_SECONDS"]),
        )


def backoff(attempt: int, base: float, cap: float, rand: Callable[[], float] = random.random):
    """Seconds to wait after failed attempt number `attempt`: doubling, capped, jittered.

    The jitter (between half and all of the delay) keeps many rows that failed together,
    when a receiver went down, from all coming back at the same second.
    """
    delay = min(cap, base * 2 ** max(attempt - 1, 0))
    return delay / 2 + rand() * delay / 2


@dataclass(frozen=True)
class Claimed:
    """A row a worker holds for one attempt: everything delivery needs, no session."""

    id: int
    delivery_id: str
    kind: OutboxKind
    event: str
    recipient: str | None
    comment_id: int | None
    payload: dict
    attempt: int
    attempt_id: int
    webhook_url: str | None = None
    webhook_secret: str | None = None


def claim(session, *, limit: int, lease_seconds: float, worker: str, now=None) -> list[Claimed]:
    """Take up to `limit` due rows for one attempt each; commit so other workers skip them."""
    begin_write(session)
    now = now or utcnow()
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.pending, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        session.commit()
        return []
    attempts = []
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=lease_seconds)
        attempts.append(OutboxAttempt(message_id=row.id, started_at=now, worker=worker[:100]))
    session.add_all(attempts)
    session.flush()
    hooks = {
        w.id: w
        for w in session.scalars(
            select(Webhook).where(Webhook.id.in_({r.webhook_id for r in rows if r.webhook_id}))
        )
    }
    claimed = [
        Claimed(
            id=row.id,
            delivery_id=row.delivery_id,
            kind=row.kind,
            event=row.event,
            recipient=row.recipient,
            comment_id=row.comment_id,
            payload=row.payload,
            attempt=row.attempts,
            attempt_id=attempt.id,
            webhook_url=hooks[row.webhook_id].url if row.webhook_id in hooks else None,
            webhook_secret=hooks[row.webhook_id].secret if row.webhook_id in hooks else None,
        )
        for row, attempt in zip(rows, attempts, strict=True)
    ]
    session.commit()
    return claimed


def finish(session, claimed: Claimed, result: Result, policy: RetryPolicy, now=None) -> None:
    """Log the attempt and settle the row: sent, cancelled, retried later, or failed."""
    begin_write(session)
    now = now or utcnow()
    attempt = session.get(OutboxAttempt, claimed.attempt_id)
    if attempt is not None:
        attempt.finished_at = now
        attempt.ok = result.ok
        attempt.status_code = result.status_code
        attempt.detail = result.detail[:500] or None
    row = session.get(OutboxMessage, claimed.id, with_for_update=True)
    # Gone, settled elsewhere, or claimed again after our lease ran out: only log.
    if row is None or row.state is not OutboxState.pending or row.attempts != claimed.attempt:
        session.commit()
        return
    if result.ok:
        row.state, row.sent_at, row.last_error = OutboxState.sent, now, None
    elif result.cancelled:
        row.state, row.last_error = OutboxState.cancelled, result.detail[:500]
    elif result.permanent or row.attempts >= policy.max_attempts:
        row.state, row.last_error = OutboxState.failed, result.detail[:500]
    else:
        delay = backoff(row.attempts, policy.base_seconds, policy.max_seconds)
        row.next_attempt_at = now + timedelta(seconds=delay)
        row.last_error = result.detail[:500]
    session.commit()


def redeliver(session, message_id: int, webhook_id: int | None = None) -> OutboxMessage:
    """Send a message again, with the same id, as soon as a worker is free.

    :raise NotFound: no such message (for that endpoint, when given).
    """
    begin_write(session)
    row = session.get(OutboxMessage, message_id)
    if row is None or row.kind is OutboxKind.event or (webhook_id and row.webhook_id != webhook_id):
        raise NotFound(f"No delivery with id {message_id}.")
    row.state, row.attempts, row.next_attempt_at = OutboxState.pending, 0, utcnow()
    row.last_error = None
    session.commit()
    return row


# ---- privacy and housekeeping --------------------------------------------------------


def forget_address(session, email: str) -> int:
    """Remove one address from the outbox and from reply subscriptions; return rows touched.

    Mails to the address are deleted; payloads that carry it as a comment's author are
    anonymised (name "Anonymous", email, website, IP and User-Agent cleared); its
    subscriptions and unsubscribes are deleted. Runs in the caller's unit of work (no
    commit), so a privacy erasure is one transaction.
    """
    email = email.strip().lower()
    # Compared lower-cased: rows written before addresses were stored lower-case, or
    # by an import, may spell the address otherwise.
    to_them = delete(OutboxMessage).where(func.lower(OutboxMessage.recipient) == email)
    touched = session.execute(to_them).rowcount
    # Reports still waiting would hand the address to the external checker: drop them.
    reports = delete(OutboxMessage).where(
        OutboxMessage.kind == OutboxKind.checker,
        func.lower(OutboxMessage.author_email) == email,
        OutboxMessage.state == OutboxState.pending,
    )
    touched += session.execute(reports).rowcount
    carriers = select(OutboxMessage).where(
        or_(func.lower(OutboxMessage.author_email) == email, OutboxMessage.event == "mail.digest")
    )
    for row in session.scalars(carriers):
        # A row filed under this author may carry their comment without the email
        # (public webhook payloads): there, every author is theirs.
        owner = (row.author_email or "").lower() == email
        row.payload = _anonymised(row.payload, email, owner=owner)
        if owner:
            row.author_email = None
        touched += 1
    touched += session.execute(
        delete(Subscription).where(func.lower(Subscription.email) == email)
    ).rowcount
    touched += session.execute(
        delete(MailOptOut).where(func.lower(MailOptOut.email) == email)
    ).rowcount
    return touched


def _anonymised(value, email: str, *, owner: bool):
    if isinstance(value, list):
        return [_anonymised(v, email, owner=owner) for v in value]
    if not isinstance(value, dict):
        return value
    value = {k: _anonymised(v, email, owner=owner) for k, v in value.items()}
    author = value.get("author")
    if isinstance(author, dict):
        address = (author.get("email") or "").lower()
        if address == email or (owner and not address):
            value["author"] = {"name": "Anonymous", "email": None, "url": None}
            for key in ("ip", "user_agent"):
                if key in value:
                    value[key] = None
    return value


def prune(session, keep_days: int, now=None) -> int:
    """Delete settled rows (sent, cancelled, failed) older than `keep_days`; return how many."""
    begin_write(session)
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    count = session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.state != OutboxState.pending, OutboxMessage.created_at < cutoff
        )
    ).rowcount
    session.commit()
    return count


# ---- what admins read -----------------------------------------------------------------


def summary(session) -> dict[str, dict[str, int]]:
    """Rows per kind and state, e.g. {"mail": {"pending": 2, "sent": 40}}."""
    rows = session.execute(
        select(OutboxMessage.kind, OutboxMessage.state, func.count()).group_by(
            OutboxMessage.kind, OutboxMessage.state
        )
    ).all()
    counts: dict[str, dict[str, int]] = {k.value: {} for k in OutboxKind}
    for kind, state, count in rows:
        counts[kind.value][state.value] = count
    return counts


def listing(
    session, *, state: OutboxState | None = None, webhook_id: int | None = None, limit: int = 50
) -> list[OutboxMessage]:
    """The newest messages (with their attempts), by state or by endpoint."""
    query = select(OutboxMessage).options(selectinload(OutboxMessage.log))
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    if webhook_id is not None:
        query = query.where(OutboxMessage.webhook_id == webhook_id)
    return session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)).all()


def due_at(session) -> datetime | None:
    """When the next pending row may be claimed (for the worker's sleep)."""
    return session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.state == OutboxState.pending
        )
    )
