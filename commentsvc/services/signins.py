"""Moderators' sessions, kept on the server so that ending one takes effect at once.

The review UI's cookie carries a random id; the row keeps only its hash. Signing out
deletes the row, so a copy of the cookie (from a shared computer, a proxy's log) signs
no one in afterwards; a password change or deactivation deletes them all.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from ..models import Moderator, ModeratorSession, utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def start(session, moderator: Moderator, days: int) -> str:
    """Open a session lasting `days` for `moderator`; return the id its cookie carries."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    # Expired sessions of the same moderator go now: the table never grows past use.
    session.execute(
        delete(ModeratorSession).where(
            ModeratorSession.moderator_id == moderator.id, ModeratorSession.expires_at < now
        )
    )
    session.add(
        ModeratorSession(
            moderator_id=moderator.id,
            token_hash=_hash(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    session.commit()
    return token


def moderator_for(session, token: str) -> Moderator | None:
    """The active moderator whose live session `token` names, or None."""
    row = session.scalar(
        select(ModeratorSession).where(ModeratorSession.token_hash == _hash(token))
    )
    if row is None or row.expires_at <= utcnow():
        return None
    moderator = session.get(Moderator, row.moderator_id)
    return moderator if moderator is not None and moderator.is_active else None


def end(session, token: str) -> None:
    """End the session `token` names (nothing happens when it has ended already)."""
    session.execute(delete(ModeratorSession).where(ModeratorSession.token_hash == _hash(token)))
    session.commit()


def end_all(session, moderator_id: int) -> None:
    """End every session of the moderator; the caller commits (part of its change)."""
    session.execute(delete(ModeratorSession).where(ModeratorSession.moderator_id == moderator_id))
