"""Small helpers the API tests share."""

from sqlalchemy import func, select

ARTICLE = "pk-2026-03-10-brick-kilns"
EMAIL = "reader.secret@example.org"
# Everything a public comment may carry: a new key must be added here on purpose,
# so nothing private slips into the public shape unnoticed.
PUBLIC_COMMENT_KEYS = {
    "id",
    "parent_id",
    "author",
    "html",
    "created_at",
    "staff",
    "removed",
    "replies",
}


# What a webhook delivery to an endpoint that is not a moderation endpoint may carry (the
# author's email, IP, User-Agent and the held reasons go to moderation endpoints only).
PUBLIC_WEBHOOK_KEYS = {"type", "timestamp", "data"}
PUBLIC_WEBHOOK_DATA_KEYS = {"comment", "from", "to", "action", "reason"}
PUBLIC_WEBHOOK_COMMENT_KEYS = {
    "id",
    "article_id",
    "parent_id",
    "status",
    "staff",
    "author",
    "body",
    "html",
    "created_at",
}
PUBLIC_WEBHOOK_AUTHOR_KEYS = {"name", "url"}


def comment_payload(**overrides) -> dict:
    payload = {"name": "Reader", "email": EMAIL, "body": "A thoughtful comment."}
    payload.update(overrides)
    return payload


def submit(client, article_id: str = ARTICLE, **overrides):
    return client.post(f"/api/v1/articles/{article_id}/comments", json=comment_payload(**overrides))


def moderate(client, auth, comment_id: int, action: str, reason: str | None = None):
    body = {"action": action} | ({"reason": reason} if reason else {})
    return client.post(f"/api/v1/comments/{comment_id}/moderation", json=body, headers=auth)


def published(client, auth, article_id: str = ARTICLE, **overrides) -> int:
    """Submit and approve a comment; return its id."""
    comment_id = submit(client, article_id, **overrides).get_json()["id"]
    assert moderate(client, auth, comment_id, "approve").status_code == 200
    return comment_id


def row_counts(session) -> dict[str, int]:
    """How many rows each table holds: a refused request must leave these unchanged."""
    from commentsvc.models import (
        ApiKey,
        Article,
        Comment,
        IdempotencyKey,
        ModerationEvent,
        Moderator,
    )

    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in (Article, Comment, ModerationEvent, Moderator, ApiKey, IdempotencyKey)
    }


def api_error(response, status: int, code: str) -> dict:
    """Check an API error answers JSON in the one error shape; return its `error` object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "<html" not in text.lower()
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


# Text no field takes, as a browser form can carry it (forms and query strings cannot
# hold a lone surrogate)...
FORM_BAD = {"nul": "\x00", "escape": "\x1b", "delete": "\x7f", "c1-nel": "\x85", "c1-csi": "\x9b"}
# ... and as JSON can besides.
JSON_BAD = FORM_BAD | {"lone-surrogate": "\ud800", "lone-low-surrogate": "\udc00"}


def bad_value(field: str, bad: str) -> str:
    """A value for `field` that would be fine but for `bad` inside it."""
    return {
        "name": f"Rea{bad}der",
        "email": f"rea{bad}der@example.org",
        "url": f"https://example.org/a{bad}b",
    }.get(field, f"Some{bad}text")
