"""From one change to everyone who should hear of it: moderators, subscribers, endpoints.

The worker calls `expand` for each event row of the outbox. The mails and deliveries it
makes carry ids derived from the event (or, for a reply, from the reply and the reader),
and the event is marked sent in the same transaction, so an event fans out once even
when two workers or a restarted one meet it again.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from .. import sanitize
from ..models import Comment, HeldMail, Moderator, OutboxKind, OutboxMessage, OutboxState, utcnow
from ..notify import Result, payloads
from ..status import Status
from . import begin_write, notifications, outbox, overview, webhooks

DIGEST_SIZE = 50
# What a reader's mail may show of a comment: neither the author's email nor their IP.
PUBLIC_PARTS = (
    "id",
    "article_id",
    "article_title",
    "article_url",
    "parent_id",
    "status",
    "staff",
    "body",
    "html",
    "created_at",
)


@dataclass(frozen=True)
class FanoutSettings:
    author_on_approval: bool = False

    @classmethod
    def from_config(cls, config) -> "FanoutSettings":
        return cls(author_on_approval=bool(config["MAIL_AUTHOR_ON_APPROVAL"]))


def expand(session, claimed: outbox.Claimed, settings: FanoutSettings) -> Result:
    """Write the mails and webhook deliveries one event leads to, and mark it sent."""
    begin_write(session)
    row = session.scalars(
        select(OutboxMessage).where(OutboxMessage.id == claimed.id).with_for_update()
    ).first()
    if row is None or row.state is not OutboxState.pending or row.attempts != claimed.attempt:
        session.rollback()
        return Result(True, "fanned out by another attempt")
    made = _deliveries(session, row, settings)
    known = set(
        session.scalars(
            select(OutboxMessage.delivery_id).where(
                OutboxMessage.delivery_id.in_([m.delivery_id for m in made])
            )
        )
    )
    fresh = [m for m in made if m.delivery_id not in known]
    session.add_all(fresh)
    row.state, row.sent_at = OutboxState.sent, utcnow()
    session.commit()
    return Result(True, f"{len(fresh)} mails and deliveries")


def _deliveries(session, row: OutboxMessage, settings: FanoutSettings) -> list[OutboxMessage]:
    event, payload = row.event, row.payload
    comment = payload["comment"]
    made = _webhook_rows(session, row)
    if event == "comment.erased":
        return made
    current = session.get(Comment, comment["id"])
    if current is None or current.erased_at is not None:
        return made
    to = payload.get("to") if event == "comment.moderated" else comment["status"]
    if event == "comment.created" and current.status is Status.pending:
        made += _held_rows(session, row, current)
    if event in ("comment.created", "comment.moderated") and to == Status.approved.value:
        made += _reply_rows(session, row, current)
        first_approval = event == "comment.moderated" and payload["from"] == Status.pending.value
        if first_approval and settings.author_on_approval and not comment["staff"]:
            made += _approved_rows(session, row, current)
    return made


def _mail(row, key: str, event: str, recipient: str, payload: dict) -> OutboxMessage:
    return OutboxMessage(
        delivery_id=outbox.new_delivery_id(key),
        kind=OutboxKind.mail,
        event=event,
        recipient=recipient,
        comment_id=row.comment_id,
        author_email=row.author_email,
        payload=payload,
    )


def _public(comment: dict) -> dict:
    shown = {key: comment.get(key) for key in PUBLIC_PARTS}
    author = comment.get("author") or {}
    shown["author"] = {"name": author.get("name"), "url": author.get("url")}
    return shown


def _held_rows(session, row, current: Comment) -> list[OutboxMessage]:
    moderators = session.scalars(
        select(Moderator).where(Moderator.is_active.is_(True), Moderator.held_mail == HeldMail.each)
    ).all()
    if not moderators:
        return []
    email = current.author_email
    history = overview.author_histories(session, [email]).get(email, {})
    state = notifications.comment_state(session, current.id)
    comment = row.payload["comment"]
    return [
        _mail(
            row,
            f"{row.delivery_id}:mail:{m.id}",
            "mail.held",
            m.email,
            {
                "comment": comment,
                "history": history,
                "state": state,
                "moderator_id": m.id,
                "locale": m.locale,
            },
        )
        for m in moderators
    ]


def _reply_rows(session, row, current: Comment) -> list[OutboxMessage]:
    if current.parent_id is None:
        return []
    subscription = notifications.subscriber_for(session, current.parent_id)
    if subscription is None or subscription.email == current.author_email:
        return []
    if notifications.opted_out(session, subscription.email, subscription.article_pk):
        return []
    parent = session.get(Comment, current.parent_id)
    payload = {
        "reply": _public(row.payload["comment"]),
        "parent": {"id": parent.id, "excerpt": sanitize.excerpt(parent.html, 200)},
        "article_pk": subscription.article_pk,
    }
    # Keyed by the reply, not the event: approving it again later mails nobody twice.
    key = f"reply:{current.id}:{subscription.email}"
    return [_mail(row, key, "mail.reply", subscription.email, payload)]


def _approved_rows(session, row, current: Comment) -> list[OutboxMessage]:
    email = current.author_email
    if not email or notifications.opted_out(session, email, current.article_pk):
        return []
    payload = {"comment": _public(row.payload["comment"])}
    return [_mail(row, f"approved:{current.id}", "mail.approved", email, payload)]


def _webhook_rows(session, row) -> list[OutboxMessage]:
    stamp = row.created_at.isoformat()
    build = payloads.build
    return [
        OutboxMessage(
            delivery_id=outbox.new_delivery_id(f"{row.delivery_id}:webhook:{w.id}"),
            kind=OutboxKind.webhook,
            event=row.event,
            webhook_id=w.id,
            comment_id=row.comment_id,
            author_email=row.author_email,
            payload=build(row.event, row.payload, moderation=w.moderation, timestamp=stamp),
        )
        for w in webhooks.list_all(session)
        if row.event in (w.events or [])
    ]


def send_digests(session, now=None) -> int:
    """Queue each digest-choosing moderator's mail of comments held since their last one."""
    begin_write(session)
    now = now or utcnow()
    made = 0
    for moderator in session.scalars(
        select(Moderator).where(
            Moderator.is_active.is_(True), Moderator.held_mail == HeldMail.digest
        )
    ).all():
        since = moderator.digest_sent_at or now - timedelta(days=1)
        moderator.digest_sent_at = now
        held = (
            Comment.status == Status.pending,
            Comment.erased_at.is_(None),
            Comment.created_at > since,
            Comment.created_at <= now,
        )
        total = session.scalar(select(func.count()).select_from(Comment).where(*held))
        if not total:
            continue
        comments = session.scalars(
            select(Comment).where(*held).order_by(Comment.created_at.desc()).limit(DIGEST_SIZE)
        ).all()
        histories = overview.author_histories(session, {c.author_email for c in comments})
        items = [
            {
                "comment": outbox.snapshot(c),
                "history": histories.get(c.author_email, {}),
                "state": notifications.comment_state(session, c.id),
            }
            for c in comments
        ]
        session.add(
            OutboxMessage(
                delivery_id=outbox.new_delivery_id(f"digest:{moderator.id}:{now.isoformat()}"),
                kind=OutboxKind.mail,
                event="mail.digest",
                recipient=moderator.email,
                payload={
                    "items": items,
                    "total": total,
                    "moderator_id": moderator.id,
                    "locale": moderator.locale,
                },
            )
        )
        made += 1
    session.commit()
    return made
