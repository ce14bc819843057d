"""The demo data `make run` shows: one article, a few comments, a moderator, a key."""

import secrets

from sqlalchemy import func, select

from ..config import Settings
from ..models import Comment, Role, Scope
from . import Actor, Client, accounts, articles, moderation, submission

ARTICLE_ID = "demo-brick-kilns"
ARTICLE_TITLE = "Punjab brick-kiln modernisation"
MODERATOR_EMAIL = "moderator@example.org"

COMMENTS = [
    # (name, email, body, approve, reply_to_index)
    (
        "Amrita Kaur",
        "amrita@example.org",
        "The zig-zag firing retrofit cut our village's smoke noticeably.\n\n"
        "Does anyone know whether the state subsidy covers the blower fans?",
        True,
        None,
    ),
    (
        "Bilal Ahmed",
        "bilal@example.org",
        "It does, *if* the kiln registered before March. The form is on the "
        "district office's site.",
        True,
        0,
    ),
    (
        "Chris P.",
        "chris@example.org",
        "Great article! More at http://a.example http://b.example http://c.example",
        False,
        None,
    ),
    (
        "Dana",
        "dana@example.org",
        "I worked at a kiln for two summers. <b>Nobody</b> checked the <i>chimney</i> height.",
        False,
        None,
    ),
    ("Eero", "eero@example.org", "Is there a source for the 20% emissions figure?", False, 0),
]


def seed(session, saved: dict | None) -> dict:
    """Create what is missing and return the credentials to print (reusing `saved`)."""
    credentials = dict(saved or {})
    moderator = accounts.find_moderator(session, MODERATOR_EMAIL)
    saved_password = credentials.get("password")
    if moderator is None:
        credentials["password"] = saved_password or secrets.token_urlsafe(12)
        moderator = accounts.create_moderator(
            session, MODERATOR_EMAIL, credentials["password"], Role.admin
        )
    elif not (saved_password and accounts.check_password(moderator, saved_password)):
        # Someone set their own password since: neither ours to print nor to reset.
        credentials["password"] = None
    secret = credentials.get("api_key")
    if not secret or accounts.find_live_key(session, secret) is None:
        _, credentials["api_key"] = accounts.create_api_key(session, "demo", Scope.moderate)
    _seed_comments(session, Actor(moderator_id=moderator.id))
    credentials.update(email=MODERATOR_EMAIL, article_id=ARTICLE_ID)
    return credentials


def _seed_comments(session, actor: Actor) -> None:
    article = articles.find(session, ARTICLE_ID)
    if article is not None and session.scalar(
        select(func.count()).select_from(Comment).where(Comment.article_pk == article.id)
    ):
        return
    articles.upsert(session, ARTICLE_ID, {"title": ARTICLE_TITLE})
    settings = Settings(moderation="all")
    client = Client("203.0.113.7", "Mozilla/5.0 (demo data)")
    stored: list[Comment] = []
    for name, email, body, approve, reply_to in COMMENTS:
        data = {
            "name": name,
            "email": email,
            "url": None,
            "body": body,
            "parent_id": stored[reply_to].id if reply_to is not None else None,
        }
        # Seeded as another service would post them (trusted: no form, no time-trap).
        comment = submission.submit_comment(
            session, ARTICLE_ID, data, client, settings, trusted=True
        )
        if approve:
            moderation.moderate(session, [comment.id], "approve", actor, "Demo data")
        stored.append(comment)
