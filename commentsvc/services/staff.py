"""The moderators themselves: their replies, their accounts, their set-password links."""

import functools
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from ..errors import NotFound, ValidationFailed
from ..i18n import N_
from ..models import Comment, Moderator, Role
from ..status import Status
from . import Actor, accounts, articles, begin_write, comments, moderation, outbox, signins

# A set-password link works once (its signature covers the password hash it replaces)
# and for this long.
PASSWORD_LINK_MAX_AGE = 3 * 24 * 3600
PASSWORD_MIN_LENGTH = 10
_SALT = "commentsvc.set-password"


def display_name(moderator: Moderator) -> str:
    return moderator.name or moderator.email.split("@", 1)[0]


# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
@functools.cache
def _no_one() -> str:
    return accounts.hash_password(secrets.token_urlsafe(16))


def authenticate(session, email: str, password: str) -> Moderator | None:
    """The active moderator with this email and password, or None (whichever was wrong)."""
    moderator = accounts.find_moderator(session, email)
    if moderator is None:
        check_password_hash(_no_one(), password)
        return None
    if not accounts.check_password(moderator, password) or not moderator.is_active:
        return None
    return moderator


def reply_as_moderator(
    session, parent_id: int, body: str, moderator: Moderator, *, max_depth: int
) -> Comment:
    """Publish a moderator's reply at once, marked as staff; a held parent is approved too.

    :raise NotFound: no such parent, or it was erased.
    :raise ValidationFailed: the parent is rejected or spam, or the reply would nest too deep.
    """
    begin_write(session)
    parent = moderation.get_comment(session, parent_id)
    if parent.erased_at is not None:
        raise NotFound(f"Comment {parent_id} was erased.")
    if parent.status in (Status.rejected, Status.spam):
        raise ValidationFailed(
            fields={"body": [f"Comment {parent_id} is {parent.status.value}; approve it first."]}
        )
    if parent.depth >= max_depth:
        raise ValidationFailed(fields={"body": [f"Replies nest at most {max_depth} levels deep."]})
    actor = Actor(moderator_id=moderator.id)
    batch_id = moderation.new_batch_id()
    if parent.status is Status.pending:
        session.add(
            moderation.event(parent, "approve", actor, Status.approved, "Replied to", batch_id)
        )
        parent.status = Status.approved
        outbox.enqueue(
            session, "comment.moderated", parent, from_status=Status.pending, action="approve"
        )
    reply = comments.add(
        session,
        article_pk=parent.article_pk,
        parent=parent,
        name=display_name(moderator),
        email=moderator.email,
        url=None,
        body=body,
        status=Status.approved,
        is_staff=True,
        moderator_id=moderator.id,
    )
    comments.record(
        session, reply, "reply", actor=actor, details={"parent_id": parent.id}, batch_id=batch_id
    )
    outbox.enqueue(session, "comment.created", reply)
    articles.bump_versions(session, {parent.article_pk})
    session.commit()
    return reply


def invite(session, email: str, role: Role, name: str | None = None) -> Moderator:
    """Add a moderator who cannot sign in until they set a password through their link.

    :raise ValidationFailed: the email is taken.
    """
    begin_write(session)
    if accounts.find_moderator(session, email) is not None:
        raise ValidationFailed(fields={"email": ["A moderator with this email already exists."]})
    moderator = Moderator(
        email=email.strip().lower(),
        name=name or None,
        password_hash=accounts.hash_password(secrets.token_urlsafe(32)),
        role=role,
    )
    session.add(moderator)
    session.commit()
    return moderator


def _active_admins(session) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Moderator)
        .where(Moderator.role == Role.admin, Moderator.is_active.is_(True))
    )


def get_moderator(session, moderator_id: int) -> Moderator:
    """:raise NotFound: no such moderator."""
    moderator = session.get(Moderator, moderator_id)
    if moderator is None:
        raise NotFound(f"No moderator with id {moderator_id}.")
    return moderator


def update_moderator(
    session, moderator_id: int, *, role: Role | None = None, active: bool | None = None
) -> Moderator:
    """Change a moderator's role or switch them off (a switched-off one is signed out).

    :raise NotFound: no such moderator.
    :raise ValidationFailed: the change would leave no active admin.
    """
    begin_write(session)
    moderator = get_moderator(session, moderator_id)
    was_admin = moderator.role is Role.admin and moderator.is_active
    if role is not None:
        moderator.role = role
    if active is not None:
        moderator.is_active = active
        if not active:
            signins.end_all(session, moderator.id)
    still_admin = moderator.role is Role.admin and moderator.is_active
    if was_admin and not still_admin and _active_admins(session) <= 1:
        session.rollback()
        raise ValidationFailed(fields={"role": [N_("Keep at least one active admin.")]})
    session.commit()
    return moderator


def _serializer(secret_key: str, moderator: Moderator) -> URLSafeTimedSerializer:
    # Salted with the current hash: once the password changes, the link stops working.
    return URLSafeTimedSerializer(secret_key, salt=f"{_SALT}:{moderator.password_hash}")


def password_token(secret_key: str, moderator: Moderator) -> str:
    return _serializer(secret_key, moderator).dumps(moderator.id)


def moderator_for_token(session, secret_key: str, token: str) -> Moderator:
    """:raise NotFound: the link is unknown, used, expired or for a deactivated moderator."""
    gone = NotFound(N_("This link is not valid: it was used already, expired or mistyped."))
    _, moderator_id = URLSafeTimedSerializer(secret_key).loads_unsafe(token)
    if not isinstance(moderator_id, int):
        raise gone
    moderator = session.get(Moderator, moderator_id)
    if moderator is None or not moderator.is_active:
        raise gone
    try:
        _serializer(secret_key, moderator).loads(token, max_age=PASSWORD_LINK_MAX_AGE)
    except (BadSignature, SignatureExpired) as exc:
        raise gone from exc
    return moderator


def set_password_with_token(session, secret_key: str, token: str, password: str) -> Moderator:
    """:raise NotFound: see `moderator_for_token`. :raise ValidationFailed: too short."""
    moderator = moderator_for_token(session, secret_key, token)
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationFailed(
            fields={"password": [f"Use at least {PASSWORD_MIN_LENGTH} characters."]}
        )
    return accounts.set_password(session, moderator.email, password)
