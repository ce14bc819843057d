"""Moderators and API keys: who may moderate, and how they prove it."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import NotFound, ValidationFailed
from ..models import ApiKey, Moderator, Role, Scope, utcnow
from . import begin_write, signins

KEY_PREFIX = "csk_"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_moderator(session, email: str, password: str, role: Role = Role.moderator) -> Moderator:
    """:raise ValidationFailed: the email is taken."""
    email = email.strip().lower()
    if session.scalar(select(Moderator).where(Moderator.email == email)):
        raise ValidationFailed(fields={"email": ["A moderator with this email already exists."]})
    moderator = Moderator(email=email, password_hash=hash_password(password), role=role)
    session.add(moderator)
    session.commit()
    return moderator


def find_moderator(session, email: str) -> Moderator | None:
    return session.scalar(select(Moderator).where(Moderator.email == email.strip().lower()))


def list_moderators(session) -> list[Moderator]:
    return session.scalars(select(Moderator).order_by(Moderator.email)).all()


def set_password(session, email: str, password: str) -> Moderator:
    """:raise NotFound: no moderator with that email."""
    moderator = find_moderator(session, email)
    if moderator is None:
        raise NotFound(f"No moderator with the email {email!r}.")
    moderator.password_hash = hash_password(password)
    # Whoever signed in with the old password (or a copied cookie) is out.
    signins.end_all(session, moderator.id)
    session.commit()
    return moderator


def check_password(moderator: Moderator, password: str) -> bool:
    return check_password_hash(moderator.password_hash, password)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def create_api_key(session, name: str, scope: Scope) -> tuple[ApiKey, str]:
    """Create a key; return it with its secret, which is shown once and never stored."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, prefix=secret[:12], secret_hash=_digest(secret), scope=scope)
    session.add(key)
    session.commit()
    return key, secret


def list_api_keys(session) -> list[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)).all()


def revoke_api_key(session, key_id: int) -> ApiKey:
    """:raise NotFound: no such key."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"No API key with id {key_id}.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.commit()
    return key


def find_live_key(session, secret: str) -> ApiKey | None:
    key = session.scalar(select(ApiKey).where(ApiKey.secret_hash == _digest(secret)))
    return key if key is not None and key.revoked_at is None else None


def authenticate_api_key(session, secret: str) -> ApiKey | None:
    """Return the live key this secret belongs to, noting when it was last used."""
    key = find_live_key(session, secret)
    if key is None:
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key_id = key.id
        begin_write(session)  # ends the read; the key reloads when next touched
        session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
        session.commit()
    return key


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
