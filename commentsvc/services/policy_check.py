"""The dry run's data: past comments with what the policy could know about each then.

`run` gathers them and hands them to the pure `policy.dry_run`; both the command line
(`flask --app commentsvc policy check`) and the Settings page's preview use it.
"""

import dataclasses
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select

from .. import policy
from ..config import Settings
from ..models import Comment
from ..policy import dry_run
from ..status import Status
from . import discussion

CHUNK = 500


def run(session, settings: Settings, since: datetime) -> dry_run.Report:
    """Replay the comments posted since `since` with `settings`; compare with moderators."""
    return dry_run.compare(
        past_comments(session, settings, since), checker=settings.checker_enabled, since=since
    )


def preview(session, defaults: Settings, changes: dict, since: datetime) -> dry_run.Report:
    """The dry run for settings an admin is about to save (`changes` as DiscussionIn loads)."""
    current = discussion.effective(session, defaults)
    candidate = dataclasses.replace(
        current, **{k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
    )
    return run(session, candidate, since)


def past_comments(session, settings: Settings, since: datetime) -> list[dry_run.Past]:
    """Readers' comments since `since` (not erased, not staff), oldest first, each with
    the author's history as it stood before it (statuses as they are now)."""
    rows = session.scalars(
        select(Comment)
        .where(
            Comment.created_at >= since, Comment.erased_at.is_(None), Comment.is_staff.is_(False)
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    emails = {c.author_email for c in rows}
    ips = {c.remote_addr for c in rows if c.remote_addr}
    approved = _before(session, Comment.author_email, emails, Status.approved, since)
    spam_email = _before(session, Comment.author_email, emails, Status.spam, since)
    spam_ip = _before(session, Comment.remote_addr, ips, Status.spam, since)
    pasts = []
    for c in rows:
        submission = policy.Submission(
            name=c.author_name,
            email=c.author_email,
            url=c.author_url,
            body=c.body,
            ip=c.remote_addr,
            user_agent=c.user_agent,
        )
        context = policy.Context(
            moderation=settings.moderation,
            max_links=settings.max_links,
            approved_before=approved[c.author_email],
            moderation_words=settings.moderation_words,
            disallowed_words=settings.disallowed_words,
            spam_repeat=settings.spam_repeat,
            spam_by_email=spam_email[c.author_email],
            spam_by_ip=spam_ip[c.remote_addr] if c.remote_addr else 0,
        )
        pasts.append(dry_run.Past(submission, context, tuple(c.held_reasons or ()), c.status))
        if c.status is Status.approved:
            approved[c.author_email] += 1
        elif c.status is Status.spam:
            spam_email[c.author_email] += 1
            if c.remote_addr:
                spam_ip[c.remote_addr] += 1
    return pasts


def _before(session, column, values: Iterable[str], status: Status, since: datetime) -> Counter:
    """How many comments with `status` each value of `column` had before `since`."""
    counts: Counter = Counter()
    values = sorted(values)
    for start in range(0, len(values), CHUNK):
        counts.update(
            dict(
                session.execute(
                    select(column, func.count())
                    .where(
                        column.in_(values[start : start + CHUNK]),
                        Comment.status == status,
                        Comment.created_at < since,
                        Comment.erased_at.is_(None),
                    )
                    .group_by(column)
                ).all()
            )
        )
    return counts
