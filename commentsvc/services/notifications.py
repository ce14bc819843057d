"""Who hears what: readers' reply subscriptions and unsubscribes, moderators' mail choice,
and decisions taken from a mail's signed link."""

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select

from .. import links
from ..errors import InvalidTransition, LinkExpired, LinkInvalid, LinkUsed, NotFound
from ..i18n import N_
from ..models import (
    Article,
    Comment,
    HeldMail,
    MailOptOut,
    ModerationEvent,
    Moderator,
    OutboxKind,
    OutboxMessage,
    OutboxState,
    Subscription,
)
from ..status import ACTIONS, Status
from . import Actor, begin_write, moderation


def subscribe(session, comment: Comment) -> Subscription | None:
    """Note that the author wants mail about replies to `comment` (caller's unit of work).

    An earlier unsubscribe (from the thread or the site) wins: a ticked box cannot sign
    someone up again who asked to stop.
    """
    if opted_out(session, comment.author_email, comment.article_pk):
        return None
    subscription = Subscription(
        email=comment.author_email, article_pk=comment.article_pk, comment_id=comment.id
    )
    session.add(subscription)
    return subscription


def opted_out(session, email: str, article_pk: int | None) -> bool:
    """Whether the address unsubscribed from this article's thread or from the whole site."""
    scope = MailOptOut.article_pk.is_(None)
    if article_pk is not None:
        scope = or_(scope, MailOptOut.article_pk == article_pk)
    found = session.scalar(
        select(func.count()).select_from(MailOptOut).where(MailOptOut.email == email, scope)
    )
    return bool(found)


def subscriber_for(session, comment_id: int) -> Subscription | None:
    return session.scalar(select(Subscription).where(Subscription.comment_id == comment_id))


@dataclass(frozen=True)
class Unsubscribe:
    email: str
    article: Article | None


def read_unsubscribe(session, secret_key: str, token: str) -> Unsubscribe:
    """:raise LinkInvalid: the link was altered."""
    try:
        email, article_pk = links.read_unsubscribe(secret_key, token)
    except links.LinkInvalid as exc:
        raise LinkInvalid(
            "This unsubscribe link is not valid: it was altered or cut short."
        ) from exc
    return Unsubscribe(email, session.get(Article, article_pk))


def unsubscribe(session, secret_key: str, token: str, *, whole_site: bool) -> Unsubscribe:
    """Stop reply mail for good: for the link's thread, or for the whole site.

    Harmless to repeat. Mails already waiting in the outbox are cancelled too.
    :raise LinkInvalid: the link was altered.
    """
    begin_write(session)
    found = read_unsubscribe(session, secret_key, token)
    article_pk = None if whole_site or found.article is None else found.article.id
    same_scope = (
        MailOptOut.article_pk.is_(None)
        if article_pk is None
        else MailOptOut.article_pk == article_pk
    )
    exists = select(MailOptOut).where(MailOptOut.email == found.email, same_scope)
    if session.scalar(exists) is None:
        session.add(MailOptOut(email=found.email, article_pk=article_pk))
    gone = delete(Subscription).where(Subscription.email == found.email)
    if article_pk is not None:
        gone = gone.where(Subscription.article_pk == article_pk)
    session.execute(gone)
    for row in session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.recipient == found.email,
            OutboxMessage.kind == OutboxKind.mail,
            OutboxMessage.event == "mail.reply",
            OutboxMessage.state == OutboxState.pending,
        )
    ):
        if article_pk is None or row.payload.get("article_pk") == article_pk:
            row.state, row.last_error = OutboxState.cancelled, "The reader unsubscribed."
    session.commit()
    return found


def set_held_mail(session, moderator_id: int, choice: HeldMail) -> Moderator:
    """Choose what a moderator hears of held comments.

    :raise NotFound: no such moderator.
    """
    begin_write(session)
    moderator = session.get(Moderator, moderator_id)
    if moderator is None:
        raise NotFound(f"No moderator with id {moderator_id}.")
    moderator.held_mail = choice
    session.commit()
    return moderator


def set_locale(session, moderator_id: int, locale: str | None) -> Moderator:
    """Choose the language of a moderator's review UI and mails (None: their browser's).

    :raise NotFound: no such moderator.
    """
    begin_write(session)
    moderator = session.get(Moderator, moderator_id)
    if moderator is None:
        raise NotFound(f"No moderator with id {moderator_id}.")
    moderator.locale = locale
    session.commit()
    return moderator


def comment_state(session, comment_id: int) -> int:
    """The comment's latest moderation event (0: none yet): what a decision link is bound to."""
    return session.scalar(
        select(func.coalesce(func.max(ModerationEvent.id), 0)).where(
            ModerationEvent.comment_id == comment_id
        )
    )


@dataclass(frozen=True)
class LinkDecision:
    comment: Comment
    action: str
    target: Status
    moderator: Moderator


def check_decision(session, secret_key: str, token: str, max_age: int) -> LinkDecision:
    """What a mail's decision link would do, if it may still do it.

    :raise LinkExpired: the link is older than `max_age` seconds.
    :raise LinkInvalid: the link was altered, or names what no longer exists.
    :raise LinkUsed: the comment was decided (or edited) since the mail was made.
    """
    try:
        decision = links.read_decision(secret_key, token, max_age)
    except links.LinkExpired as exc:
        raise LinkExpired() from exc
    except links.LinkInvalid as exc:
        raise LinkInvalid() from exc
    moderator = session.get(Moderator, decision.moderator_id)
    if moderator is None or not moderator.is_active:
        raise LinkInvalid(N_("This link belongs to an account that can no longer moderate."))
    try:
        comment = moderation.get_comment(session, decision.comment_id)
    except NotFound as exc:
        raise LinkInvalid(N_("The comment this link names no longer exists.")) from exc
    if comment.erased_at is not None or comment_state(session, comment.id) != decision.state:
        raise LinkUsed()
    return LinkDecision(comment, decision.action, ACTIONS[decision.action], moderator)


def decide(session, secret_key: str, token: str, max_age: int) -> LinkDecision:
    """Take the decision a mail's link names, as the moderator it was sent to.

    :raise LinkExpired, LinkInvalid, LinkUsed: see `check_decision`; nothing changes.
    """
    found = check_decision(session, secret_key, token, max_age)
    actor = Actor(moderator_id=found.moderator.id)
    try:
        (comment,) = moderation.moderate(
            session, [found.comment.id], found.action, actor, "From the link in a mail"
        )
    except InvalidTransition as exc:  # it already has that status
        raise LinkUsed() from exc
    return LinkDecision(comment, found.action, found.target, found.moderator)
