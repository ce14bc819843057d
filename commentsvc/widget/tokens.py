"""The notice after posting: a signed, time-stamped token naming the reader's comment.

The widget lives in third-party iframes, where cookies are often blocked, so it needs
no session: it is signed with the SECRET_KEY and carries its own time. (The form token
both doors read lives below them, in `commentsvc.tokens`.)
"""

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

NOTICE_SALT = "commentsvc-embed-notice"
NOTICE_MAX_AGE = 24 * 3600


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


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
