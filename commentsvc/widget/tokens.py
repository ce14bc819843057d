"""Signed, time-stamped tokens: the no-JS form's proof of origin, and the notice after posting.

The widget lives in third-party iframes, where cookies are often blocked, so neither
needs a session: each is signed with the SECRET_KEY and carries its own time.
"""

import secrets

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

FORM_SALT = "commentsvc-embed-form"
FORM_MAX_AGE = 24 * 3600  # a reader may take their time writing
NOTICE_SALT = "commentsvc-embed-notice"
NOTICE_MAX_AGE = 24 * 3600


class TokenRefused(Exception):
    """The form token is missing, forged, for another article or too old."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def form_token(article_id: str) -> str:
    # The nonce makes each shown form unique, so a double-submitted form stores once.
    return _serializer(FORM_SALT).dumps({"article": article_id, "nonce": secrets.token_urlsafe(16)})


def check_form_token(token: str | None, article_id: str) -> str:
    """Return the token's nonce ("" in tokens made before nonces).

    :raise TokenRefused: missing, forged, for another article, or older than a day.
    """
    if not token:
        raise TokenRefused("missing")
    try:
        data = _serializer(FORM_SALT).loads(token, max_age=FORM_MAX_AGE)
    except BadData as exc:
        raise TokenRefused("invalid or expired") from exc
    if not isinstance(data, dict) or data.get("article") != article_id:
        raise TokenRefused("for another article")
    nonce = data.get("nonce")
    return nonce if isinstance(nonce, str) else ""


def notice_token(article_id: str, comment_id: int) -> str:
    """What the redirect after posting carries: which comment this reader just posted."""
    return _serializer(NOTICE_SALT).dumps({"article": article_id, "comment": comment_id})


def read_notice(token: str | None, article_id: str) -> int | None:
    """The id of the comment a notice names, or None when it is absent, bad or old."""
    if not token:
        return None
    try:
        data = _serializer(NOTICE_SALT).loads(token, max_age=NOTICE_MAX_AGE)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("article") != article_id:
        return None
    comment_id = data.get("comment")
    return comment_id if isinstance(comment_id, int) else None
