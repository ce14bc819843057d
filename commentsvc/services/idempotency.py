"""Idempotency keys: a retried submission answers the first answer and stores nothing new.

Keys live in the database, so every instance agrees, and each is written in the same
transaction as its comment: if the process dies after the commit, the retry finds the
key and replays the answer; if it dies before, neither exists and the retry stores the
comment once. The unique key makes concurrent requests with one key store once.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..errors import IdempotencyKeyInUse, IdempotencyKeyReused
from ..models import Comment, IdempotencyKey

KEEP = timedelta(hours=24)
PURGE_BATCH = 500


@dataclass(frozen=True)
class Once:
    """A request to perform once: its key, what it asks for, and how its answer reads.

    `answer` is the door's: it turns the stored comment into (JSON body, HTTP status),
    which is kept with the key and given again to every retry.
    """

    key: str
    fingerprint: str
    answer: Callable[[Comment], tuple[dict, int]]


class Replay(Exception):  # not an error: the request was already answered
    """The key already answered this same request: give that answer again."""

    def __init__(self, body: dict, status: int):
        super().__init__(status)
        self.body, self.status = body, status


def fingerprint(*parts) -> str:
    """A hash of what a request asks for (JSON-serialisable parts), to tell retries apart."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(session, once: Once) -> IdempotencyKey:
    """Reserve `once.key` in the caller's unit of work, before anything else is written.

    :raise Replay: the key already answered this request (the session is rolled back).
    :raise IdempotencyKeyReused: the key was used for a different request.
    :raise IdempotencyKeyInUse: a request with the key is being answered and has no answer yet.
    """
    purge(session)
    _refuse_if_known(session, once)
    row = IdempotencyKey(key=once.key, fingerprint=once.fingerprint)
    session.add(row)
    try:
        # On PostgreSQL this waits while a concurrent request holds the same key
        # uncommitted, then fails here once that request has committed.
        session.flush()
    except IntegrityError:
        session.rollback()
        _refuse_if_known(session, once)
        raise IdempotencyKeyInUse() from None
    return row


def complete(session, row: IdempotencyKey, once: Once, comment: Comment) -> None:
    """Keep the answer with the key, in the same unit of work as the comment."""
    row.response, row.status_code = once.answer(comment)
    row.comment_id = comment.id


def forget(session, *comment_ids: int) -> None:
    """Drop the answers kept for these comments: they hold their authors' names and text."""
    ids = list(comment_ids)
    for start in range(0, len(ids), PURGE_BATCH):
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.comment_id.in_(ids[start : start + PURGE_BATCH])
            ),
            execution_options={"synchronize_session": False},
        )


def purge(session, now: datetime | None = None) -> None:
    """Delete keys older than KEEP, a batch at a time, skipping rows others are deleting."""
    cutoff = (now or datetime.now(UTC)) - KEEP
    expired = (
        select(IdempotencyKey.id)
        .where(IdempotencyKey.created_at < cutoff)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.id.in_(expired)),
        execution_options={"synchronize_session": False},
    )


def _refuse_if_known(session, once: Once) -> None:
    row = session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == once.key))
    if row is None:
        return
    same, body, status = row.fingerprint == once.fingerprint, row.response, row.status_code
    session.rollback()
    if not same:
        raise IdempotencyKeyReused()
    if status is None:
        raise IdempotencyKeyInUse()
    raise Replay(body, status)
